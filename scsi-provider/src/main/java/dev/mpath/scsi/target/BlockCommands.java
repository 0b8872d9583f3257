package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReadWriteCdbFlyweight;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.SynchronizeCacheCdb;
import dev.mpath.scsi.proto.UnmapBlockDescriptor;
import dev.mpath.scsi.proto.UnmapCdb;
import dev.mpath.scsi.proto.UnmapParameterList;
import dev.mpath.store.BackingStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SBC-3 commands of one {@link LogicalUnit} (READ CAPACITY, READ/WRITE, SYNCHRONIZE
 * CACHE, UNMAP) on its medium, within the limits its Block Limits VPD page advertises.
 *
 * <p>Not thread-safe: called under the logical unit's command lock, one command at a time.
 */
final class BlockCommands {
  private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);
  /** Largest UNMAP block descriptor count (Block Limits VPD). */
  static final int MAX_UNMAP_DESCRIPTORS = 256;

  private final String owner; // the target's name, for the log
  private final int lun;
  private final long blocks;
  private final int blockSize;
  private final BackingStore store;
  private final long maxTransferBlocks;
  private final long maxUnmapBlocks;
  /** The READ/WRITE CDB of the command being processed. */
  private final ReadWriteCdbFlyweight rwCdb = new ReadWriteCdbFlyweight();

  BlockCommands(String owner, int lun, long blocks, int blockSize, BackingStore store,
      long maxTransferBlocks, long maxUnmapBlocks) {
    this.owner = owner;
    this.lun = lun;
    this.blocks = blocks;
    this.blockSize = blockSize;
    this.store = store;
    this.maxTransferBlocks = maxTransferBlocks;
    this.maxUnmapBlocks = maxUnmapBlocks;
  }

  /** READ/WRITE (6/10/12/16), the I/O path: the CDB read in place, nothing allocated. */
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
    return readWrite(c, rw);
  }

  ScsiResponse readCapacity10(Command c) throws CommandFailure {
    byte[] cdb = c.cdb;
    boolean pmi = (cdb[8] & 0x01) != 0;
    boolean lbaSet = cdb[2] != 0 || cdb[3] != 0 || cdb[4] != 0 || cdb[5] != 0;
    if (!pmi && lbaSet) {
      throw CommandFailure.invalidCdbField(2, -1);
    }
    long last = blocks - 1;
    byte[] d = ByteBuffer.allocate(8)
        .putInt((int) Math.min(last, 0xFFFF_FFFFL)).putInt(blockSize).array();
    return Transfers.dataIn(c, d, d.length);
  }

  ScsiResponse readCapacity16(Command c, ReadCapacity16Cdb rc) throws CommandFailure {
    if (!rc.pmi() && rc.lba() != 0) {
      throw CommandFailure.invalidCdbField(2, -1);
    }
    byte[] d = ReadCapacity16Data.of(blocks, blockSize, true).encode();
    return Transfers.dataIn(c, d, rc.allocationLength());
  }

  private void checkRange(long lba, long count) throws CommandFailure {
    if (Long.compareUnsigned(lba, blocks) > 0 || count > blocks - lba) {
      throw CommandFailure.illegal(Asc.LBA_OUT_OF_RANGE);
    }
  }

  private ScsiResponse readWrite(Command c, ReadWriteCdbFlyweight rw) throws CommandFailure {
    if (rw.protect() != 0) {
      throw CommandFailure.invalidCdbField(1, 7); // no protection information
    }
    long count = rw.transferLength();
    checkRange(rw.lba(), count);
    if (count > maxTransferBlocks) {
      throw CommandFailure.invalidCdbField(rw.transferLengthOffset(), -1);
    }
    long wanted = count * blockSize;
    int expected = Math.max(0, c.dataLength);
    long offset = rw.lba() * blockSize;
    int move;
    Faults.Partial partial = null;
    if (rw.isWrite()) {
      // RFC 7143 11.4.5.1: no more than the expected length is written, and no more than the
      // CDB asks for; what the data length lacks (overflow) or leaves over (underflow) is the
      // residual. Only whole blocks can be written: a length that cuts one is refused, with
      // the overflow still reported.
      long take = Math.min(wanted, expected);
      if (take % blockSize != 0 || c.data.remaining() < take) {
        return CommandFailure.response(ScsiStatus.CHECK_CONDITION.code(),
            SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT),
            0, residual(wanted, expected, 0));
      }
      move = (int) take;
      if (move > 0) {
        partial = c.faults().takePartial();
        move = partial == null ? move : partialBytes(move, partial.percent());
      }
      if (move > 0) {
        ByteBuffer src = c.data;
        src.limit(src.position() + move);
        try {
          store.write(offset, src);
          if (rw.fua()) {
            store.flush();
          }
        } catch (IOException e) {
          LOG.warn("{}: LUN {} write at LBA {} failed", owner, lun, rw.lba(), e);
          throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
        }
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
        try {
          store.read(offset, dst);
        } catch (IOException e) {
          LOG.warn("{}: LUN {} read at LBA {} failed", owner, lun, rw.lba(), e);
          throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.UNRECOVERED_READ_ERROR);
        }
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

  /**
   * The residual (RFC 7143 11.4.5.1): an overflow (negative) when the CDB wants more than the
   * expected length, else the expected bytes not moved (an underflow).
   */
  private static int residual(long wanted, int expected, int moved) {
    return wanted > expected ? (int) Math.max(Integer.MIN_VALUE, expected - wanted)
        : expected - moved;
  }

  private int partialBytes(int bytes, int percent) {
    long part = (long) bytes * percent / 100;
    return (int) (part - part % blockSize);
  }

  ScsiResponse synchronizeCache(Command c, SynchronizeCacheCdb sc) throws CommandFailure {
    long count = sc.numberOfBlocks();
    checkRange(sc.lba(), count);
    try {
      store.flush();
    } catch (IOException e) {
      LOG.warn("{}: LUN {} flush failed", owner, lun, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
    }
    return Transfers.consumed(c, 0);
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
      checkRange(x.lba(), x.numberOfBlocks());
      off += UnmapBlockDescriptor.LENGTH;
    }
    try {
      for (UnmapBlockDescriptor x : list.descriptors()) {
        if (x.numberOfBlocks() > 0) {
          store.discard(x.lba() * blockSize, x.numberOfBlocks() * blockSize);
        }
      }
    } catch (IOException e) {
      LOG.warn("{}: LUN {} unmap failed", owner, lun, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
    }
    return Transfers.consumed(c, d.length);
  }
}
