package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;

/**
 * Reservation Release data structure (NVMe Base 2.0): bytes 07:00 Current Reservation Key
 * (CRKEY).
 *
 * @param crkey the caller's registered key
 */
public record ReservationReleaseData(long crkey) {

  /** Size of the data structure. */
  public static final int LENGTH = 8;

  private static final String STRUCTURE = "Reservation Release data structure";

  /** Decodes the 8 bytes at {@code src.position()}. */
  public static ReservationReleaseData decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    return new ReservationReleaseData(Le.i64(src, src.position()));
  }

  /** Writes 8 bytes at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int b = dst.position();
    Le.put64(dst, b, crkey);
    dst.position(b + LENGTH);
  }

  /** The encoded bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    encode(ByteBuffer.wrap(out));
    return out;
  }
}
