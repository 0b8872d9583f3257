package dev.mpath.nvme.proto;

/** Keep Alive (admin opcode 18h): no parameters; restarts the controller's KATO timer. */
public final class KeepAliveCommand {

  private KeepAliveCommand() {}

  /** Fills {@code sqe} with a Keep Alive command. */
  public static SubmissionQueueEntry fill(SubmissionQueueEntry sqe, int cid) {
    return Commands.start(sqe, AdminOpcode.KEEP_ALIVE, cid, 0);
  }
}
