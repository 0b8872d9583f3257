package dev.mpath.nvme.proto;

/**
 * Reservation Acquire (I/O opcode 11h, NVMe Base 2.0): CDW10 bits 02:00 RACQA (action), bit
 * 03 IEKEY, bits 15:08 RTYPE. The data is a 16-byte {@link ReservationAcquireData}.
 */
public final class ReservationAcquireCommand {

  private ReservationAcquireCommand() {}

  /** RACQA 000b: Acquire. */
  public static final int RACQA_ACQUIRE = 0;
  /** RACQA 001b: Preempt. */
  public static final int RACQA_PREEMPT = 1;
  /** RACQA 010b: Preempt and Abort. */
  public static final int RACQA_PREEMPT_AND_ABORT = 2;

  /** Fills {@code sqe} with a Reservation Acquire of type {@code rtype}. */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe,
      int cid,
      int nsid,
      int racqa,
      boolean iekey,
      NvmeReservationType rtype) {
    Le.checkRange("RACQA", racqa, 0, 7);
    return Commands.start(sqe, NvmOpcode.RESERVATION_ACQUIRE, cid, nsid)
        .cdw10(rtype.code() << 8 | Commands.bit(iekey, ReservationRegisterCommand.IEKEY_BIT)
            | racqa);
  }

  /** RACQA. */
  public static int racqa(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0x7;
  }

  /** IEKEY. */
  public static boolean iekey(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw10(), ReservationRegisterCommand.IEKEY_BIT);
  }

  /** RTYPE, raw (validate with {@link NvmeReservationType#isDefined}). */
  public static int rtype(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 8 & 0xFF;
  }
}
