package dev.mpath.nvme.proto;

/**
 * Reservation Report (I/O opcode 0Eh, NVMe Base 2.0): CDW10 NUMD (number of dwords of the
 * Reservation Status data structure to transfer, zero-based); CDW11 bit 0 EDS (Extended Data
 * Structure: 128-bit host identifiers). The data returned is a {@link ReservationStatus}.
 */
public final class ReservationReportCommand {

  private ReservationReportCommand() {}

  /** Fills {@code sqe} with a Reservation Report of {@code lengthBytes} (multiple of 4). */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int cid, int nsid, long lengthBytes, boolean eds) {
    int numd = Commands.numd("report length", lengthBytes);
    return Commands.start(sqe, NvmOpcode.RESERVATION_REPORT, cid, nsid)
        .cdw10(numd)
        .cdw11(eds ? 1 : 0);
  }

  /** Bytes requested: 4 * (NUMD + 1). */
  public static long lengthBytes(SubmissionQueueEntry sqe) {
    return ((sqe.cdw10() & 0xFFFF_FFFFL) + 1) * 4;
  }

  /** EDS. */
  public static boolean eds(SubmissionQueueEntry sqe) {
    return (sqe.cdw11() & 1) != 0;
  }
}
