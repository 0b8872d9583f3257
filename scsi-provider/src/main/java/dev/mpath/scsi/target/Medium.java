package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.store.BackingStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks of one logical unit on its {@link BackingStore}: range checks in logical blocks
 * and transfers whose I/O errors become the sense data SBC-3 gives them (MEDIUM ERROR with
 * UNRECOVERED READ ERROR or WRITE ERROR). Shared by the SBC command classes.
 *
 * <p>Not thread-safe beyond the store's own guarantees: used under the LU's command lock.
 */
final class Medium {
  private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);

  final String owner; // the target's name, for the log
  final int lun;
  final long blocks;
  final int blockSize;
  final BackingStore store;

  Medium(String owner, int lun, long blocks, int blockSize, BackingStore store) {
    this.owner = owner;
    this.lun = lun;
    this.blocks = blocks;
    this.blockSize = blockSize;
    this.store = store;
  }

  /** LOGICAL BLOCK ADDRESS OUT OF RANGE unless {@code [lba, lba + count)} lies on the medium. */
  void checkRange(long lba, long count) throws CommandFailure {
    if (Long.compareUnsigned(lba, blocks) > 0 || count > blocks - lba) {
      throw CommandFailure.illegal(Asc.LBA_OUT_OF_RANGE);
    }
  }

  /**
   * A length of zero meaning "to the last block" (WRITE SAME, PRE-FETCH, SYNCHRONIZE CACHE):
   * the blocks from {@code lba} to the end, after the range check.
   */
  long toEndIfZero(long lba, long count) throws CommandFailure {
    checkRange(lba, count);
    return count == 0 ? blocks - lba : count;
  }

  /** Reads {@code dst.remaining()} bytes from block {@code lba}. */
  void read(long lba, ByteBuffer dst) throws CommandFailure {
    try {
      store.read(lba * blockSize, dst);
    } catch (IOException e) {
      LOG.warn("{}: LUN {} read at LBA {} failed", owner, lun, lba, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.UNRECOVERED_READ_ERROR);
    }
  }

  /** Writes {@code src.remaining()} bytes at block {@code lba}, flushed when {@code fua}. */
  void write(long lba, ByteBuffer src, boolean fua) throws CommandFailure {
    try {
      store.write(lba * blockSize, src);
      if (fua) {
        store.flush();
      }
    } catch (IOException e) {
      LOG.warn("{}: LUN {} write at LBA {} failed", owner, lun, lba, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
    }
  }

  /** Zeroes ({@code unmap}: deallocates) {@code count} blocks at {@code lba}. */
  void clear(long lba, long count, boolean unmap) throws CommandFailure {
    try {
      if (unmap) {
        store.discard(lba * blockSize, count * blockSize);
      } else {
        store.zero(lba * blockSize, count * blockSize);
      }
    } catch (IOException e) {
      LOG.warn("{}: LUN {} {} at LBA {} failed", owner, lun, unmap ? "unmap" : "zeroing", lba, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
    }
  }

  void flush() throws CommandFailure {
    try {
      store.flush();
    } catch (IOException e) {
      LOG.warn("{}: LUN {} flush failed", owner, lun, e);
      throw CommandFailure.check(SenseKey.MEDIUM_ERROR, Asc.WRITE_ERROR);
    }
  }

  /** Whether block {@code lba} is mapped (SBC-3 4.7: a store that cannot tell says mapped). */
  boolean mapped(long lba) {
    return store.isMapped(lba * blockSize);
  }

  /** Blocks that share one answer of {@link #mapped} (at least 1). */
  long mappingGranularityBlocks() {
    return Math.max(1, store.mappingGranularity() / blockSize);
  }
}
