package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.Cdb;
import dev.mpath.scsi.proto.PreFetchCdb;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReadWriteCdbFlyweight;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.SynchronizeCacheCdb;
import java.nio.ByteBuffer;

/**
 * The SBC-3 transfer commands of one {@link LogicalUnit} (READ CAPACITY, READ/WRITE,
 * ORWRITE, the write half of WRITE AND VERIFY, SYNCHRONIZE CACHE, PRE-FETCH) on its medium,
 * within the limits its Block Limits VPD page advertises.
 *
 * <p>Not thread-safe: called under the logical unit's command lock, one command at a time.
 */
final class BlockCommands {
  /** {@link #transfer} modes. */
  static final int READ = 0;
  static final int WRITE = 1;
  /** ORWRITE (16) (SBC-3 5.5): the Data-Out is ORed into the blocks. */
  static final int ORWRITE = 2;
  /** {@link #transfer} verify after write: none, a medium read back, a byte compare. */
  static final int NO_VERIFY = -1;
  static final int VERIFY_MEDIUM = 0;
  static final int VERIFY_BYTES = 1;

  private final Medium medium;
  private final long maxTransferBlocks;
  /** The READ/WRITE CDB of the command being processed. */
  private final ReadWriteCdbFlyweight rwCdb = new ReadWriteCdbFlyweight();

  BlockCommands(Medium medium, long maxTransferBlocks) {
    this.medium = medium;
    this.maxTransferBlocks = maxTransferBlocks;
  }

  /** READ/WRITE (6/10/12/16) and ORWRITE (16): the CDB read in place, nothing allocated. */
  ScsiResponse readWrite(Command c) throws CommandFailure {
    byte[] cdb = c.cdb;
    ReadWriteCdbFlyweight rw;
    try {
      rw = rwCdb.wrap(cdb, 0, cdb.length);
    } catch (ScsiProtocolException e) {
      throw CommandFailure.illegal(Asc.INVALID_FIELD_IN_CDB);
    }
    if ((rw.control() & Cdb.CONTROL_NACA) != 0) {
      throw CommandFailure.invalidCdbField(rw.length() - 1, 2); // NORMACA = 0
    }
    if (rw.protect() != 0) {
      throw CommandFailure.invalidCdbField(1, 7); // no protection information
    }
    int mode = rw.isOrWrite() ? ORWRITE : rw.isWrite() ? WRITE : READ;
    return transfer(c, mode, rw.lba(), rw.transferLength(), rw.transferLengthOffset(), rw.fua(),
        NO_VERIFY);
  }

  ScsiResponse readCapacity10(Command c) throws CommandFailure {
    byte[] cdb = c.cdb;
    boolean pmi = (cdb[8] & 0x01) != 0;
    boolean lbaSet = cdb[2] != 0 || cdb[3] != 0 || cdb[4] != 0 || cdb[5] != 0;
    if (!pmi && lbaSet) {
      throw CommandFailure.invalidCdbField(2, -1);
    }
    long last = medium.blocks - 1;
    byte[] d = ByteBuffer.allocate(8)
        .putInt((int) Math.min(last, 0xFFFF_FFFFL)).putInt(medium.blockSize).array();
    return Transfers.dataIn(c, d, d.length);
  }

  ScsiResponse readCapacity16(Command c, ReadCapacity16Cdb rc) throws CommandFailure {
    if (!rc.pmi() && rc.lba() != 0) {
      throw CommandFailure.invalidCdbField(2, -1);
    }
    byte[] d = ReadCapacity16Data.of(medium.blocks, medium.blockSize, true).encode();
    return Transfers.dataIn(c, d, rc.allocationLength());
  }

