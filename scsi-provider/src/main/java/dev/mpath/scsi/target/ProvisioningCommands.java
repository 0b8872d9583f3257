package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.GetLbaStatusCdb;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.UnmapBlockDescriptor;
import dev.mpath.scsi.proto.UnmapCdb;
import dev.mpath.scsi.proto.UnmapParameterList;
import dev.mpath.scsi.proto.WriteSameCdb;
import java.nio.ByteBuffer;

/**
 * The logical block provisioning commands of one {@link LogicalUnit} (SBC-3 4.7): UNMAP,
 * WRITE SAME (10)/(16) with UNMAP, ANCHOR and NDOB, and GET LBA STATUS, within the limits of
 * its Block Limits page. The LU is thin provisioned with LBPRZ = 1: an unmapped block reads
 * as zeros, so unmapping is how a block of zeros is written when the UNMAP bit asks for it.
 *
 * <p>Not thread-safe: called under the logical unit's command lock, one command at a time.
 */
final class ProvisioningCommands {
  /** Largest UNMAP block descriptor count (Block Limits VPD). */
  static final int MAX_UNMAP_DESCRIPTORS = 256;
  /** GET LBA STATUS: parameter data header and descriptor lengths (SBC-3 5.16.2). */
  static final int LBA_STATUS_HEADER = 8;
  static final int LBA_STATUS_DESCRIPTOR = 16;
  /** PROVISIONING STATUS (SBC-3 table 48): mapped, deallocated. */
  static final int MAPPED = 0;
  static final int DEALLOCATED = 1;
  /** Mapping units one GET LBA STATUS looks at, at most (the rest is the next command's). */
  private static final long MAX_UNITS_PER_STATUS = 1 << 16;
  /** Bytes written per store call when a block is repeated. */
  private static final int PATTERN_BYTES = 64 * 1024;

  private final Medium medium;
  private final long maxUnmapBlocks;
  private final long maxWriteSameBlocks;

  ProvisioningCommands(Medium medium, long maxUnmapBlocks, long maxWriteSameBlocks) {
    this.medium = medium;
    this.maxUnmapBlocks = maxUnmapBlocks;
    this.maxWriteSameBlocks = maxWriteSameBlocks;
  }

  ScsiResponse unmap(Command c, UnmapCdb u) throws CommandFailure {
    if (u.anchor()) {
      throw CommandFailure.invalidCdbField(1, 0); // ANC_SUP = 0
    }
    int length = u.parameterListLength();
    if (length == 0) {
      return Transfers.consumed(c, 0);
    }
    if (length < UnmapParameterList.HEADER_LENGTH) {
      throw CommandFailure.parameterListLength();
    }
    byte[] d = Transfers.dataOut(c, length);
    if (d.length < length) {
      throw CommandFailure.parameterListLength();
    }
    UnmapParameterList list;
    try {
      list = UnmapParameterList.decode(d);
    } catch (ScsiProtocolException e) {
      throw CommandFailure.invalidParameterField(2, -1);
    }
    if (list.descriptors().size() > MAX_UNMAP_DESCRIPTORS) {
      throw CommandFailure.invalidParameterField(2, -1);
    }
    int off = UnmapParameterList.HEADER_LENGTH;
    for (UnmapBlockDescriptor x : list.descriptors()) {
      if (x.numberOfBlocks() > maxUnmapBlocks) {
        throw CommandFailure.invalidParameterField(off + 8, -1);
      }
      medium.checkRange(x.lba(), x.numberOfBlocks());
      off += UnmapBlockDescriptor.LENGTH;
    }
    for (UnmapBlockDescriptor x : list.descriptors()) {
      if (x.numberOfBlocks() > 0) {
        medium.clear(x.lba(), x.numberOfBlocks(), true);
      }
    }
    return Transfers.consumed(c, d.length);
  }

