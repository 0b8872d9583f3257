package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.CdbArrays;
import dev.mpath.scsi.proto.OperationCode;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * One submitted command on its way through a target port to a logical unit, and the task
 * that runs it there. Commands are reused: a session takes one per {@link Session#execute}
 * and gets it back once the answer is delivered ({@link Session#recycle}), so the I/O path makes no
 * object per command.
 *
 * <p>The CDB is the command's own copy. {@link #data} is either a duplicate of the caller's
 * buffer or, when the session's sink {@linkplain ResponseSink#lendsBuffers lends its
 * buffers}, the caller's buffer itself, whose position and limit are put back before the
 * answer is delivered; either way the device server may move them freely.
 *
 * <p>Confined: one thread at a time (the submitter, then the logical unit's executor).
 */
final class Command implements Runnable {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  final Session session;
  long tag;
  int lun;
  byte[] cdb;
  ByteBuffer data;
  int dataLength;
  // where it runs (set by the target's dispatch)
  LogicalUnit lu;
  Executor executor;
  int resets; // the LU's reset count when dispatched: a LUN reset since aborts the command
  // the lent buffer's position and limit, put back before the answer (-1: a duplicate)
  private int position = -1;
  private int limit;
  private final CdbArrays cdbs = new CdbArrays();

  Command(Session session) {
    this.session = session;
  }

  /** Fills the command; see {@link Session#execute} for the arguments. */
  Command set(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength, boolean lent) {
    this.tag = tag;
    this.lun = lun;
    this.cdb = copy(cdb);
    if (data == null) {
      this.data = EMPTY; // capacity 0: no position or limit to move
      position = -1;
    } else if (lent) {
      this.data = data;
      position = data.position();
      limit = data.limit();
    } else {
      this.data = data.duplicate();
      position = -1;
    }
    this.dataLength = dataLength;
    return this;
  }

  private byte[] copy(byte[] src) {
    if (src == null) {
      return cdbs.of(0);
    }
    byte[] dst = cdbs.of(Math.min(src.length, OperationCode.MAX_CDB_LENGTH));
    System.arraycopy(src, 0, dst, 0, dst.length);
    return dst;
  }

  /** Puts a lent buffer's position and limit back (before the answer is delivered). */
  void restoreData() {
    if (position >= 0) {
      data.limit(limit);
      data.position(position);
    }
  }

  /** Drops the references to the caller's buffer, for reuse. */
  void clear() {
    data = null;
    lu = null;
    executor = null;
    position = -1;
  }

  Nexus nexus() {
    return session.nexus();
  }

  Faults faults() {
    return session.faults();
  }

  /** Bytes the command may move: the expected length, bounded by the buffer. */
  int available() {
    return Math.max(0, Math.min(dataLength, data.remaining()));
  }

  /** Runs the command on its logical unit (the executor's task). */
  @Override
  public void run() {
    session.target().run(lu, executor, this);
  }
}
