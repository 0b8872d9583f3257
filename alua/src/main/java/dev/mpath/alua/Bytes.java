package dev.mpath.alua;

/** Big-endian field access for SCSI data (SPC-4 3.5.1: multi-byte fields are big-endian). */
final class Bytes {
  private Bytes() {}

  static int u8(byte[] b, int off) {
    return b[off] & 0xFF;
  }

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }

  static long u32(byte[] b, int off) {
    return ((long) (b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  static void putU16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  static void putU32(byte[] b, int off, long v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static void checkU16(String what, int v) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException(what + " out of range 0..65535: " + v);
    }
  }

  static void checkU32(String what, long v) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(what + " out of range 0..2^32-1: " + v);
    }
  }
}
