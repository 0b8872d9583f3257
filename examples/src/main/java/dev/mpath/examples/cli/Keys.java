package dev.mpath.examples.cli;

import java.util.Locale;

/** Reservation keys on the command line: {@code 0x}-prefixed hex, or decimal (sg3_utils style). */
final class Keys {
  private Keys() {}

  static long parse(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("0x")) {
        return Long.parseUnsignedLong(t.substring(2), 16);
      }
      if (t.endsWith("h")) {
        return Long.parseUnsignedLong(t.substring(0, t.length() - 1), 16);
      }
      return Long.parseUnsignedLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + ": bad key '" + text + "' (a 64-bit number: decimal, 0x... or ...h)");
    }
  }

  static String hex(long key) {
    return "0x" + Long.toHexString(key);
  }
}
