package dev.mpath.nvme.proto;

/**
 * Admin command opcodes (NVMe Base 2.0, Opcodes for Admin Commands). Plain {@code int}
 * constants so that a target can {@code switch} on {@link SubmissionQueueEntry#opcode()}.
 */
public final class AdminOpcode {

  private AdminOpcode() {}

  public static final int DELETE_IO_SQ = 0x00;
  public static final int CREATE_IO_SQ = 0x01;
  public static final int GET_LOG_PAGE = 0x02;
  public static final int DELETE_IO_CQ = 0x04;
  public static final int CREATE_IO_CQ = 0x05;
  public static final int IDENTIFY = 0x06;
  public static final int ABORT = 0x08;
  public static final int SET_FEATURES = 0x09;
  public static final int GET_FEATURES = 0x0A;
  public static final int ASYNC_EVENT_REQUEST = 0x0C;
  public static final int NAMESPACE_MANAGEMENT = 0x0D;
  public static final int FIRMWARE_COMMIT = 0x10;
  public static final int FIRMWARE_IMAGE_DOWNLOAD = 0x11;
  public static final int DEVICE_SELF_TEST = 0x14;
  public static final int NAMESPACE_ATTACHMENT = 0x15;
  public static final int KEEP_ALIVE = 0x18;
  public static final int DIRECTIVE_SEND = 0x19;
  public static final int DIRECTIVE_RECEIVE = 0x1A;
  public static final int VIRTUALIZATION_MANAGEMENT = 0x1C;
  public static final int NVME_MI_SEND = 0x1D;
  public static final int NVME_MI_RECEIVE = 0x1E;
  public static final int CAPACITY_MANAGEMENT = 0x20;
  public static final int LOCKDOWN = 0x24;
  public static final int DOORBELL_BUFFER_CONFIG = 0x7C;
  /** Fabrics Commands (Connect, Property Get/Set, ...): FCTYPE in SQE byte 4. */
  public static final int FABRICS = 0x7F;
  public static final int FORMAT_NVM = 0x80;
  public static final int SECURITY_SEND = 0x81;
  public static final int SECURITY_RECEIVE = 0x82;
  public static final int SANITIZE = 0x84;
  public static final int GET_LBA_STATUS = 0x86;

  /** A readable name for an admin opcode. */
  public static String name(int opcode) {
    switch (opcode) {
      case DELETE_IO_SQ: return "Delete I/O Submission Queue";
      case CREATE_IO_SQ: return "Create I/O Submission Queue";
      case GET_LOG_PAGE: return "Get Log Page";
      case DELETE_IO_CQ: return "Delete I/O Completion Queue";
      case CREATE_IO_CQ: return "Create I/O Completion Queue";
      case IDENTIFY: return "Identify";
      case ABORT: return "Abort";
      case SET_FEATURES: return "Set Features";
      case GET_FEATURES: return "Get Features";
      case ASYNC_EVENT_REQUEST: return "Asynchronous Event Request";
      case NAMESPACE_MANAGEMENT: return "Namespace Management";
      case FIRMWARE_COMMIT: return "Firmware Commit";
      case FIRMWARE_IMAGE_DOWNLOAD: return "Firmware Image Download";
      case DEVICE_SELF_TEST: return "Device Self-test";
      case NAMESPACE_ATTACHMENT: return "Namespace Attachment";
      case KEEP_ALIVE: return "Keep Alive";
      case DIRECTIVE_SEND: return "Directive Send";
      case DIRECTIVE_RECEIVE: return "Directive Receive";
      case VIRTUALIZATION_MANAGEMENT: return "Virtualization Management";
      case NVME_MI_SEND: return "NVMe-MI Send";
      case NVME_MI_RECEIVE: return "NVMe-MI Receive";
      case CAPACITY_MANAGEMENT: return "Capacity Management";
      case LOCKDOWN: return "Lockdown";
      case DOORBELL_BUFFER_CONFIG: return "Doorbell Buffer Config";
      case FABRICS: return "Fabrics Command";
      case FORMAT_NVM: return "Format NVM";
      case SECURITY_SEND: return "Security Send";
      case SECURITY_RECEIVE: return "Security Receive";
      case SANITIZE: return "Sanitize";
      case GET_LBA_STATUS: return "Get LBA Status";
      default: return String.format("Admin opcode 0x%02x", opcode);
    }
  }
}
