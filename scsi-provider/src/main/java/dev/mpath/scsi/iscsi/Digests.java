package dev.mpath.scsi.iscsi;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 11.2.3 / 13.1, RFC 3720 Appendix B.4). The
 * digest goes on the wire least significant byte first: 32 zero bytes digest to
 * {@code aa 36 91 8a}.
 */
public final class Digests {
  private Digests() {}

  /** The CRC32C of {@code b[off..off+len)}. */
  public static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  /** Puts {@code crc} into {@code b[off..off+4)} least significant byte first. */
  public static void putWire(byte[] b, int off, int crc) {
    b[off] = (byte) crc;
    b[off + 1] = (byte) (crc >>> 8);
    b[off + 2] = (byte) (crc >>> 16);
    b[off + 3] = (byte) (crc >>> 24);
  }

  /** Reads a wire-order digest. */
  public static int getWire(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
  }

  static int getWire(ByteBuffer b) {
    return (b.get() & 0xFF) | (b.get() & 0xFF) << 8 | (b.get() & 0xFF) << 16 | (b.get() & 0xFF) << 24;
  }

  /** Padding that brings {@code n} to a multiple of 4. */
  public static int pad(int n) {
    return (4 - (n & 3)) & 3;
  }
}
