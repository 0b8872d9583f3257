package dev.mpath.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The medium behind an emulated namespace or logical unit. Byte-addressed; the emulators
 * turn LBAs into offsets and check ranges before they call.
 *
 * <p>Contract: thread-safe; a transfer of at most one chunk-aligned block
 * ({@link #ATOMIC_UNIT} bytes) is atomic with respect to other transfers (no torn blocks
 * for block sizes up to 4 KiB); regions never written, zeroed or discarded read back as
 * zeros (the deterministic-zero behaviour of NVMe DLFEAT 001b and SCSI LBPRZ=1).
 *
 * @see BackingStores
 */
public interface BackingStore extends AutoCloseable {

  /** Largest unit written atomically. */
  int ATOMIC_UNIT = 4096;

  /** Capacity in bytes. */
  long size();

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset}, advancing {@code dst}'s position.
   *
   * @throws IllegalArgumentException if the range is outside the store
   */
  void read(long offset, ByteBuffer dst) throws IOException;

  /**
   * Writes {@code src.remaining()} bytes at {@code offset}, advancing {@code src}'s
   * position.
   *
   * @throws IllegalArgumentException if the range is outside the store
   */
  void write(long offset, ByteBuffer src) throws IOException;

  /** Zeroes {@code length} bytes at {@code offset}. */
  void zero(long offset, long length) throws IOException;

  /** Deallocates {@code length} bytes at {@code offset}; they read back as zeros. */
  void discard(long offset, long length) throws IOException;

  /**
   * Whether the byte at {@code offset} is backed by allocated storage (mapped, SBC-3 4.7.1;
   * NVMe's "allocated"). A store that cannot tell answers true: mapped is always a correct
   * answer for data that reads back as written.
   */
  default boolean isMapped(long offset) {
    return true;
  }

  /**
   * The unit of {@link #isMapped}, in bytes: all bytes of one aligned unit share the answer.
   * The default, a store that cannot tell, is the whole store.
   */
  default long mappingGranularity() {
    return Math.max(1, size());
  }

  /** Makes completed writes durable. */
  void flush() throws IOException;

  @Override
  void close() throws IOException;

  /** Checks that {@code [offset, offset + length)} lies inside a store of {@code size}. */
  static void checkRange(long size, long offset, long length) {
    if (offset < 0 || length < 0 || offset > size - length) {
      throw new IllegalArgumentException(
          "range " + offset + "+" + length + " outside a store of " + size + " bytes");
    }
  }
}
