package dev.mpath.nvme.proto;

/**
 * Set Features (admin opcode 09h) and Get Features (0Ah), NVMe Base 2.0.
 *
 * <pre>
 *   Set Features CDW10 bits 07:00 FID, bit 31 SV (Save)
 *   Get Features CDW10 bits 07:00 FID, bits 10:08 SEL (Select)
 *   CDW11 feature specific value; Get Features returns the value in completion DW0
 * </pre>
 */
public final class FeatureCommand {

  private FeatureCommand() {}

  public static final int FID_ARBITRATION = 0x01;
  public static final int FID_POWER_MANAGEMENT = 0x02;
  public static final int FID_TEMPERATURE_THRESHOLD = 0x04;
  public static final int FID_ERROR_RECOVERY = 0x05;
  public static final int FID_VOLATILE_WRITE_CACHE = 0x06;
  /** Number of Queues: CDW11 NSQR bits 15:00, NCQR bits 31:16, both zero-based. */
  public static final int FID_NUMBER_OF_QUEUES = 0x07;
  public static final int FID_INTERRUPT_COALESCING = 0x08;
  public static final int FID_WRITE_ATOMICITY = 0x0A;
  /** Asynchronous Event Configuration: CDW11 bits as in {@code AEC_*}. */
  public static final int FID_ASYNC_EVENT_CONFIGURATION = 0x0B;
  public static final int FID_TIMESTAMP = 0x0E;
  /** Keep Alive Timer: CDW11 KATO in milliseconds. */
  public static final int FID_KEEP_ALIVE_TIMER = 0x0F;
  public static final int FID_HOST_IDENTIFIER = 0x81;
  public static final int FID_RESERVATION_NOTIFICATION_MASK = 0x82;
  public static final int FID_RESERVATION_PERSISTENCE = 0x83;

  /** Asynchronous Event Configuration bit 8: Namespace Attribute Notices. */
  public static final int AEC_NAMESPACE_ATTRIBUTE_NOTICES = 1 << 8;
  /** Asynchronous Event Configuration bit 9: Firmware Activation Notices. */
  public static final int AEC_FIRMWARE_ACTIVATION_NOTICES = 1 << 9;
  /** Asynchronous Event Configuration bit 11: Asymmetric Namespace Access Change Notices. */
  public static final int AEC_ANA_CHANGE_NOTICES = 1 << 11;

  /** SEL 000b: current value. */
  public static final int SEL_CURRENT = 0;
  /** SEL 001b: default value. */
  public static final int SEL_DEFAULT = 1;
  /** SEL 010b: saved value. */
  public static final int SEL_SAVED = 2;
  /** SEL 011b: supported capabilities. */
  public static final int SEL_SUPPORTED_CAPABILITIES = 3;

  /** Fills {@code sqe} with Set Features for {@code fid} with CDW11 {@code value}. */
  public static SubmissionQueueEntry setFeatures(
      SubmissionQueueEntry sqe, int cid, int nsid, int fid, boolean save, int value) {
    Le.checkRange("FID", fid, 0, 0xFF);
    return Commands.start(sqe, AdminOpcode.SET_FEATURES, cid, nsid)
        .cdw10(Commands.bit(save, 31) | fid)
        .cdw11(value);
  }

  /** Fills {@code sqe} with Get Features for {@code fid}. */
  public static SubmissionQueueEntry getFeatures(
      SubmissionQueueEntry sqe, int cid, int nsid, int fid, int sel, int value) {
    Le.checkRange("FID", fid, 0, 0xFF);
    Le.checkRange("SEL", sel, 0, 7);
    return Commands.start(sqe, AdminOpcode.GET_FEATURES, cid, nsid)
        .cdw10(sel << 8 | fid)
        .cdw11(value);
  }

  /** CDW11 for Number of Queues: {@code sq} and {@code cq} I/O queues requested (1..65535). */
  public static int numberOfQueues(int sq, int cq) {
    Le.checkRange("I/O submission queues", sq, 1, 0xFFFF);
    Le.checkRange("I/O completion queues", cq, 1, 0xFFFF);
    return (cq - 1) << 16 | (sq - 1);
  }

  /** FID of a Set/Get Features SQE. */
  public static int fid(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0xFF;
  }

  /** SV of a Set Features SQE. */
  public static boolean save(SubmissionQueueEntry sqe) {
    return Commands.bitSet(sqe.cdw10(), 31);
  }

  /** SEL of a Get Features SQE. */
  public static int select(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 8 & 0x7;
  }

  /** The feature specific value (CDW11). */
  public static int value(SubmissionQueueEntry sqe) {
    return sqe.cdw11();
  }
}
