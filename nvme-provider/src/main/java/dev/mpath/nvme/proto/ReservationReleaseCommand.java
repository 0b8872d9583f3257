package dev.mpath.nvme.proto;

/**
 * Reservation Release (I/O opcode 15h, NVMe Base 2.0): CDW10 bits 02:00 RRELA (action), bit
 * 03 IEKEY, bits 15:08 RTYPE. The data is an 8-byte {@link ReservationReleaseData}.
 */
public final class ReservationReleaseCommand {

  private ReservationReleaseCommand() {}

  /** RRELA 000b: Release. */
  public static final int RRELA_RELEASE = 0;
  /** RRELA 001b: Clear. */
  public static final int RRELA_CLEAR = 1;

  /**
   * Fills {@code sqe} with a Reservation Release.
   *
   * @param rtype the type held (Release), or {@code null} for RTYPE 0 (Clear ignores it)
   */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe,
      int cid,
      int nsid,
      int rrela,
      boolean iekey,
      NvmeReservationType rtype) {
    Le.checkRange("RRELA", rrela, 0, 7);
    int t = rtype == null ? 0 : rtype.code();
    return Commands.start(sqe, NvmOpcode.RESERVATION_RELEASE, cid, nsid)
        .cdw10(t << 8 | Commands.bit(iekey, ReservationRegisterCommand.IEKEY_BIT) | rrela);
  }

  /** RRELA. */
  public static int rrela(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0x7;
  }

  /** IEKEY. */
  public static boolean iekey(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw10(), ReservationRegisterCommand.IEKEY_BIT);
  }

  /** RTYPE, raw. */
  public static int rtype(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 8 & 0xFF;
  }
}
