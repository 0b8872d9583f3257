package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One Dataset Management range (NVM Command Set 1.0, Dataset Management – Range
 * Definition): bytes 03:00 Context Attributes, 07:04 Length in logical blocks, 15:08
 * Starting LBA.
 *
 * @param contextAttributes context attributes (raw 32 bits)
 * @param lengthInBlocks length in logical blocks, 0..2^32-1
 * @param startingLba starting LBA
 */
public record DsmRange(int contextAttributes, long lengthInBlocks, long startingLba) {

  /** Size of one range. */
  public static final int LENGTH = 16;
  /** Bytes 03:00 Context Attributes. */
  public static final int CONTEXT_ATTRIBUTES_OFFSET = 0;
  /** Bytes 07:04 Length in logical blocks. */
  public static final int LENGTH_OFFSET = 4;
  /** Bytes 15:08 Starting LBA. */
  public static final int SLBA_OFFSET = 8;

  private static final String STRUCTURE = "Dataset Management range";

  /** Validates the length field width. */
  public DsmRange {
    Le.checkRange("range length", lengthInBlocks, 0, 0xFFFF_FFFFL);
  }

  /** Decodes one range at {@code src.position()}. */
  public static DsmRange decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    return read(src, src.position());
  }

  private static DsmRange read(ByteBuffer src, int p) {
    return new DsmRange(
        Le.i32(src, p + CONTEXT_ATTRIBUTES_OFFSET),
        Le.u32(src, p + LENGTH_OFFSET),
        Le.i64(src, p + SLBA_OFFSET));
  }

  /**
   * Decodes {@code count} ranges (the command's NR + 1) from {@code src.position()}.
   *
   * @throws NvmeProtocolException if count is not 1..256 or the ranges do not all fit
   */
  public static List<DsmRange> decodeList(ByteBuffer src, int count)
      throws NvmeProtocolException {
    if (count < 1 || count > DatasetManagementCommand.MAX_RANGES) {
      throw new NvmeProtocolException(STRUCTURE, "range count not 1..256: " + count);
    }
    long need = (long) count * LENGTH;
    if (src.remaining() < need) {
      throw NvmeProtocolException.overrun(STRUCTURE, "NR", count - 1, need, src.remaining());
    }
    List<DsmRange> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(read(src, src.position() + i * LENGTH));
    }
    return out;
  }

  /** Writes 16 bytes at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int p = dst.position();
    Le.put32(dst, p + CONTEXT_ATTRIBUTES_OFFSET, contextAttributes);
    Le.put32(dst, p + LENGTH_OFFSET, (int) lengthInBlocks);
    Le.put64(dst, p + SLBA_OFFSET, startingLba);
    dst.position(p + LENGTH);
  }

  /** Encodes {@code ranges} back to back. */
  public static byte[] toBytes(List<DsmRange> ranges) {
    Le.checkRange("ranges", ranges.size(), 1, DatasetManagementCommand.MAX_RANGES);
    ByteBuffer b = ByteBuffer.allocate(ranges.size() * LENGTH);
    for (DsmRange r : ranges) {
      r.encode(b);
    }
    return b.array();
  }
}
