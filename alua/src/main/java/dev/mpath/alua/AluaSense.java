package dev.mpath.alua;

/**
 * The sense codes ALUA logic cares about (SPC-4 4.5.6 and Annex D), and the host-side rule of
 * which ones call for a fresh REPORT TARGET PORT GROUPS.
 */
public final class AluaSense {
  /** Sense key NOT READY. */
  public static final int NOT_READY = 0x2;
  /** Sense key ILLEGAL REQUEST. */
  public static final int ILLEGAL_REQUEST = 0x5;
  /** Sense key UNIT ATTENTION. */
  public static final int UNIT_ATTENTION = 0x6;

  /** ASC 04h: LOGICAL UNIT NOT READY, ... */
  public static final int ASC_LOGICAL_UNIT_NOT_READY = 0x04;
  /** ASCQ 0Ah with ASC 04h: ASYMMETRIC ACCESS STATE TRANSITION. */
  public static final int ASCQ_ASYMMETRIC_ACCESS_STATE_TRANSITION = 0x0A;
  /** ASC 1Ah: PARAMETER LIST LENGTH ERROR (ASCQ 00h). */
  public static final int ASC_PARAMETER_LIST_LENGTH_ERROR = 0x1A;
  /** ASC 20h: INVALID COMMAND OPERATION CODE (ASCQ 00h). */
  public static final int ASC_INVALID_COMMAND_OPERATION_CODE = 0x20;
  /** ASC 24h: INVALID FIELD IN CDB (ASCQ 00h). */
  public static final int ASC_INVALID_FIELD_IN_CDB = 0x24;
  /** ASC 26h: INVALID FIELD IN PARAMETER LIST (ASCQ 00h). */
  public static final int ASC_INVALID_FIELD_IN_PARAMETER_LIST = 0x26;
  /** ASC 29h: POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (any ASCQ). */
  public static final int ASC_POWER_ON_OR_RESET = 0x29;
  /** ASC 2Ah: PARAMETERS CHANGED. */
  public static final int ASC_PARAMETERS_CHANGED = 0x2A;
  /** ASCQ 06h with ASC 2Ah: ASYMMETRIC ACCESS STATE CHANGED. */
  public static final int ASCQ_ASYMMETRIC_ACCESS_STATE_CHANGED = 0x06;
  /** ASCQ 07h with ASC 2Ah: IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED. */
  public static final int ASCQ_IMPLICIT_TRANSITION_FAILED = 0x07;
  /** ASC 3Fh: target operating conditions have changed. */
  public static final int ASC_OPERATING_CONDITIONS_CHANGED = 0x3F;
  /** ASCQ 03h with ASC 3Fh: INQUIRY DATA HAS CHANGED. */
  public static final int ASCQ_INQUIRY_DATA_CHANGED = 0x03;
  /** ASCQ 0Eh with ASC 3Fh: REPORTED LUNS DATA HAS CHANGED. */
  public static final int ASCQ_REPORTED_LUNS_DATA_CHANGED = 0x0E;

  private AluaSense() {}

  /** NOT READY, 04h/0Ah: the logical unit is in an asymmetric access state transition. */
  public static boolean isTransitioning(int senseKey, int asc, int ascq) {
    return senseKey == NOT_READY
        && asc == ASC_LOGICAL_UNIT_NOT_READY
        && ascq == ASCQ_ASYMMETRIC_ACCESS_STATE_TRANSITION;
  }

  /**
   * Whether this sense means the path's ALUA state must be read again (as Linux scsi_dh_alua
   * does): UNIT ATTENTION with 2Ah/06h, 2Ah/07h, 29h/any, 3Fh/03h or 3Fh/0Eh, or NOT READY
   * 04h/0Ah. The sense key is checked too: the same ASC/ASCQ under another key is not an
   * ALUA event.
   */
  public static boolean requiresRecheck(int senseKey, int asc, int ascq) {
    if (isTransitioning(senseKey, asc, ascq)) {
      return true;
    }
    if (senseKey != UNIT_ATTENTION) {
      return false;
    }
    switch (asc) {
      case ASC_POWER_ON_OR_RESET:
        return true;
      case ASC_PARAMETERS_CHANGED:
        return ascq == ASCQ_ASYMMETRIC_ACCESS_STATE_CHANGED
            || ascq == ASCQ_IMPLICIT_TRANSITION_FAILED;
      case ASC_OPERATING_CONDITIONS_CHANGED:
        return ascq == ASCQ_INQUIRY_DATA_CHANGED || ascq == ASCQ_REPORTED_LUNS_DATA_CHANGED;
      default:
        return false;
    }
  }
}