  /**
   * Moves {@code count} blocks at {@code lba} between the command's buffer and the medium.
   *
   * @param mode         {@link #READ}, {@link #WRITE} or {@link #ORWRITE}
   * @param lengthOffset where the CDB's length field starts (for the sense field pointer)
   * @param verify       after a write: {@link #NO_VERIFY}, {@link #VERIFY_MEDIUM} (read back)
   *                     or {@link #VERIFY_BYTES} (read back and compare, MISCOMPARE on a
   *                     difference, INFORMATION = offset of the first differing byte)
   */
  ScsiResponse transfer(Command c, int mode, long lba, long count, int lengthOffset, boolean fua,
      int verify) throws CommandFailure {
    medium.checkRange(lba, count);
    if (count > maxTransferBlocks) {
      throw CommandFailure.invalidCdbField(lengthOffset, -1);
    }
    int blockSize = medium.blockSize;
    long wanted = count * blockSize;
    int expected = Math.max(0, c.dataLength);
    int move;
    Faults.Partial partial = null;
    if (mode != READ) {
      // RFC 7143 11.4.5.1: no more than the expected length is written, and no more than the
      // CDB asks for; what the data length lacks (overflow) or leaves over (underflow) is the
      // residual. Only whole blocks can be written: a length that cuts one is refused, with
      // the overflow still reported.
      long take = Math.min(wanted, expected);
      if (take % blockSize != 0 || c.data.remaining() < take) {
        return Transfers.unusableDataOut(c, wanted);
      }
      move = (int) take;
      if (move > 0) {
        partial = c.faults().takePartial();
        move = partial == null ? move : partialBytes(move, partial.percent());
      }
      if (move > 0) {
        write(c.data, mode, lba, move, fua, verify);
      }
    } else {
      move = (int) Math.min(wanted, c.available());
      if (move > 0) {
        partial = c.faults().takePartial();
        move = partial == null ? move : partialBytes(move, partial.percent());
      }
      if (move > 0) {
        ByteBuffer dst = c.data;
        dst.limit(dst.position() + move);
        medium.read(lba, dst);
      }
    }
    if (partial != null) {
      if (partial.checkCondition()) {
        return ScsiResponse.checkCondition(
            SenseData.of(SenseKey.ABORTED_COMMAND, Asc.SCSI_PARITY_ERROR), move, expected - move);
      }
      return ScsiResponse.good(move, expected - move);
    }
    return ScsiResponse.good(move, residual(wanted, expected, move));
  }

  private void write(ByteBuffer src, int mode, long lba, int bytes, boolean fua, int verify)
      throws CommandFailure {
    int start = src.position();
    src.limit(start + bytes);
    if (mode == ORWRITE) {
      byte[] merged = new byte[bytes];
      medium.read(lba, ByteBuffer.wrap(merged));
      for (int i = 0; i < bytes; i++) {
        merged[i] |= src.get(start + i);
      }
      medium.write(lba, ByteBuffer.wrap(merged), fua);
      src.position(start + bytes);
    } else {
      medium.write(lba, src, fua);
    }
    if (verify != NO_VERIFY) {
      byte[] back = new byte[bytes];
      medium.read(lba, ByteBuffer.wrap(back)); // the verify: the medium reads back
      if (verify == VERIFY_BYTES) {
        int at = Compare.firstDifference(src, start, back, 0, bytes);
        if (at >= 0) {
          throw Compare.miscompare(at);
        }
      }
    }
  }

  /**
   * The residual (RFC 7143 11.4.5.1): an overflow (negative) when the CDB wants more than the
   * expected length, else the expected bytes not moved (an underflow).
   */
  static int residual(long wanted, int expected, int moved) {
    return wanted > expected ? (int) Math.max(Integer.MIN_VALUE, expected - wanted)
        : expected - moved;
  }

  private int partialBytes(int bytes, int percent) {
    long part = (long) bytes * percent / 100;
    return (int) (part - part % medium.blockSize);
  }

  ScsiResponse synchronizeCache(Command c, SynchronizeCacheCdb sc) throws CommandFailure {
    medium.checkRange(sc.lba(), sc.numberOfBlocks());
    medium.flush();
    return Transfers.consumed(c, 0);
  }

  /**
   * PRE-FETCH (10)/(16) (SBC-3 5.6, 5.7): the range is checked; the medium is memory or the
   * host's page cache, so there is no cache of ours to load and the status is GOOD (the one
   * SBC-3 gives when the blocks were not all placed in a cache), never CONDITION MET.
   */
  ScsiResponse preFetch(Command c, PreFetchCdb p) throws CommandFailure {
    medium.checkRange(p.lba(), p.prefetchLength());
    return Transfers.consumed(c, 0);
  }
}
