package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian absolute accessors that honour any buffer order without changing it or
 * allocating, plus the length checks every decoder shares.
 */
final class Le {

  private Le() {}

  private static boolean little(ByteBuffer b) {
    return b.order() == ByteOrder.LITTLE_ENDIAN;
  }

  static int u8(ByteBuffer b, int i) {
    return b.get(i) & 0xFF;
  }

  static int u16(ByteBuffer b, int i) {
    short v = b.getShort(i);
    return (little(b) ? v : Short.reverseBytes(v)) & 0xFFFF;
  }

  static int i32(ByteBuffer b, int i) {
    int v = b.getInt(i);
    return little(b) ? v : Integer.reverseBytes(v);
  }

  static long u32(ByteBuffer b, int i) {
    return i32(b, i) & 0xFFFF_FFFFL;
  }

  static long i64(ByteBuffer b, int i) {
    long v = b.getLong(i);
    return little(b) ? v : Long.reverseBytes(v);
  }

  static void put8(ByteBuffer b, int i, int v) {
    b.put(i, (byte) v);
  }

  static void put16(ByteBuffer b, int i, int v) {
    short s = (short) v;
    b.putShort(i, little(b) ? s : Short.reverseBytes(s));
  }

  static void put32(ByteBuffer b, int i, int v) {
    b.putInt(i, little(b) ? v : Integer.reverseBytes(v));
  }

  static void put64(ByteBuffer b, int i, long v) {
    b.putLong(i, little(b) ? v : Long.reverseBytes(v));
  }

  static void zero(ByteBuffer b, int i, int len) {
    int end = i + len;
    int p = i;
    for (; p + 8 <= end; p += 8) {
      b.putLong(p, 0L);
    }
    for (; p < end; p++) {
      b.put(p, (byte) 0);
    }
  }

  static byte[] bytes(ByteBuffer b, int i, int len) {
    byte[] out = new byte[len];
    b.get(i, out);
    return out;
  }

  static void putBytes(ByteBuffer b, int i, byte[] src) {
    b.put(i, src);
  }

  /** ASCII field, space padded (SN, MN, FR): trailing spaces and NULs are dropped. */
  static String ascii(ByteBuffer b, int i, int len) {
    int end = len;
    while (end > 0) {
      int c = b.get(i + end - 1) & 0xFF;
      if (c != 0x20 && c != 0) {
        break;
      }
      end--;
    }
    byte[] raw = new byte[end];
    b.get(i, raw);
    return new String(raw, StandardCharsets.US_ASCII);
  }

  static void putAscii(ByteBuffer b, int i, int len, String s, String field) {
    if (s.length() > len) {
      throw new IllegalArgumentException(
          field + " is " + s.length() + " characters, the field holds " + len);
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(field + " must be printable ASCII: " + s);
      }
      b.put(i + k, (byte) c);
    }
    for (int k = s.length(); k < len; k++) {
      b.put(i + k, (byte) 0x20);
    }
  }

  /** UTF-8 field, NUL terminated and NUL padded (SUBNQN). */
  static String utf8z(ByteBuffer b, int i, int len) {
    int end = 0;
    while (end < len && b.get(i + end) != 0) {
      end++;
    }
    byte[] raw = new byte[end];
    b.get(i, raw);
    return new String(raw, StandardCharsets.UTF_8);
  }

  static void putUtf8z(ByteBuffer b, int i, int len, String s, String field) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    if (raw.length > len - 1) {
      throw new IllegalArgumentException(
          field + " is " + raw.length + " bytes, the field holds " + (len - 1) + " plus a NUL");
    }
    for (byte c : raw) {
      if (c == 0) {
        throw new IllegalArgumentException(field + " must not contain NUL");
      }
    }
    b.put(i, raw);
    zero(b, i + raw.length, len - raw.length);
  }

  /** Decoder check: the source must hold {@code needed} bytes from its position. */
  static void requireRemaining(ByteBuffer src, long needed, String structure)
      throws NvmeProtocolException {
    if (src.remaining() < needed) {
      throw NvmeProtocolException.tooShort(structure, needed, src.remaining());
    }
  }

  /** Flyweight check: {@code length} bytes must fit between {@code offset} and the limit. */
  static void requireFits(ByteBuffer buffer, int offset, int length, String structure)
      throws NvmeProtocolException {
    if (offset < 0) {
      throw new IndexOutOfBoundsException("negative offset " + offset);
    }
    long have = (long) buffer.limit() - offset;
    if (have < length) {
      throw NvmeProtocolException.tooShort(structure, length, Math.max(0, have));
    }
  }

  /** Encoder check: the destination must have room from its position. */
  static void requireWritable(ByteBuffer dst, long needed, String structure) {
    if (dst.remaining() < needed) {
      throw new IllegalArgumentException(
          structure + ": destination too small: need " + needed + " bytes, have "
              + dst.remaining());
    }
  }

  static void checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " out of range [" + min + ", " + max + "]: " + value);
    }
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }
}
