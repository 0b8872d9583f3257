package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;

/**
 * Reservation Register data structure (NVMe Base 2.0): bytes 07:00 Current Reservation Key
 * (CRKEY), bytes 15:08 New Reservation Key (NRKEY).
 *
 * @param crkey current key (ignored by the controller when registering, or with IEKEY)
 * @param nrkey new key (register, replace)
 */
public record ReservationRegisterData(long crkey, long nrkey) {

  /** Size of the data structure. */
  public static final int LENGTH = 16;

  private static final String STRUCTURE = "Reservation Register data structure";

  /** Decodes the 16 bytes at {@code src.position()}. */
  public static ReservationRegisterData decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    int b = src.position();
    return new ReservationRegisterData(Le.i64(src, b), Le.i64(src, b + 8));
  }

  /** Writes 16 bytes at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int b = dst.position();
    Le.put64(dst, b, crkey);
    Le.put64(dst, b + 8, nrkey);
    dst.position(b + LENGTH);
  }

  /** The encoded bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    encode(ByteBuffer.wrap(out));
    return out;
  }
}
