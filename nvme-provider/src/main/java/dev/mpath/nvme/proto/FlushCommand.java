package dev.mpath.nvme.proto;

/** Flush (NVM opcode 00h): commit volatile write cache contents for {@code nsid}. */
public final class FlushCommand {

  private FlushCommand() {}

  /** Fills {@code sqe} with a Flush of {@code nsid} ({@link SubmissionQueueEntry#NSID_ALL} for all). */
  public static SubmissionQueueEntry fill(SubmissionQueueEntry sqe, int cid, int nsid) {
    return Commands.start(sqe, NvmOpcode.FLUSH, cid, nsid);
  }
}
