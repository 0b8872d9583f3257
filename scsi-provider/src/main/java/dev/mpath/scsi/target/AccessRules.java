package dev.mpath.scsi.target;

import dev.mpath.alua.AluaState;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.OperationCode;

/**
 * Which commands a logical unit runs in which situation: the opcodes it implements, the unit
 * attention exemptions (SAM-5 5.14 / SPC-4 5.14), what each asymmetric access state lets
 * through (SPC-4 5.16.2.4, with the lists Linux LIO uses) and how a command counts for
 * persistent reservation conflicts (SPC-4 table "SPC commands that are allowed in the
 * presence of various reservations", SBC-3 4.17).
 */
final class AccessRules {
  private AccessRules() {}

  static final int LOG_SELECT = 0x4C;
  static final int LOG_SENSE = 0x4D;
  static final int RECEIVE_DIAGNOSTIC_RESULTS = 0x1C;
  static final int SEND_DIAGNOSTIC = 0x1D;
  static final int READ_BUFFER = 0x3C;
  static final int WRITE_BUFFER = 0x3B;
  static final int SA_TARGET_PORT_GROUPS = 0x0A;

  /** How a command is judged against a persistent reservation. */
  enum PrClass {
    /** Allowed whatever the reservation (INQUIRY, REPORT LUNS, PR IN/OUT, TUR, READ CAPACITY...). */
    ALWAYS,
    /** Reads the medium or device state: refused only by the exclusive access types. */
    READ,
    /** Everything else: refused by every type to non-holders, allowed to registrants of RO/AR. */
    WRITE
  }

  /** Whether the device server implements {@code opcode} ({@link SupportedCommands}). */
  static boolean implemented(int opcode) {
    return SupportedCommands.implemented(opcode);
  }

  /**
   * Commands that neither report nor clear a pending unit attention (REQUEST SENSE reports it
   * as its parameter data instead).
   */
  static boolean unitAttentionExempt(int opcode) {
    return opcode == OperationCode.INQUIRY || opcode == OperationCode.REPORT_LUNS
        || opcode == OperationCode.REQUEST_SENSE;
  }

  /**
   * The NOT READY additional sense for a command refused in {@code state}, or null when the
   * state lets it through.
   */
  static Asc aluaRefusal(AluaState state, int opcode, int serviceAction) {
    switch (state) {
      case ACTIVE_OPTIMIZED:
      case ACTIVE_NON_OPTIMIZED:
      case LOGICAL_BLOCK_DEPENDENT:
        return null;
      case STANDBY:
        return allowedInStandby(opcode, serviceAction) ? null
            : Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE;
      case UNAVAILABLE:
        return allowedInUnavailable(opcode, serviceAction) ? null
            : Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE;
      case TRANSITIONING:
        return allowedInTransitioning(opcode, serviceAction) ? null
            : Asc.LU_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION;
      case OFFLINE:
        return allowedInOffline(opcode, serviceAction) ? null : Asc.LU_NOT_READY_OFFLINE;
      default:
        throw new AssertionError(state);
    }
  }

  private static boolean isRtpg(int opcode, int sa) {
    return opcode == OperationCode.MAINTENANCE_IN && sa == SA_TARGET_PORT_GROUPS;
  }

  private static boolean isStpg(int opcode, int sa) {
    return opcode == OperationCode.MAINTENANCE_OUT && sa == SA_TARGET_PORT_GROUPS;
  }

  /** SPC-4 5.16.2.4.4 (and LIO: READ CAPACITY (16) too, so hosts can size standby paths). */
  static boolean allowedInStandby(int opcode, int sa) {
    switch (opcode) {
      case OperationCode.INQUIRY:
      case LOG_SELECT:
      case LOG_SENSE:
      case OperationCode.MODE_SELECT_6:
      case OperationCode.MODE_SENSE_6:
      case OperationCode.MODE_SELECT_10:
      case OperationCode.MODE_SENSE_10:
      case OperationCode.REPORT_LUNS:
      case RECEIVE_DIAGNOSTIC_RESULTS:
      case SEND_DIAGNOSTIC:
      case OperationCode.REQUEST_SENSE:
      case OperationCode.PERSISTENT_RESERVE_IN:
      case OperationCode.PERSISTENT_RESERVE_OUT:
      case READ_BUFFER:
      case WRITE_BUFFER:
        return true;
      case OperationCode.SERVICE_ACTION_IN_16:
        return sa == OperationCode.SA_READ_CAPACITY_16;
      default:
        return isRtpg(opcode, sa) || isStpg(opcode, sa);
    }
  }

  /** SPC-4 5.16.2.4.5. */
  static boolean allowedInUnavailable(int opcode, int sa) {
    switch (opcode) {
      case OperationCode.INQUIRY:
      case OperationCode.REPORT_LUNS:
      case OperationCode.REQUEST_SENSE:
      case READ_BUFFER:
      case WRITE_BUFFER:
        return true;
      default:
        return isRtpg(opcode, sa) || isStpg(opcode, sa);
    }
  }

  /** SPC-4 5.16.2.4.6: no SET TARGET PORT GROUPS while a transition is in progress. */
  static boolean allowedInTransitioning(int opcode, int sa) {
    switch (opcode) {
      case OperationCode.INQUIRY:
      case OperationCode.REPORT_LUNS:
      case OperationCode.REQUEST_SENSE:
      case READ_BUFFER:
      case WRITE_BUFFER:
        return true;
      default:
        return isRtpg(opcode, sa);
    }
  }

  /** Offline: only what a host needs to see that the port is offline. */
  static boolean allowedInOffline(int opcode, int sa) {
    switch (opcode) {
      case OperationCode.INQUIRY:
      case OperationCode.REPORT_LUNS:
      case OperationCode.REQUEST_SENSE:
        return true;
      default:
        return isRtpg(opcode, sa);
    }
  }

  /** How the command counts against a persistent reservation. */
  static PrClass prClass(int opcode, int sa) {
    switch (opcode) {
      case OperationCode.INQUIRY:
      case OperationCode.REPORT_LUNS:
      case OperationCode.REQUEST_SENSE:
      case OperationCode.TEST_UNIT_READY:
      case OperationCode.READ_CAPACITY_10:
      case OperationCode.PERSISTENT_RESERVE_IN:
      case OperationCode.PERSISTENT_RESERVE_OUT:
        return PrClass.ALWAYS;
      case OperationCode.SERVICE_ACTION_IN_16:
        return sa == OperationCode.SA_READ_CAPACITY_16 ? PrClass.ALWAYS : PrClass.READ;
      case OperationCode.MAINTENANCE_IN:
        return isRtpg(opcode, sa) || sa == OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES
            ? PrClass.ALWAYS : PrClass.READ;
      case OperationCode.READ_6:
      case OperationCode.READ_10:
      case OperationCode.READ_12:
      case OperationCode.READ_16:
      case OperationCode.MODE_SENSE_6:
      case OperationCode.MODE_SENSE_10:
      case LOG_SENSE:
      case OperationCode.VERIFY_10:
      case OperationCode.VERIFY_12:
      case OperationCode.VERIFY_16:
      case OperationCode.PRE_FETCH_10:
      case OperationCode.PRE_FETCH_16:
      case OperationCode.READ_DEFECT_DATA_10:
      case OperationCode.READ_DEFECT_DATA_12:
        return PrClass.READ;
      default:
        return PrClass.WRITE;
    }
  }
}
