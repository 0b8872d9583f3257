package dev.mpath.scsi.iscsi;

/** iSCSI opcodes (RFC 7143 11.2.1.2): 6 bits, initiator 00h-1Fh, target 20h-3Fh. */
public final class Opcode {
  private Opcode() {}

  // Initiator opcodes.
  public static final int NOP_OUT = 0x00;
  public static final int SCSI_COMMAND = 0x01;
  public static final int TASK_MGMT_REQUEST = 0x02;
  public static final int LOGIN_REQUEST = 0x03;
  public static final int TEXT_REQUEST = 0x04;
  public static final int DATA_OUT = 0x05;
  public static final int LOGOUT_REQUEST = 0x06;
  public static final int SNACK_REQUEST = 0x10;

  // Target opcodes.
  public static final int NOP_IN = 0x20;
  public static final int SCSI_RESPONSE = 0x21;
  public static final int TASK_MGMT_RESPONSE = 0x22;
  public static final int LOGIN_RESPONSE = 0x23;
  public static final int TEXT_RESPONSE = 0x24;
  public static final int DATA_IN = 0x25;
  public static final int LOGOUT_RESPONSE = 0x26;
  public static final int R2T = 0x31;
  public static final int ASYNC_MESSAGE = 0x32;
  public static final int REJECT = 0x3F;

  /** Whether an initiator may send this opcode (the ones this package knows). */
  public static boolean isInitiatorOpcode(int op) {
    return op >= NOP_OUT && op <= LOGOUT_REQUEST || op == SNACK_REQUEST;
  }

  /** Whether a target may send this opcode. */
  public static boolean isTargetOpcode(int op) {
    return op >= NOP_IN && op <= LOGOUT_RESPONSE || op == R2T || op == ASYNC_MESSAGE || op == REJECT;
  }

  public static String name(int op) {
    switch (op) {
      case NOP_OUT: return "NOP-Out";
      case SCSI_COMMAND: return "SCSI Command";
      case TASK_MGMT_REQUEST: return "Task Management Request";
      case LOGIN_REQUEST: return "Login Request";
      case TEXT_REQUEST: return "Text Request";
      case DATA_OUT: return "SCSI Data-Out";
      case LOGOUT_REQUEST: return "Logout Request";
      case SNACK_REQUEST: return "SNACK Request";
      case NOP_IN: return "NOP-In";
      case SCSI_RESPONSE: return "SCSI Response";
      case TASK_MGMT_RESPONSE: return "Task Management Response";
      case LOGIN_RESPONSE: return "Login Response";
      case TEXT_RESPONSE: return "Text Response";
      case DATA_IN: return "SCSI Data-In";
      case LOGOUT_RESPONSE: return "Logout Response";
      case R2T: return "Ready To Transfer";
      case ASYNC_MESSAGE: return "Asynchronous Message";
      case REJECT: return "Reject";
      default: return String.format("opcode %02Xh", op);
    }
  }
}
