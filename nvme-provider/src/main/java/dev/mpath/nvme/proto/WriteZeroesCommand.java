package dev.mpath.nvme.proto;

/**
 * Write Zeroes (NVM opcode 08h), NVM Command Set 1.0: SLBA in CDW10-11; CDW12 bits 15:00 NLB
 * (zero-based), bit 25 DEAC (Deallocate), bits 29:26 PRINFO, bit 30 FUA, bit 31 LR. No data.
 */
public final class WriteZeroesCommand {

  private WriteZeroesCommand() {}

  /** CDW12 bit 25. */
  public static final int DEAC_BIT = 25;

  /** Fills {@code sqe} with a Write Zeroes of {@code blocks} (1..65536) blocks at {@code slba}. */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe,
      int cid,
      int nsid,
      long slba,
      int blocks,
      boolean deallocate,
      boolean fua) {
    Le.checkRange("blocks", blocks, 1, ReadWriteCommand.MAX_BLOCKS);
    Commands.start(sqe, NvmOpcode.WRITE_ZEROES, cid, nsid);
    Commands.slba(sqe, slba);
    return sqe.cdw12(
        Commands.bit(fua, ReadWriteCommand.FUA_BIT) | Commands.bit(deallocate, DEAC_BIT)
            | (blocks - 1));
  }

  /** SLBA. */
  public static long slba(SubmissionQueueEntry sqe) {
    return Commands.slba(sqe);
  }

  /** Blocks: NLB + 1. */
  public static int blocks(SubmissionQueueEntry sqe) {
    return (sqe.cdw12() & 0xFFFF) + 1;
  }

  /** DEAC. */
  public static boolean deallocate(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw12(), DEAC_BIT);
  }

  /** FUA. */
  public static boolean fua(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw12(), ReadWriteCommand.FUA_BIT);
  }
}
