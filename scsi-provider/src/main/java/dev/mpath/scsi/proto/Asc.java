package dev.mpath.scsi.proto;

import java.util.HashMap;
import java.util.Map;

/**
 * An ADDITIONAL SENSE CODE / ADDITIONAL SENSE CODE QUALIFIER pair (SPC-4 4.5.6, table "ASC and
 * ASCQ assignments"), with named constants for the ones a multipath stack acts on.
 *
 * <p>Families are tested with {@link #hasAsc(int)}, e.g. {@code asc.hasAsc(0x29)} for any
 * power-on/reset unit attention.
 *
 * @param asc   ADDITIONAL SENSE CODE, 0..255
 * @param ascq  ADDITIONAL SENSE CODE QUALIFIER, 0..255
 */
public record Asc(int asc, int ascq) {
  private static final Map<Asc, String> NAMES = new HashMap<>();

  public static final Asc NO_ADDITIONAL_SENSE = named(0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION");
  public static final Asc PERIPHERAL_DEVICE_WRITE_FAULT = named(0x03, 0x00, "PERIPHERAL DEVICE WRITE FAULT");
  // 04/xx: LOGICAL UNIT NOT READY / NOT ACCESSIBLE
  public static final Asc LU_NOT_READY_CAUSE_NOT_REPORTABLE = named(0x04, 0x00, "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE");
  public static final Asc LU_BECOMING_READY = named(0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY");
  public static final Asc LU_NOT_READY_INITIALIZING_COMMAND_REQUIRED = named(0x04, 0x02, "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED");
  public static final Asc LU_NOT_READY_MANUAL_INTERVENTION_REQUIRED = named(0x04, 0x03, "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED");
  public static final Asc LU_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION = named(0x04, 0x0A, "LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION");
  public static final Asc LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE = named(0x04, 0x0B, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE");
  public static final Asc LU_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE = named(0x04, 0x0C, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE");
  public static final Asc LU_NOT_READY_OFFLINE = named(0x04, 0x12, "LOGICAL UNIT NOT READY, OFFLINE");
  public static final Asc INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT = named(0x0E, 0x03, "INVALID FIELD IN COMMAND INFORMATION UNIT");
  public static final Asc WRITE_ERROR = named(0x0C, 0x00, "WRITE ERROR");
  public static final Asc UNRECOVERED_READ_ERROR = named(0x11, 0x00, "UNRECOVERED READ ERROR");
  public static final Asc MISCOMPARE_DURING_VERIFY_OPERATION = named(0x1D, 0x00, "MISCOMPARE DURING VERIFY OPERATION");
  public static final Asc PARAMETER_LIST_LENGTH_ERROR = named(0x1A, 0x00, "PARAMETER LIST LENGTH ERROR");
  public static final Asc INVALID_COMMAND_OPERATION_CODE = named(0x20, 0x00, "INVALID COMMAND OPERATION CODE");
  public static final Asc LBA_OUT_OF_RANGE = named(0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE");
  public static final Asc INVALID_FIELD_IN_CDB = named(0x24, 0x00, "INVALID FIELD IN CDB");
  public static final Asc LOGICAL_UNIT_NOT_SUPPORTED = named(0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED");
  public static final Asc INVALID_FIELD_IN_PARAMETER_LIST = named(0x26, 0x00, "INVALID FIELD IN PARAMETER LIST");
  public static final Asc INVALID_RELEASE_OF_PERSISTENT_RESERVATION = named(0x26, 0x04, "INVALID RELEASE OF PERSISTENT RESERVATION");
  public static final Asc WRITE_PROTECTED = named(0x27, 0x00, "WRITE PROTECTED");
  // 29/xx: POWER ON, RESET, OR BUS DEVICE RESET OCCURRED family
  public static final Asc POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED = named(0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED");
  public static final Asc POWER_ON_OCCURRED = named(0x29, 0x01, "POWER ON OCCURRED");
  public static final Asc SCSI_BUS_RESET_OCCURRED = named(0x29, 0x02, "SCSI BUS RESET OCCURRED");
  public static final Asc BUS_DEVICE_RESET_FUNCTION_OCCURRED = named(0x29, 0x03, "BUS DEVICE RESET FUNCTION OCCURRED");
  public static final Asc DEVICE_INTERNAL_RESET = named(0x29, 0x04, "DEVICE INTERNAL RESET");
  public static final Asc I_T_NEXUS_LOSS_OCCURRED = named(0x29, 0x07, "I_T NEXUS LOSS OCCURRED");
  // 2A/xx: PARAMETERS CHANGED family
  public static final Asc PARAMETERS_CHANGED = named(0x2A, 0x00, "PARAMETERS CHANGED");
  public static final Asc MODE_PARAMETERS_CHANGED = named(0x2A, 0x01, "MODE PARAMETERS CHANGED");
  public static final Asc RESERVATIONS_PREEMPTED = named(0x2A, 0x03, "RESERVATIONS PREEMPTED");
  public static final Asc RESERVATIONS_RELEASED = named(0x2A, 0x04, "RESERVATIONS RELEASED");
  public static final Asc REGISTRATIONS_PREEMPTED = named(0x2A, 0x05, "REGISTRATIONS PREEMPTED");
  public static final Asc ASYMMETRIC_ACCESS_STATE_CHANGED = named(0x2A, 0x06, "ASYMMETRIC ACCESS STATE CHANGED");
  public static final Asc IMPLICIT_ASYMMETRIC_ACCESS_STATE_TRANSITION_FAILED = named(0x2A, 0x07, "IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED");
  public static final Asc CAPACITY_DATA_HAS_CHANGED = named(0x2A, 0x09, "CAPACITY DATA HAS CHANGED");
  public static final Asc COMMAND_SEQUENCE_ERROR = named(0x2C, 0x00, "COMMAND SEQUENCE ERROR");
  public static final Asc SAVING_PARAMETERS_NOT_SUPPORTED = named(0x39, 0x00, "SAVING PARAMETERS NOT SUPPORTED");
  // 3E/xx: LOGICAL UNIT FAILURE family
  public static final Asc LU_HAS_NOT_SELF_CONFIGURED_YET = named(0x3E, 0x00, "LOGICAL UNIT HAS NOT SELF-CONFIGURED YET");
  public static final Asc LOGICAL_UNIT_FAILURE = named(0x3E, 0x01, "LOGICAL UNIT FAILURE");
  public static final Asc TIMEOUT_ON_LOGICAL_UNIT = named(0x3E, 0x02, "TIMEOUT ON LOGICAL UNIT");
  public static final Asc LU_FAILED_SELF_TEST = named(0x3E, 0x03, "LOGICAL UNIT FAILED SELF-TEST");
  // 3F/xx: TARGET OPERATING CONDITIONS HAVE CHANGED family
  public static final Asc TARGET_OPERATING_CONDITIONS_HAVE_CHANGED = named(0x3F, 0x00, "TARGET OPERATING CONDITIONS HAVE CHANGED");
  public static final Asc MICROCODE_HAS_BEEN_CHANGED = named(0x3F, 0x01, "MICROCODE HAS BEEN CHANGED");
  public static final Asc INQUIRY_DATA_HAS_CHANGED = named(0x3F, 0x03, "INQUIRY DATA HAS CHANGED");
  public static final Asc REPORTED_LUNS_DATA_HAS_CHANGED = named(0x3F, 0x0E, "REPORTED LUNS DATA HAS CHANGED");
  public static final Asc INTERNAL_TARGET_FAILURE = named(0x44, 0x00, "INTERNAL TARGET FAILURE");
  public static final Asc SCSI_PARITY_ERROR = named(0x47, 0x00, "SCSI PARITY ERROR");
  // 4B/xx: DATA PHASE ERROR family
  public static final Asc DATA_PHASE_ERROR = named(0x4B, 0x00, "DATA PHASE ERROR");
  public static final Asc INVALID_TARGET_PORT_TRANSFER_TAG_RECEIVED = named(0x4B, 0x01, "INVALID TARGET PORT TRANSFER TAG RECEIVED");
  public static final Asc TOO_MUCH_WRITE_DATA = named(0x4B, 0x02, "TOO MUCH WRITE DATA");
  public static final Asc ACK_NAK_TIMEOUT = named(0x4B, 0x03, "ACK/NAK TIMEOUT");
  public static final Asc NAK_RECEIVED = named(0x4B, 0x04, "NAK RECEIVED");
  public static final Asc DATA_OFFSET_ERROR = named(0x4B, 0x05, "DATA OFFSET ERROR");
  public static final Asc INITIATOR_RESPONSE_TIMEOUT = named(0x4B, 0x06, "INITIATOR RESPONSE TIMEOUT");
  public static final Asc INSUFFICIENT_RESERVATION_RESOURCES = named(0x55, 0x02, "INSUFFICIENT RESERVATION RESOURCES");
  public static final Asc INSUFFICIENT_REGISTRATION_RESOURCES = named(0x55, 0x04, "INSUFFICIENT REGISTRATION RESOURCES");

  public Asc {
    Bytes.checkRange("ASC", asc, 0, 0xFF);
    Bytes.checkRange("ASCQ", ascq, 0, 0xFF);
  }

  private static Asc named(int asc, int ascq, String name) {
    Asc a = new Asc(asc, ascq);
    NAMES.put(a, name);
    return a;
  }

  /** The pair for the given codes. */
  public static Asc of(int asc, int ascq) {
    return new Asc(asc, ascq);
  }

  /** Whether the ADDITIONAL SENSE CODE is {@code asc}, whatever the qualifier (a family test). */
  public boolean hasAsc(int asc) {
    return this.asc == asc;
  }

  /** The SPC-4 description for the constants of this class, else null. */
  public String description() {
    return NAMES.get(this);
  }

  /** {@code "04/0A"} plus the description when known. */
  @Override
  public String toString() {
    String d = description();
    String code = String.format("%02X/%02X", asc, ascq);
    return d == null ? code : code + " " + d;
  }
}
