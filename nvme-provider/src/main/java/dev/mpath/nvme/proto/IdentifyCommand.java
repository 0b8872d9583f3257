package dev.mpath.nvme.proto;

/**
 * Identify (admin opcode 06h, NVMe Base 2.0 Identify command): builds the SQE and reads its
 * fields back for a target. Every Identify data structure is {@link #DATA_LENGTH} bytes.
 *
 * <pre>
 *   CDW10 bits 07:00 CNS      Controller or Namespace Structure
 *   CDW10 bits 31:16 CNTID    Controller Identifier
 *   CDW11 bits 15:00 CNSSID   CNS Specific Identifier
 *   CDW11 bits 31:24 CSI      Command Set Identifier
 *   CDW14 bits 06:00 UUID Index
 * </pre>
 */
public final class IdentifyCommand {

  private IdentifyCommand() {}

  /** Size of every Identify data structure. */
  public static final int DATA_LENGTH = 4096;

  /** Identify Namespace data structure (NVM Command Set) for NSID. */
  public static final int CNS_NAMESPACE = 0x00;
  /** Identify Controller data structure. */
  public static final int CNS_CONTROLLER = 0x01;
  /** Active Namespace ID list: NSIDs greater than NSID. */
  public static final int CNS_ACTIVE_NAMESPACE_LIST = 0x02;
  /** Namespace Identification Descriptor list for NSID. */
  public static final int CNS_NAMESPACE_ID_DESCRIPTORS = 0x03;
  /** NVM Set List. */
  public static final int CNS_NVM_SET_LIST = 0x04;
  /** I/O Command Set specific Identify Namespace. */
  public static final int CNS_CSI_NAMESPACE = 0x05;
  /** I/O Command Set specific Identify Controller. */
  public static final int CNS_CSI_CONTROLLER = 0x06;
  /** I/O Command Set specific Active Namespace ID list. */
  public static final int CNS_CSI_ACTIVE_NAMESPACE_LIST = 0x07;
  /** I/O Command Set Independent Identify Namespace. */
  public static final int CNS_CSI_INDEPENDENT_NAMESPACE = 0x08;
  /** Allocated Namespace ID list. */
  public static final int CNS_ALLOCATED_NAMESPACE_LIST = 0x10;
  /** Identify Namespace for an allocated NSID. */
  public static final int CNS_ALLOCATED_NAMESPACE = 0x11;
  /** Controller list: controllers attached to NSID, CNTID and above. */
  public static final int CNS_ATTACHED_CONTROLLER_LIST = 0x12;
  /** Controller list: all controllers in the subsystem, CNTID and above. */
  public static final int CNS_CONTROLLER_LIST = 0x13;
  /** Primary Controller Capabilities. */
  public static final int CNS_PRIMARY_CONTROLLER_CAPABILITIES = 0x14;
  /** Secondary Controller list. */
  public static final int CNS_SECONDARY_CONTROLLER_LIST = 0x15;
  /** Namespace Granularity list. */
  public static final int CNS_NAMESPACE_GRANULARITY_LIST = 0x16;
  /** UUID list. */
  public static final int CNS_UUID_LIST = 0x17;
  /** Domain list. */
  public static final int CNS_DOMAIN_LIST = 0x18;
  /** Endurance Group list. */
  public static final int CNS_ENDURANCE_GROUP_LIST = 0x19;
  /** I/O Command Set data structure. */
  public static final int CNS_IO_COMMAND_SET = 0x1C;

  /** CSI 00h: NVM Command Set. */
  public static final int CSI_NVM = 0x00;

  /**
   * Fills {@code sqe} with an Identify command.
   *
   * @param cns the data structure to return (0..255)
   * @param cntid CNTID (0..65535), used by CNS 12h/13h
   * @param cnsSpecificId CNSSID (0..65535)
   * @param csi CSI (0..255)
   */
  public static SubmissionQueueEntry fill(
      SubmissionQueueEntry sqe, int cid, int nsid, int cns, int cntid, int cnsSpecificId, int csi) {
    Le.checkRange("CNS", cns, 0, 0xFF);
    Le.checkRange("CNTID", cntid, 0, 0xFFFF);
    Le.checkRange("CNSSID", cnsSpecificId, 0, 0xFFFF);
    Le.checkRange("CSI", csi, 0, 0xFF);
    return Commands.start(sqe, AdminOpcode.IDENTIFY, cid, nsid)
        .cdw10(cntid << 16 | cns)
        .cdw11(csi << 24 | cnsSpecificId);
  }

  /** Identify Controller (CNS 01h). */
  public static SubmissionQueueEntry controller(SubmissionQueueEntry sqe, int cid) {
    return fill(sqe, cid, 0, CNS_CONTROLLER, 0, 0, 0);
  }

  /** Identify Namespace (CNS 00h) for {@code nsid}. */
  public static SubmissionQueueEntry namespace(SubmissionQueueEntry sqe, int cid, int nsid) {
    return fill(sqe, cid, nsid, CNS_NAMESPACE, 0, 0, 0);
  }

  /** Active Namespace ID list (CNS 02h) of NSIDs greater than {@code startAfterNsid}. */
  public static SubmissionQueueEntry activeNamespaces(
      SubmissionQueueEntry sqe, int cid, int startAfterNsid) {
    return fill(sqe, cid, startAfterNsid, CNS_ACTIVE_NAMESPACE_LIST, 0, 0, 0);
  }

  /** Namespace Identification Descriptor list (CNS 03h) for {@code nsid}. */
  public static SubmissionQueueEntry namespaceIdDescriptors(
      SubmissionQueueEntry sqe, int cid, int nsid) {
    return fill(sqe, cid, nsid, CNS_NAMESPACE_ID_DESCRIPTORS, 0, 0, 0);
  }

  /** Controllers attached to {@code nsid} (CNS 12h), starting at {@code startCntid}. */
  public static SubmissionQueueEntry attachedControllers(
      SubmissionQueueEntry sqe, int cid, int nsid, int startCntid) {
    return fill(sqe, cid, nsid, CNS_ATTACHED_CONTROLLER_LIST, startCntid, 0, 0);
  }

  /** All controllers in the subsystem (CNS 13h), starting at {@code startCntid}. */
  public static SubmissionQueueEntry subsystemControllers(
      SubmissionQueueEntry sqe, int cid, int startCntid) {
    return fill(sqe, cid, 0, CNS_CONTROLLER_LIST, startCntid, 0, 0);
  }

  /** CNS of an Identify SQE. */
  public static int cns(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0xFF;
  }

  /** CNTID of an Identify SQE. */
  public static int cntid(SubmissionQueueEntry sqe) {
    return sqe.cdw10() >>> 16;
  }

  /** CNSSID of an Identify SQE. */
  public static int cnsSpecificId(SubmissionQueueEntry sqe) {
    return sqe.cdw11() & 0xFFFF;
  }

  /** CSI of an Identify SQE. */
  public static int csi(SubmissionQueueEntry sqe) {
    return sqe.cdw11() >>> 24;
  }
}
