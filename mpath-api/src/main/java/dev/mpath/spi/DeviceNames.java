package dev.mpath.spi;

/**
 * Letter suffixes in bijective base 26, as Linux names {@code sd} disks and multipath-tools
 * names aliases: 0 -> {@code a}, 25 -> {@code z}, 26 -> {@code aa}, 701 -> {@code zz},
 * 702 -> {@code aaa}.
 */
public final class DeviceNames {
  private DeviceNames() {}

  /** The suffix of {@code index} (0-based). */
  public static String letters(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("negative index " + index);
    }
    StringBuilder sb = new StringBuilder();
    long n = index + 1L;
    while (n > 0) {
      n--;
      sb.append((char) ('a' + (n % 26)));
      n /= 26;
    }
    return sb.reverse().toString();
  }

  /** The index of a suffix of lowercase letters, or -1 if it is not one (or too long). */
  public static int indexOf(String letters) {
    if (letters.isEmpty() || letters.length() > 6) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < letters.length(); i++) {
      char c = letters.charAt(i);
      if (c < 'a' || c > 'z') {
        return -1;
      }
      n = n * 26 + (c - 'a' + 1);
    }
    return (int) (n - 1);
  }
}
