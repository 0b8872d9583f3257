package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;

/**
 * Reservation Acquire data structure (NVMe Base 2.0): bytes 07:00 Current Reservation Key
 * (CRKEY), bytes 15:08 Preempt Reservation Key (PRKEY).
 *
 * @param crkey the caller's registered key
 * @param prkey the key to preempt (preempt actions)
 */
public record ReservationAcquireData(long crkey, long prkey) {

  /** Size of the data structure. */
  public static final int LENGTH = 16;

  private static final String STRUCTURE = "Reservation Acquire data structure";

  /** Decodes the 16 bytes at {@code src.position()}. */
  public static ReservationAcquireData decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    int b = src.position();
    return new ReservationAcquireData(Le.i64(src, b), Le.i64(src, b + 8));
  }

  /** Writes 16 bytes at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int b = dst.position();
    Le.put64(dst, b, crkey);
    Le.put64(dst, b + 8, prkey);
    dst.position(b + LENGTH);
  }

  /** The encoded bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    encode(ByteBuffer.wrap(out));
    return out;
  }
}
