package dev.mpath.nvme.proto;

/**
 * Dataset Management (NVM opcode 09h), NVM Command Set 1.0: CDW10 bits 07:00 NR (number of
 * ranges, zero-based); CDW11 bit 0 IDR (integral dataset for read), bit 1 IDW (for write),
 * bit 2 AD (attribute deallocate). The data is NR + 1 {@link DsmRange}s.
 */
public final class DatasetManagementCommand {

  private DatasetManagementCommand() {}

  /** Most ranges one command carries. */
  public static final int MAX_RANGES = 256;
  /** CDW11 bit 0: Attribute – Integral Dataset for Read. */
  public static final int ATTR_IDR = 1;
  /** CDW11 bit 1: Attribute – Integral Dataset for Write. */
  public static final int ATTR_IDW = 1 << 1;
  /** CDW11 bit 2: Attribute – Deallocate. */
  public static final int ATTR_AD = 1 << 2;

  /** Fills {@code sqe} with a Dataset Management over {@code ranges} (1..256) ranges. */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int cid, int nsid, int ranges, int attributes) {
    Le.checkRange("ranges", ranges, 1, MAX_RANGES);
    Le.checkRange("attributes", attributes, 0, 0x7);
    return Commands.start(sqe, NvmOpcode.DATASET_MANAGEMENT, cid, nsid)
        .cdw10(ranges - 1)
        .cdw11(attributes);
  }

  /** Ranges in the data: NR + 1, 1..256. */
  public static int ranges(SubmissionQueueEntry sqe) {
    return (sqe.cdw10() & 0xFF) + 1;
  }

  /** Bytes of range data the command carries: 16 per range. */
  public static int dataLength(SubmissionQueueEntry sqe) {
    return ranges(sqe) * DsmRange.LENGTH;
  }

  /** The attribute bits (CDW11 bits 02:00). */
  public static int attributes(SubmissionQueueEntry sqe) {
    return sqe.cdw11() & 0x7;
  }

  /** AD: deallocate the ranges. */
  public static boolean deallocate(SubmissionQueueEntry sqe) {
    return (sqe.cdw11() & ATTR_AD) != 0;
  }
}
