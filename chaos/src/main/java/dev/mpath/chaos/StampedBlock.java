package dev.mpath.chaos;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The content the verifier writes: every logical block carries its own identity, so a read
 * tells which write it shows, and whether it is whole.
 *
 * <pre>
 *   bytes 0-7    LBA the block was written to (big-endian)
 *   bytes 8-15   generation: the write's number for this LBA, from 1 (0: never written)
 *   bytes 16-19  writer: the stream that wrote it
 *   bytes 20..   payload: a function of (LBA, generation, writer)
 *   last 4       CRC32C of everything before it
 * </pre>
 *
 * A block of all zeros is an LBA never written. Stateless; the methods are thread-safe.
 */
public final class StampedBlock {
  static final int LBA_OFFSET = 0;
  static final int GENERATION_OFFSET = 8;
  static final int WRITER_OFFSET = 16;
  static final int PAYLOAD_OFFSET = 20;
  /** The smallest block that holds the stamp and its CRC. */
  public static final int MIN_BLOCK_SIZE = PAYLOAD_OFFSET + 4;

  private StampedBlock() {}

  /** Fills {@code blockSize} bytes at {@code at} of {@code b} (absolute; position untouched). */
  public static void write(ByteBuffer b, int at, int blockSize, long lba, long generation,
      int writer) {
    if (blockSize < MIN_BLOCK_SIZE) {
      throw new IllegalArgumentException("block size " + blockSize + " below " + MIN_BLOCK_SIZE);
    }
    b.putLong(at + LBA_OFFSET, lba);
    b.putLong(at + GENERATION_OFFSET, generation);
    b.putInt(at + WRITER_OFFSET, writer);
    long x = lba * 0x9E3779B97F4A7C15L ^ generation * 0xC2B2AE3D27D4EB4FL ^ writer;
    int end = at + blockSize - 4;
    for (int i = at + PAYLOAD_OFFSET; i < end; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      b.put(i, (byte) x);
    }
    b.putInt(end, crc(b, at, blockSize - 4));
  }

  private static int crc(ByteBuffer b, int at, int len) {
    CRC32C c = new CRC32C();
    ByteBuffer d = b.duplicate();
    d.limit(at + len).position(at);
    c.update(d);
    return (int) c.getValue();
  }

  /** What a block read back shows. */
  public record Seen(long lba, long generation, int writer) {
    /** A block never written (all zeros). */
    public boolean blank() {
      return generation == 0 && lba == 0 && writer == 0;
    }
  }

  /**
   * Decodes the block at {@code at}: its stamp, or null when it is neither blank nor whole
   * (its CRC32C disagrees: torn or corrupt).
   */
  public static Seen read(ByteBuffer b, int at, int blockSize) {
    boolean zero = true;
    for (int i = at; i < at + blockSize; i++) {
      if (b.get(i) != 0) {
        zero = false;
        break;
      }
    }
    if (zero) {
      return new Seen(0, 0, 0);
    }
    if (b.getInt(at + blockSize - 4) != crc(b, at, blockSize - 4)) {
      return null;
    }
    return new Seen(b.getLong(at + LBA_OFFSET), b.getLong(at + GENERATION_OFFSET),
        b.getInt(at + WRITER_OFFSET));
  }
}
