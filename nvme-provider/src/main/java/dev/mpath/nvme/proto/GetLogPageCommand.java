package dev.mpath.nvme.proto;

/**
 * Get Log Page (admin opcode 02h, NVMe Base 2.0 Get Log Page command).
 *
 * <pre>
 *   CDW10 bits 07:00 LID    Log Page Identifier
 *   CDW10 bits 14:08 LSP    Log Specific Field (ANA: bit 0 RGO)
 *   CDW10 bit  15    RAE    Retain Asynchronous Event
 *   CDW10 bits 31:16 NUMDL  Number of Dwords, lower (zero-based count with NUMDU)
 *   CDW11 bits 15:00 NUMDU  Number of Dwords, upper
 *   CDW11 bits 31:16 LSI    Log Specific Identifier
 *   CDW12            LPOL   Log Page Offset Lower (bytes, dword aligned)
 *   CDW13            LPOU   Log Page Offset Upper
 *   CDW14 bits 06:00 UUID Index, bit 23 OT (Offset Type), bits 31:24 CSI
 * </pre>
 */
public final class GetLogPageCommand {

  private GetLogPageCommand() {}

  /** ANA log page LSP bit 0: Return Groups Only (descriptors carry no NSID lists). */
  public static final int LSP_ANA_RGO = 0x01;

  /**
   * Fills {@code sqe} with a Get Log Page command.
   *
   * @param lid Log Page Identifier ({@link LogPageId})
   * @param lsp Log Specific Field, 0..127
   * @param rae Retain Asynchronous Event: keep the event outstanding after this read
   * @param lengthBytes bytes to transfer: a positive multiple of 4 (sets NUMDL/NUMDU)
   * @param offsetBytes byte offset into the log page, a multiple of 4 (sets LPOL/LPOU)
   */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe,
      int cid,
      int nsid,
      int lid,
      int lsp,
      boolean rae,
      long lengthBytes,
      long offsetBytes) {
    Le.checkRange("LID", lid, 0, 0xFF);
    Le.checkRange("LSP", lsp, 0, 0x7F);
    if ((offsetBytes & 3) != 0) {
      throw new IllegalArgumentException("log page offset must be dword aligned: " + offsetBytes);
    }
    int numd = Commands.numd("log page length", lengthBytes);
    return Commands.start(sqe, AdminOpcode.GET_LOG_PAGE, cid, nsid)
        .cdw10((numd & 0xFFFF) << 16 | Commands.bit(rae, 15) | lsp << 8 | lid)
        .cdw11(numd >>> 16)
        .cdw12((int) offsetBytes)
        .cdw13((int) (offsetBytes >>> 32));
  }

  /** The ANA log page (LID 0Ch) for all namespaces, {@code lengthBytes} from offset 0. */
  public static SubmissionQueueEntry anaLog(
      SubmissionQueueEntry sqe, int cid, long lengthBytes, boolean rgo, boolean rae) {
    return fill(
        sqe, cid, SubmissionQueueEntry.NSID_ALL, LogPageId.ASYMMETRIC_NAMESPACE_ACCESS,
        rgo ? LSP_ANA_RGO : 0, rae, lengthBytes, 0);
  }

  /** The Changed Namespace List log page (LID 04h), all 4096 bytes. */
  public static SubmissionQueueEntry changedNamespaceList(
      SubmissionQueueEntry sqe, int cid, boolean rae) {
    return fill(
        sqe, cid, SubmissionQueueEntry.NSID_ALL, LogPageId.CHANGED_NAMESPACE_LIST, 0, rae,
        ChangedNamespaceList.LENGTH, 0);
  }

  /** LID of a Get Log Page SQE. */
  public static int lid(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0xFF;
  }

  /** LSP of a Get Log Page SQE. */
  public static int lsp(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 8 & 0x7F;
  }

  /** RAE of a Get Log Page SQE. */
  public static boolean rae(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw10(), 15);
  }

  /** Dwords requested (NUMDU:NUMDL plus one), 1..2^32. */
  public static long numberOfDwords(SubmissionQueueEntry sqe) {
    long numd = (sqe.cdw10() >>> 16) | ((long) (sqe.cdw11() & 0xFFFF) << 16);
    return numd + 1;
  }

  /** Bytes requested, {@code 4 * numberOfDwords}. */
  public static long lengthBytes(SubmissionQueueEntry sqe) {
    return numberOfDwords(sqe) * 4;
  }

  /** LSI of a Get Log Page SQE. */
  public static int lsi(SubmissionQueueEntry sqe) {
    return sqe.cdw11() >>> 16;
  }

  /** Byte offset (LPOU:LPOL) of a Get Log Page SQE. */
  public static long offsetBytes(SubmissionQueueEntry sqe) {
    return (sqe.cdw12() & 0xFFFF_FFFFL) | ((long) sqe.cdw13() << 32);
  }

  /** CSI of a Get Log Page SQE. */
  public static int csi(SubmissionQueueEntry sqe) {
    return sqe.cdw14() >>> 24;
  }
}