  /**
   * WRITE SAME (SBC-3 5.41, 5.42): one block of Data-Out (zeros with NDOB) to every block of
   * the range; NUMBER OF LOGICAL BLOCKS 0 runs to the end of the medium (WSNZ = 0). With UNMAP
   * a block of zeros is written by unmapping (LBPRZ = 1); other data is written. ANCHOR needs
   * UNMAP and is not supported (ANC_SUP = 0).
   */
  ScsiResponse writeSame(Command c, WriteSameCdb w) throws CommandFailure {
    if (w.wrprotect() != 0) {
      throw CommandFailure.invalidCdbField(1, 7);
    }
    if (w.anchor()) {
      throw CommandFailure.invalidCdbField(1, 4); // no ANCHOR without UNMAP, and ANC_SUP = 0
    }
    long count = medium.toEndIfZero(w.lba(), w.numberOfBlocks());
    if (count > maxWriteSameBlocks) {
      throw CommandFailure.invalidCdbField(w.lengthOffset(), -1);
    }
    int blockSize = medium.blockSize;
    byte[] block = new byte[blockSize];
    int moved = 0;
    int expected = Math.max(0, c.dataLength);
    if (!w.ndob()) {
      if (expected < blockSize || c.data.remaining() < blockSize) {
        return Transfers.unusableDataOut(c, blockSize);
      }
      c.data.get(block);
      moved = blockSize;
    }
    if (count > 0) {
      writeSame(w.lba(), count, block, w.unmap());
    }
    return ScsiResponse.good(moved, expected - moved);
  }

  /** Writes {@code block} to {@code count} blocks from {@code lba} (range checked). */
  void writeSame(long lba, long count, byte[] block, boolean unmap) throws CommandFailure {
    if (isZero(block)) {
      medium.clear(lba, count, unmap);
      return;
    }
    int blockSize = block.length;
    int perCall = Math.max(1, PATTERN_BYTES / blockSize);
    int n = (int) Math.min(count, perCall);
    ByteBuffer pattern = ByteBuffer.allocate(n * blockSize);
    for (int i = 0; i < n; i++) {
      pattern.put(block);
    }
    for (long done = 0; done < count; done += perCall) {
      int k = (int) Math.min(perCall, count - done);
      pattern.clear().limit(k * blockSize);
      medium.write(lba + done, pattern, false);
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * GET LBA STATUS (SBC-3 5.16): LBA status descriptors from STARTING LOGICAL BLOCK ADDRESS,
   * each an extent of blocks that are all mapped or all deallocated, as many as the
   * allocation length holds.
   */
  ScsiResponse getLbaStatus(Command c, GetLbaStatusCdb g) throws CommandFailure {
    long start = g.startingLba();
    if (Long.compareUnsigned(start, medium.blocks) >= 0) {
      throw CommandFailure.illegal(Asc.LBA_OUT_OF_RANGE);
    }
    long room = Math.max(0, g.allocationLength() - LBA_STATUS_HEADER) / LBA_STATUS_DESCRIPTOR;
    int descriptors = (int) Math.max(1, Math.min(room, 64));
    ByteBuffer out = ByteBuffer.allocate(LBA_STATUS_HEADER + descriptors * LBA_STATUS_DESCRIPTOR);
    out.position(LBA_STATUS_HEADER);
    long unit = medium.mappingGranularityBlocks();
    long lba = start;
    long unitsLeft = MAX_UNITS_PER_STATUS;
    while (out.remaining() >= LBA_STATUS_DESCRIPTOR && lba < medium.blocks && unitsLeft > 0) {
      boolean mapped = medium.mapped(lba);
      long end = Math.min(medium.blocks, (lba / unit + 1) * unit);
      unitsLeft--;
      while (end < medium.blocks && unitsLeft > 0 && medium.mapped(end) == mapped
          && end - lba < 0xFFFF_FFFFL - unit) {
        end = Math.min(medium.blocks, end + unit);
        unitsLeft--;
      }
      out.putLong(lba).putInt((int) (end - lba)).put((byte) (mapped ? MAPPED : DEALLOCATED))
          .put(new byte[3]);
      lba = end;
    }
    int length = out.position();
    out.putInt(0, length - 4); // PARAMETER DATA LENGTH: the bytes that follow it
    byte[] data = new byte[length];
    out.flip();
    out.get(data);
    return Transfers.dataIn(c, data, g.allocationLength());
  }
}
