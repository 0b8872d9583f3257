package dev.mpath.nvme.proto;

/**
 * Reservation Register (I/O opcode 0Dh, NVMe Base 2.0): CDW10 bits 02:00 RREGA (action),
 * bit 03 IEKEY (Ignore Existing Key), bits 31:30 CPTPL (Change Persist Through Power Loss
 * State). The data is a 16-byte {@link ReservationRegisterData}.
 */
public final class ReservationRegisterCommand {

  private ReservationRegisterCommand() {}

  /** RREGA 000b: Register Reservation Key. */
  public static final int RREGA_REGISTER = 0;
  /** RREGA 001b: Unregister Reservation Key. */
  public static final int RREGA_UNREGISTER = 1;
  /** RREGA 010b: Replace Reservation Key. */
  public static final int RREGA_REPLACE = 2;

  /** CPTPL 00b: no change to the PTPL state. */
  public static final int CPTPL_NO_CHANGE = 0;
  /** CPTPL 10b: reservations are released and registrants cleared on power loss (PTPL 0). */
  public static final int CPTPL_CLEAR = 2;
  /** CPTPL 11b: reservations and registrants persist across power loss (PTPL 1). */
  public static final int CPTPL_SET = 3;

  /** CDW10 bit 3. */
  public static final int IEKEY_BIT = 3;

  /** Fills {@code sqe} with a Reservation Register. */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int cid, int nsid, int rrega, boolean iekey, int cptpl) {
    Le.checkRange("RREGA", rrega, 0, 7);
    Le.checkRange("CPTPL", cptpl, 0, 3);
    return Commands.start(sqe, NvmOpcode.RESERVATION_REGISTER, cid, nsid)
        .cdw10(cptpl << 30 | Commands.bit(iekey, IEKEY_BIT) | rrega);
  }

  /** RREGA. */
  public static int rrega(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0x7;
  }

  /** IEKEY. */
  public static boolean iekey(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw10(), IEKEY_BIT);
  }

  /** CPTPL. */
  public static int cptpl(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 30;
  }
}
