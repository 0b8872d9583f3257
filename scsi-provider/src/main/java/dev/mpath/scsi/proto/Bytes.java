package dev.mpath.scsi.proto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Big-endian field access and the length checks every decoder in this package uses. */
final class Bytes {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Bytes() {}

  /** Caller's slice must lie inside the array (a programming error otherwise). */
  static void checkSlice(byte[] b, int off, int len) {
    Objects.requireNonNull(b, "buffer");
    Objects.checkFromIndexSize(off, len, b.length);
  }

  /** Throws {@link ScsiProtocolException} when fewer than {@code needed} bytes are available. */
  static void need(String what, long needed, long available) {
    if (available < needed) {
      throw ScsiProtocolException.tooShort(what, needed, available);
    }
  }

  /**
   * Checks a self-described length: {@code required} total bytes must not exceed {@code max}
   * (plain protocol error) and must be present (truncation).
   */
  static void needDeclared(String what, long required, long available, long max) {
    if (required > max) {
      throw new ScsiProtocolException(what + ": length field claims " + required
          + " bytes, more than the maximum " + max, required, available);
    }
    if (available < required) {
      throw new TruncatedDataException(what, required, available);
    }
  }

  static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
  }

  static int u24(byte[] b, int i) {
    return (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF);
  }

  static long u32(byte[] b, int i) {
    return ((long) u16(b, i) << 16) | u16(b, i + 2);
  }

  static long u64(byte[] b, int i) {
    return (u32(b, i) << 32) | u32(b, i + 4);
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static void put24(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 16);
    b[i + 1] = (byte) (v >>> 8);
    b[i + 2] = (byte) v;
  }

  static void put32(byte[] b, int i, long v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  static void put64(byte[] b, int i, long v) {
    put32(b, i, v >>> 32);
    put32(b, i + 4, v);
  }

  static byte[] copy(byte[] b, int off, int len) {
    byte[] out = new byte[len];
    System.arraycopy(b, off, out, 0, len);
    return out;
  }

  static String hex(byte[] b) {
    return hex(b, 0, b.length);
  }

  static String hex(byte[] b, int off, int len) {
    char[] out = new char[len * 2];
    for (int i = 0; i < len; i++) {
      int v = b[off + i] & 0xFF;
      out[2 * i] = HEX[v >>> 4];
      out[2 * i + 1] = HEX[v & 0xF];
    }
    return new String(out);
  }

  /**
   * An ASCII field as SPC-4 4.3.1 pads it (left-aligned, space filled): bytes taken one to one
   * (ISO-8859-1, so nothing is lost), trailing spaces and NULs removed.
   */
  static String asciiField(byte[] b, int off, int len) {
    int end = off + len;
    while (end > off && (b[end - 1] == ' ' || b[end - 1] == 0)) {
      end--;
    }
    return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code s} left-aligned and space padded into a {@code len}-byte ASCII field. */
  static void putAsciiField(byte[] b, int off, int len, String s, String field) {
    byte[] a = printableAscii(s, field);
    if (a.length > len) {
      throw new IllegalArgumentException(field + " longer than " + len + " bytes: " + s);
    }
    System.arraycopy(a, 0, b, off, a.length);
    for (int i = a.length; i < len; i++) {
      b[off + i] = ' ';
    }
  }

  /** {@code s} as bytes, refusing anything outside printable ASCII 20h..7Eh (SPC-4 4.3.1). */
  static byte[] printableAscii(String s, String field) {
    Objects.requireNonNull(s, field);
    byte[] a = new byte[s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(field + " must be printable ASCII: " + s);
      }
      a[i] = (byte) c;
    }
    return a;
  }

  static void checkRange(String field, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          field + " out of range [" + min + ", " + max + "]: " + v);
    }
  }

  /** Unsigned 32-bit range check for values held in a long. */
  static void checkU32(String field, long v) {
    checkRange(field, v, 0, 0xFFFF_FFFFL);
  }

  static String hex2(int v) {
    return String.format("%02Xh", v);
  }

  /** Checks slice, minimum length and opcode for a fixed-length CDB decoder. */
  static void checkCdb(byte[] b, int off, int len, int cdbLength, String name, int... ops) {
    checkSlice(b, off, len);
    if (len < cdbLength) { // the message is built only on failure: decoders run per command
      throw ScsiProtocolException.tooShort(name + " CDB", cdbLength, len);
    }
    int op = u8(b, off);
    for (int o : ops) {
      if (o == op) {
        return;
      }
    }
    throw new ScsiProtocolException("not a " + name + " CDB: OPERATION CODE " + hex2(op));
  }

  /** CONTROL byte range check for encoders. */
  static void checkControl(int control) {
    checkRange("CONTROL", control, 0, 0xFF);
  }
}
