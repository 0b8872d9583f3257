package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One submitted command on its way to execution: its own copy of the SQE (the caller's entry
 * is reused as soon as submit returns), its queue and the data buffer. Pooled per
 * {@link TargetQueue}, so a command allocates nothing in steady state; back in the pool once
 * executed (or aborted while held).
 *
 * <p>Thread-safety: filled by the submitting thread before it is handed to the controller's
 * executor; from then on the executor's, until {@link #recycle} puts it back in the pool.
 */
final class TargetCommand implements Runnable {
  final ByteBuffer raw = ByteBuffer.allocate(SubmissionQueueEntry.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
  final SubmissionQueueEntry sqe = wrap(raw);
  private final TargetController owner;
  TargetQueue q;
  ByteBuffer data;

  TargetCommand(TargetController owner) {
    this.owner = owner;
  }

  @Override
  public void run() {
    owner.run(this);
  }

  /** The command identifier: SQE bytes 3:2 (Command Dword 0 bits 31:16). */
  int cid() {
    return raw.getShort(2) & 0xFFFF;
  }

  /** Back into its queue's pool, holding nothing. */
  void recycle() {
    TargetQueue queue = q;
    q = null;
    data = null;
    queue.give(this);
  }

  private static SubmissionQueueEntry wrap(ByteBuffer raw) {
    try {
      return new SubmissionQueueEntry().wrap(raw, 0);
    } catch (NvmeProtocolException e) {
      throw new AssertionError(e); // 64 bytes always fit
    }
  }
}
