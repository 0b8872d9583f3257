package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.CompareAndWriteCdb;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.VerifyCdb;
import java.nio.ByteBuffer;

/**
 * The compare commands of one {@link LogicalUnit}: VERIFY (10/12/16), WRITE AND VERIFY
 * (10/12/16) and COMPARE AND WRITE (SBC-3 5.24-5.26, 5.36-5.38, 5.2).
 *
 * <p>COMPARE AND WRITE is atomic against every other command on every port: the logical unit
 * runs one command at a time, so no write lands between the compare and the write.
 *
 * <p>Not thread-safe: called under the logical unit's command lock, one command at a time.
 */
final class VerifyCommands {
  /** BYTCHK (SBC-4): no Data-Out, the medium is read. */
  static final int BYTCHK_MEDIUM = 0;
  /** BYTCHK: the Data-Out holds every block. */
  static final int BYTCHK_ALL = 1;
  /** BYTCHK 11b: the Data-Out holds one block, for each block of the range. */
  static final int BYTCHK_ONE = 3;
  /** Blocks read per step when the medium alone is verified. */
  private static final int VERIFY_CHUNK = 64 * 1024;

  private final Medium medium;
  private final BlockCommands sbc;
  private final ProvisioningCommands provisioning;
  private final long maxTransferBlocks;
  private final int maxCompareAndWriteBlocks;

  VerifyCommands(Medium medium, BlockCommands sbc, ProvisioningCommands provisioning,
      long maxTransferBlocks, int maxCompareAndWriteBlocks) {
    this.medium = medium;
    this.sbc = sbc;
    this.provisioning = provisioning;
    this.maxTransferBlocks = maxTransferBlocks;
    this.maxCompareAndWriteBlocks = maxCompareAndWriteBlocks;
  }

  /** VERIFY or WRITE AND VERIFY, any size. */
  ScsiResponse verify(Command c, VerifyCdb v) throws CommandFailure {
    if (v.protect() != 0) {
      throw CommandFailure.invalidCdbField(1, 7); // no protection information
    }
    int bytchk = v.bytchk();
    if (bytchk == 2) {
      throw CommandFailure.invalidCdbField(1, 2); // BYTCHK 10b is reserved
    }
    if (v.writes()) {
      if (bytchk == BYTCHK_ONE) {
        return writeOneAndVerify(c, v);
      }
      return sbc.transfer(c, BlockCommands.WRITE, v.lba(), v.transferLength(), v.lengthOffset(),
          false, bytchk == BYTCHK_ALL ? BlockCommands.VERIFY_BYTES : BlockCommands.VERIFY_MEDIUM);
    }
    long lba = v.lba();
    long count = v.transferLength();
    medium.checkRange(lba, count);
    if (count > maxTransferBlocks) {
      throw CommandFailure.invalidCdbField(v.lengthOffset(), -1);
    }
    if (bytchk == BYTCHK_MEDIUM) {
      readMedium(lba, count);
      return Transfers.consumed(c, 0);
    }
    int blockSize = medium.blockSize;
    long wanted = bytchk == BYTCHK_ALL ? count * blockSize : count == 0 ? 0 : blockSize;
    int moved = takeDataOut(c, wanted);
    if (moved < 0) {
      return Transfers.unusableDataOut(c, wanted);
    }
    ByteBuffer data = c.data;
    int start = data.position();
    byte[] block = new byte[blockSize];
    for (long i = 0; i < count; i++) {
      medium.read(lba + i, ByteBuffer.wrap(block));
      int from = bytchk == BYTCHK_ALL ? (int) (i * blockSize) : 0;
      int at = Compare.firstDifference(data, start + from, block, 0, blockSize);
      if (at >= 0) {
        throw Compare.miscompare(from + at);
      }
    }
    data.position(start + moved);
    return ScsiResponse.good(moved, BlockCommands.residual(wanted, Math.max(0, c.dataLength),
        moved));
  }

  /** WRITE AND VERIFY with BYTCHK 11b: the one block is written to each LBA, then compared. */
  private ScsiResponse writeOneAndVerify(Command c, VerifyCdb v) throws CommandFailure {
    long lba = v.lba();
    long count = v.transferLength();
    medium.checkRange(lba, count);
    if (count > maxTransferBlocks) {
      throw CommandFailure.invalidCdbField(v.lengthOffset(), -1);
    }
    long wanted = count == 0 ? 0 : medium.blockSize;
    int moved = takeDataOut(c, wanted);
    if (moved < 0) {
      return Transfers.unusableDataOut(c, wanted);
    }
    if (count > 0) {
      byte[] block = new byte[medium.blockSize];
      c.data.get(block);
      provisioning.writeSame(lba, count, block, false);
      byte[] back = new byte[medium.blockSize];
      for (long i = 0; i < count; i++) {
        medium.read(lba + i, ByteBuffer.wrap(back));
        int at = Compare.firstDifference(ByteBuffer.wrap(block), 0, back, 0, back.length);
        if (at >= 0) {
          throw Compare.miscompare(at);
        }
      }
    }
    return ScsiResponse.good(moved, BlockCommands.residual(wanted, Math.max(0, c.dataLength),
        moved));
  }

  /**
   * COMPARE AND WRITE: the first NUMBER OF LOGICAL BLOCKS of the Data-Out are compared with
   * the medium; only when all are equal are the second ones written. On a miscompare nothing
   * is written and INFORMATION holds the offset of the first unequal byte.
   */
  ScsiResponse compareAndWrite(Command c, CompareAndWriteCdb cw) throws CommandFailure {
    if (cw.wrprotect() != 0) {
      throw CommandFailure.invalidCdbField(1, 7);
    }
    int count = cw.numberOfBlocks();
    if (count > maxCompareAndWriteBlocks) {
      throw CommandFailure.invalidCdbField(cw.lengthOffset(), -1);
    }
    medium.checkRange(cw.lba(), count);
    if (count == 0) {
      return Transfers.consumed(c, 0); // SBC-3 5.2: zero blocks is not an error
    }
    int half = count * medium.blockSize;
    long wanted = 2L * half;
    if (c.dataLength != wanted || c.data.remaining() < wanted) {
      // the verify and write halves cannot be told apart in a Data-Out of another length
      return Transfers.unusableDataOut(c, wanted);
    }
    ByteBuffer data = c.data;
    int start = data.position();
    byte[] current = new byte[half];
    medium.read(cw.lba(), ByteBuffer.wrap(current));
    int at = Compare.firstDifference(data, start, current, 0, half);
    if (at >= 0) {
      throw Compare.miscompare(at);
    }
    data.position(start + half).limit(start + 2 * half);
    medium.write(cw.lba(), data, cw.fua());
    return ScsiResponse.good((int) wanted, 0);
  }

  /** A verify of the medium alone: every block is read (and its read errors reported). */
  private void readMedium(long lba, long count) throws CommandFailure {
    int blockSize = medium.blockSize;
    int perStep = Math.max(1, VERIFY_CHUNK / blockSize);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, perStep) * blockSize);
    for (long done = 0; done < count; done += perStep) {
      int n = (int) Math.min(perStep, count - done);
      buf.clear().limit(n * blockSize);
      medium.read(lba + done, buf);
    }
  }

  /**
   * How much Data-Out the command takes: {@code wanted} bytes, or -1 when the expected length
   * or the buffer holds less (a compare needs all of it: refused, the overflow reported).
   */
  private int takeDataOut(Command c, long wanted) {
    long take = Math.min(wanted, Math.max(0, c.dataLength));
    if (take < wanted || c.data.remaining() < take) {
      return -1;
    }
    return (int) take;
  }
}
