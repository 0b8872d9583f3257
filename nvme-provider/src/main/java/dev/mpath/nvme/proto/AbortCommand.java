package dev.mpath.nvme.proto;

/**
 * Abort (admin opcode 08h): CDW10 bits 15:00 SQID, bits 31:16 CID of the command to abort.
 * Completion DW0 bit 0 clear means the command was aborted.
 */
public final class AbortCommand {

  private AbortCommand() {}

  /** Fills {@code sqe} with an Abort of command {@code targetCid} on queue {@code sqid}. */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int cid, int sqid, int targetCid) {
    Le.checkRange("SQID", sqid, 0, 0xFFFF);
    Le.checkRange("CID", targetCid, 0, 0xFFFF);
    return Commands.start(sqe, AdminOpcode.ABORT, cid, 0).cdw10(targetCid << 16 | sqid);
  }

  /** SQID of an Abort SQE. */
  public static int sqid(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0xFFFF;
  }

  /** CID of the command an Abort SQE targets. */
  public static int targetCid(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 16;
  }
}
