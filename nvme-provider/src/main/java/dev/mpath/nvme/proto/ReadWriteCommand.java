package dev.mpath.nvme.proto;

/**
 * Read (NVM opcode 02h) and Write (01h), NVM Command Set 1.0.
 *
 * <pre>
 *   CDW10-11         SLBA   Starting LBA (64 bits)
 *   CDW12 bits 15:00 NLB    Number of Logical Blocks, zero-based
 *   CDW12 bits 23:20 DTYPE  Directive Type (Write)
 *   CDW12 bits 29:26 PRINFO Protection Information
 *   CDW12 bit  30    FUA    Force Unit Access
 *   CDW12 bit  31    LR     Limited Retry
 *   CDW13 bits 07:00 DSM    Dataset Management hints
 * </pre>
 */
public final class ReadWriteCommand {

  private ReadWriteCommand() {}

  /** Most blocks one command can carry (NLB is 16 bits, zero-based). */
  public static final int MAX_BLOCKS = 65536;

  /** CDW12 bit 30. */
  public static final int FUA_BIT = 30;
  /** CDW12 bit 31. */
  public static final int LR_BIT = 31;

  /**
   * Fills {@code sqe} with a Read or Write.
   *
   * @param opcode {@link NvmOpcode#READ} or {@link NvmOpcode#WRITE}
   * @param blocks logical blocks to transfer, 1..65536
   */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int opcode, int cid, int nsid, long slba, int blocks, boolean fua) {
    if (opcode != NvmOpcode.READ && opcode != NvmOpcode.WRITE) {
      throw new IllegalArgumentException("not a Read or Write opcode: " + opcode);
    }
    Le.checkRange("blocks", blocks, 1, MAX_BLOCKS);
    Commands.start(sqe, opcode, cid, nsid);
    Commands.slba(sqe, slba);
    return sqe.cdw12(Commands.bit(fua, FUA_BIT) | (blocks - 1));
  }

  /** Fills {@code sqe} with a Read of {@code blocks} blocks at {@code slba}. */
  public static SubmissionQueueEntry read(
      SubmissionQueueEntry sqe, int cid, int nsid, long slba, int blocks) {
    return fill(sqe, NvmOpcode.READ, cid, nsid, slba, blocks, false);
  }

  /** Fills {@code sqe} with a Write of {@code blocks} blocks at {@code slba}. */
  public static SubmissionQueueEntry write(
      SubmissionQueueEntry sqe, int cid, int nsid, long slba, int blocks, boolean fua) {
    return fill(sqe, NvmOpcode.WRITE, cid, nsid, slba, blocks, fua);
  }

  /** SLBA (CDW11:CDW10). */
  public static long slba(SubmissionQueueEntry sqe) {
    return Commands.slba(sqe);
  }

  /** Blocks to transfer: NLB + 1, 1..65536. */
  public static int blocks(SubmissionQueueEntry sqe) {
    return (sqe.cdw12() & 0xFFFF) + 1;
  }

  /** FUA. */
  public static boolean fua(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw12(), FUA_BIT);
  }

  /** LR. */
  public static boolean limitedRetry(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw12(), LR_BIT);
  }

  /** PRINFO. */
  public static int prinfo(SubmissionQueueEntry sqe) {
    return sqe.cdw12() >>> 26 & 0xF;
  }
}
