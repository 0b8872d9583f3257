package dev.mpath.nvme.proto;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The 15-bit Status field of a completion (NVMe Base 2.0, Completion Queue Entry: Status
 * Field): completion dword 3 bits 31:17, with the Phase Tag in bit 16 left out.
 *
 * <pre>
 *   bit 14     DNR  Do Not Retry
 *   bit 13     M    More (more status in the Error Information log page)
 *   bits 12:11 CRD  Command Retry Delay (index into CRDT1..CRDT3 of Identify Controller)
 *   bits 10:08 SCT  Status Code Type
 *   bits 07:00 SC   Status Code
 * </pre>
 *
 * <p>The <em>code</em> of a status is the compact {@code sct << 8 | sc}, e.g. {@code 0x302}
 * for Asymmetric Access Inaccessible; the constants here carry that code with DNR, M and CRD
 * clear. {@link #equals} compares the whole field; use {@link #is(NvmeStatus)} to compare
 * codes only. Instances are immutable.
 *
 * <p>The static {@code int} helpers ({@link #code(int)}, {@link #isPathError(int)}, ...)
 * classify a raw field without allocating, for the completion hot path.
 *
 * <p>Command Specific codes (SCT 1) depend on the command; the names given here are those
 * of the admin commands and NVM Command Set I/O commands (NVMe over Fabrics Connect reuses
 * 1/80h..1/84h with other meanings).
 */
public final class NvmeStatus {

  /** SC, bits 07:00. */
  public static final int SC_MASK = 0xFF;
  /** SCT, bits 10:08. */
  public static final int SCT_SHIFT = 8;
  /** CRD, bits 12:11. */
  public static final int CRD_SHIFT = 11;
  /** M (More), bit 13. */
  public static final int MORE_BIT = 1 << 13;
  /** DNR (Do Not Retry), bit 14. */
  public static final int DNR_BIT = 1 << 14;
  /** All 15 bits of the Status field. */
  public static final int FIELD_MASK = 0x7FFF;

  /** SCT 0h. */
  public static final int SCT_GENERIC = 0;
  /** SCT 1h. */
  public static final int SCT_COMMAND_SPECIFIC = 1;
  /** SCT 2h. */
  public static final int SCT_MEDIA_AND_DATA_INTEGRITY = 2;
  /** SCT 3h. */
  public static final int SCT_PATH_RELATED = 3;
  /** SCT 7h. */
  public static final int SCT_VENDOR_SPECIFIC = 7;

  private static final Map<Integer, String> NAMES = new HashMap<>();

  // Generic Command Status (SCT 0h)
  public static final NvmeStatus SUCCESS = define(0x000, "Successful Completion");
  public static final NvmeStatus INVALID_OPCODE = define(0x001, "Invalid Command Opcode");
  public static final NvmeStatus INVALID_FIELD = define(0x002, "Invalid Field in Command");
  public static final NvmeStatus COMMAND_ID_CONFLICT = define(0x003, "Command ID Conflict");
  public static final NvmeStatus DATA_TRANSFER_ERROR = define(0x004, "Data Transfer Error");
  public static final NvmeStatus ABORTED_POWER_LOSS =
      define(0x005, "Commands Aborted due to Power Loss Notification");
  public static final NvmeStatus INTERNAL_ERROR = define(0x006, "Internal Error");
  public static final NvmeStatus ABORT_REQUESTED = define(0x007, "Command Abort Requested");
  public static final NvmeStatus ABORTED_SQ_DELETION =
      define(0x008, "Command Aborted due to SQ Deletion");
  public static final NvmeStatus ABORTED_FAILED_FUSED =
      define(0x009, "Command Aborted due to Failed Fused Command");
  public static final NvmeStatus ABORTED_MISSING_FUSED =
      define(0x00A, "Command Aborted due to Missing Fused Command");
  public static final NvmeStatus INVALID_NAMESPACE_OR_FORMAT =
      define(0x00B, "Invalid Namespace or Format");
  public static final NvmeStatus COMMAND_SEQUENCE_ERROR = define(0x00C, "Command Sequence Error");
  public static final NvmeStatus INVALID_SGL_SEGMENT_DESCRIPTOR =
      define(0x00D, "Invalid SGL Segment Descriptor");
  public static final NvmeStatus INVALID_NUMBER_OF_SGL_DESCRIPTORS =
      define(0x00E, "Invalid Number of SGL Descriptors");
  public static final NvmeStatus DATA_SGL_LENGTH_INVALID = define(0x00F, "Data SGL Length Invalid");
  public static final NvmeStatus METADATA_SGL_LENGTH_INVALID =
      define(0x010, "Metadata SGL Length Invalid");
  public static final NvmeStatus SGL_DESCRIPTOR_TYPE_INVALID =
      define(0x011, "SGL Descriptor Type Invalid");
  public static final NvmeStatus INVALID_USE_OF_CMB =
      define(0x012, "Invalid Use of Controller Memory Buffer");
  public static final NvmeStatus PRP_OFFSET_INVALID = define(0x013, "PRP Offset Invalid");
  public static final NvmeStatus ATOMIC_WRITE_UNIT_EXCEEDED =
      define(0x014, "Atomic Write Unit Exceeded");
  public static final NvmeStatus OPERATION_DENIED = define(0x015, "Operation Denied");
  public static final NvmeStatus SGL_OFFSET_INVALID = define(0x016, "SGL Offset Invalid");
  public static final NvmeStatus HOST_IDENTIFIER_INCONSISTENT_FORMAT =
      define(0x018, "Host Identifier Inconsistent Format");
  public static final NvmeStatus KEEP_ALIVE_TIMER_EXPIRED =
      define(0x019, "Keep Alive Timer Expired");
  public static final NvmeStatus KEEP_ALIVE_TIMEOUT_INVALID =
      define(0x01A, "Keep Alive Timeout Invalid");
  public static final NvmeStatus ABORTED_PREEMPT_AND_ABORT =
      define(0x01B, "Command Aborted due to Preempt and Abort");
  public static final NvmeStatus SANITIZE_FAILED = define(0x01C, "Sanitize Failed");
  public static final NvmeStatus SANITIZE_IN_PROGRESS = define(0x01D, "Sanitize In Progress");
  public static final NvmeStatus SGL_DATA_BLOCK_GRANULARITY_INVALID =
      define(0x01E, "SGL Data Block Granularity Invalid");
  public static final NvmeStatus COMMAND_NOT_SUPPORTED_FOR_QUEUE_IN_CMB =
      define(0x01F, "Command Not Supported for Queue in CMB");
  public static final NvmeStatus NAMESPACE_WRITE_PROTECTED =
      define(0x020, "Namespace is Write Protected");
  public static final NvmeStatus COMMAND_INTERRUPTED = define(0x021, "Command Interrupted");
  public static final NvmeStatus TRANSIENT_TRANSPORT_ERROR =
      define(0x022, "Transient Transport Error");
  public static final NvmeStatus COMMAND_PROHIBITED_BY_LOCKDOWN =
      define(0x023, "Command Prohibited by Command and Feature Lockdown");
  public static final NvmeStatus ADMIN_COMMAND_MEDIA_NOT_READY =
      define(0x024, "Admin Command Media Not Ready");
  public static final NvmeStatus INVALID_IO_COMMAND_SET = define(0x02C, "Invalid I/O Command Set");
  public static final NvmeStatus LBA_OUT_OF_RANGE = define(0x080, "LBA Out of Range");
  public static final NvmeStatus CAPACITY_EXCEEDED = define(0x081, "Capacity Exceeded");
  public static final NvmeStatus NAMESPACE_NOT_READY = define(0x082, "Namespace Not Ready");
  public static final NvmeStatus RESERVATION_CONFLICT = define(0x083, "Reservation Conflict");
  public static final NvmeStatus FORMAT_IN_PROGRESS = define(0x084, "Format In Progress");

  // Command Specific Status (SCT 1h)
  public static final NvmeStatus COMPLETION_QUEUE_INVALID =
      define(0x100, "Completion Queue Invalid");
  public static final NvmeStatus INVALID_QUEUE_IDENTIFIER =
      define(0x101, "Invalid Queue Identifier");
  public static final NvmeStatus INVALID_QUEUE_SIZE = define(0x102, "Invalid Queue Size");
  public static final NvmeStatus ABORT_COMMAND_LIMIT_EXCEEDED =
      define(0x103, "Abort Command Limit Exceeded");
  public static final NvmeStatus ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED =
      define(0x105, "Asynchronous Event Request Limit Exceeded");
  public static final NvmeStatus INVALID_FIRMWARE_SLOT = define(0x106, "Invalid Firmware Slot");
  public static final NvmeStatus INVALID_FIRMWARE_IMAGE = define(0x107, "Invalid Firmware Image");
  public static final NvmeStatus INVALID_INTERRUPT_VECTOR =
      define(0x108, "Invalid Interrupt Vector");
  public static final NvmeStatus INVALID_LOG_PAGE = define(0x109, "Invalid Log Page");
  public static final NvmeStatus INVALID_FORMAT = define(0x10A, "Invalid Format");
  public static final NvmeStatus INVALID_QUEUE_DELETION = define(0x10C, "Invalid Queue Deletion");
  public static final NvmeStatus FEATURE_ID_NOT_SAVEABLE =
      define(0x10D, "Feature Identifier Not Saveable");
  public static final NvmeStatus FEATURE_NOT_CHANGEABLE = define(0x10E, "Feature Not Changeable");
  public static final NvmeStatus FEATURE_NOT_NAMESPACE_SPECIFIC =
      define(0x10F, "Feature Not Namespace Specific");
  public static final NvmeStatus OVERLAPPING_RANGE = define(0x114, "Overlapping Range");
  public static final NvmeStatus NAMESPACE_INSUFFICIENT_CAPACITY =
      define(0x115, "Namespace Insufficient Capacity");
  public static final NvmeStatus NAMESPACE_ID_UNAVAILABLE =
      define(0x116, "Namespace Identifier Unavailable");
  public static final NvmeStatus NAMESPACE_ALREADY_ATTACHED =
      define(0x118, "Namespace Already Attached");
  public static final NvmeStatus NAMESPACE_IS_PRIVATE = define(0x119, "Namespace Is Private");
  public static final NvmeStatus NAMESPACE_NOT_ATTACHED = define(0x11A, "Namespace Not Attached");
  public static final NvmeStatus THIN_PROVISIONING_NOT_SUPPORTED =
      define(0x11B, "Thin Provisioning Not Supported");
  public static final NvmeStatus CONTROLLER_LIST_INVALID = define(0x11C, "Controller List Invalid");
  public static final NvmeStatus INVALID_CONTROLLER_IDENTIFIER =
      define(0x11F, "Invalid Controller Identifier");
  public static final NvmeStatus ANA_GROUP_ID_INVALID =
      define(0x124, "ANA Group Identifier Invalid");
  public static final NvmeStatus ANA_ATTACH_FAILED = define(0x125, "ANA Attach Failed");
  /** NVM Command Set: Dataset Management, Write Zeroes, ... */
  public static final NvmeStatus CONFLICTING_ATTRIBUTES = define(0x180, "Conflicting Attributes");
  /** NVM Command Set. */
  public static final NvmeStatus INVALID_PROTECTION_INFORMATION =
      define(0x181, "Invalid Protection Information");
  /** NVM Command Set. */
  public static final NvmeStatus ATTEMPTED_WRITE_TO_READ_ONLY_RANGE =
      define(0x182, "Attempted Write to Read Only Range");

  // Media and Data Integrity Errors (SCT 2h)
  public static final NvmeStatus WRITE_FAULT = define(0x280, "Write Fault");
  public static final NvmeStatus UNRECOVERED_READ_ERROR = define(0x281, "Unrecovered Read Error");
  public static final NvmeStatus GUARD_CHECK_ERROR = define(0x282, "End-to-end Guard Check Error");
  public static final NvmeStatus APPLICATION_TAG_CHECK_ERROR =
      define(0x283, "End-to-end Application Tag Check Error");
  public static final NvmeStatus REFERENCE_TAG_CHECK_ERROR =
      define(0x284, "End-to-end Reference Tag Check Error");
  public static final NvmeStatus COMPARE_FAILURE = define(0x285, "Compare Failure");
  public static final NvmeStatus ACCESS_DENIED = define(0x286, "Access Denied");
  public static final NvmeStatus DEALLOCATED_OR_UNWRITTEN_BLOCK =
      define(0x287, "Deallocated or Unwritten Logical Block");
  public static final NvmeStatus STORAGE_TAG_CHECK_ERROR =
      define(0x288, "End-to-End Storage Tag Check Error");

  // Path Related Status (SCT 3h)
  public static final NvmeStatus INTERNAL_PATH_ERROR = define(0x300, "Internal Path Error");
  public static final NvmeStatus ANA_PERSISTENT_LOSS =
      define(0x301, "Asymmetric Access Persistent Loss");
  public static final NvmeStatus ANA_INACCESSIBLE = define(0x302, "Asymmetric Access Inaccessible");
  public static final NvmeStatus ANA_TRANSITION = define(0x303, "Asymmetric Access Transition");
  public static final NvmeStatus CONTROLLER_PATHING_ERROR =
      define(0x360, "Controller Pathing Error");
  public static final NvmeStatus HOST_PATHING_ERROR = define(0x370, "Host Pathing Error");
  public static final NvmeStatus COMMAND_ABORTED_BY_HOST = define(0x371, "Command Aborted By Host");

  private final int field;

  private NvmeStatus(int field) {
    this.field = field;
  }

  private static NvmeStatus define(int code, String name) {
    NAMES.put(code, name);
    return new NvmeStatus(code);
  }

  /** The status for a raw 15-bit Status field. */
  public static NvmeStatus fromField(int field) {
    Le.checkRange("Status field", field, 0, FIELD_MASK);
    if (field == 0) {
      return SUCCESS;
    }
    return new NvmeStatus(field);
  }

  /** The status in completion dword 3 (Status field in bits 31:17). */
  public static NvmeStatus fromCqeDw3(int dw3) {
    return fromField(dw3 >>> 17);
  }

  /** The status for a compact code {@code sct << 8 | sc} (0..0x7FF), DNR/M/CRD clear. */
  public static NvmeStatus ofCode(int code) {
    Le.checkRange("status code", code, 0, 0x7FF);
    return fromField(code);
  }

  /** The status for an SCT and SC, DNR/M/CRD clear. */
  public static NvmeStatus of(int sct, int sc) {
    Le.checkRange("SCT", sct, 0, 7);
    Le.checkRange("SC", sc, 0, 0xFF);
    return fromField(sct << SCT_SHIFT | sc);
  }

  /** Builds a raw Status field. */
  public static int field(int sct, int sc, int crd, boolean more, boolean dnr) {
    Le.checkRange("SCT", sct, 0, 7);
    Le.checkRange("SC", sc, 0, 0xFF);
    Le.checkRange("CRD", crd, 0, 3);
    return (dnr ? DNR_BIT : 0) | (more ? MORE_BIT : 0) | crd << CRD_SHIFT | sct << SCT_SHIFT | sc;
  }

  // ---- allocation-free helpers over a raw field ----

  /** SC of a raw field. */
  public static int sc(int field) {
    return field & SC_MASK;
  }

  /** SCT of a raw field. */
  public static int sct(int field) {
    return (field >>> SCT_SHIFT) & 0x7;
  }

  /** Compact code {@code sct << 8 | sc} of a raw field. */
  public static int code(int field) {
    return field & 0x7FF;
  }

  /** CRD of a raw field. */
  public static int crd(int field) {
    return (field >>> CRD_SHIFT) & 0x3;
  }

  /** M of a raw field. */
  public static boolean more(int field) {
    return (field & MORE_BIT) != 0;
  }

  /** DNR of a raw field. */
  public static boolean dnr(int field) {
    return (field & DNR_BIT) != 0;
  }

  /** Whether a raw field is Path Related Status (SCT 3h). */
  public static boolean isPathError(int field) {
    return sct(field) == SCT_PATH_RELATED;
  }

  /** Whether a raw field is one of the three asymmetric access codes (3/01h..3/03h). */
  public static boolean isAnaError(int field) {
    int c = code(field);
    return c >= 0x301 && c <= 0x303;
  }

  // ---- instance view ----

  /** The raw 15-bit Status field. */
  public int field() {
    return field;
  }

  /** SC, bits 07:00. */
  public int sc() {
    return sc(field);
  }

  /** SCT, bits 10:08. */
  public int sct() {
    return sct(field);
  }

  /** The type named by {@link #sct()}. */
  public StatusCodeType type() {
    return StatusCodeType.of(sct());
  }

  /** The compact code {@code sct << 8 | sc}. */
  public int code() {
    return code(field);
  }

  /** CRD, 0 (retry at once) or 1..3 (wait CRDT1..CRDT3 x 100 ms). */
  public int crd() {
    return crd(field);
  }

  /** M: more information in the Error Information log page. */
  public boolean more() {
    return more(field);
  }

  /** DNR: the command is expected to fail again if retried. */
  public boolean dnr() {
    return dnr(field);
  }

  /** A copy with DNR set or cleared. */
  public NvmeStatus withDnr(boolean dnr) {
    return fromField(dnr ? field | DNR_BIT : field & ~DNR_BIT);
  }

  /** A copy with M set or cleared. */
  public NvmeStatus withMore(boolean more) {
    return fromField(more ? field | MORE_BIT : field & ~MORE_BIT);
  }

  /** A copy with CRD set to 0..3. */
  public NvmeStatus withCrd(int crd) {
    Le.checkRange("CRD", crd, 0, 3);
    return fromField((field & ~(0x3 << CRD_SHIFT)) | crd << CRD_SHIFT);
  }

  /** Whether this has the same SCT and SC as {@code other} (DNR, M, CRD ignored). */
  public boolean is(NvmeStatus other) {
    return code() == other.code();
  }

  /** Successful Completion (SCT 0, SC 0). */
  public boolean isSuccess() {
    return code() == 0;
  }

  /** Path Related Status (SCT 3h): the command may succeed on another path. */
  public boolean isPathError() {
    return isPathError(field);
  }

  /** Asymmetric Access Persistent Loss, Inaccessible or Transition (3/01h..3/03h). */
  public boolean isAnaError() {
    return isAnaError(field);
  }

  /** Reservation Conflict (0/83h): never a reason to fail over. */
  public boolean isReservationConflict() {
    return code() == RESERVATION_CONFLICT.code();
  }

  /** The ANA state an asymmetric access status implies, if it is one. */
  public Optional<AnaState> impliedAnaState() {
    switch (code()) {
      case 0x301:
        return Optional.of(AnaState.PERSISTENT_LOSS);
      case 0x302:
        return Optional.of(AnaState.INACCESSIBLE);
      case 0x303:
        return Optional.of(AnaState.CHANGE);
      default:
        return Optional.empty();
    }
  }

  /** The specification's name for the code, or a generic description. */
  public String name() {
    String n = NAMES.get(code());
    if (n != null) {
      return n;
    }
    String type;
    switch (sct()) {
      case 0:
        type = "Generic";
        break;
      case 1:
        type = "Command Specific";
        break;
      case 2:
        type = "Media and Data Integrity";
        break;
      case 3:
        type = "Path Related";
        break;
      case 7:
        type = "Vendor Specific";
        break;
      default:
        type = "Reserved SCT " + sct();
        break;
    }
    return String.format("%s status 0x%02x", type, sc());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NvmeStatus && ((NvmeStatus) o).field == field;
  }

  @Override
  public int hashCode() {
    return field;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(48);
    sb.append(String.format("%s (sct=%d sc=0x%02x", name(), sct(), sc()));
    if (crd() != 0) {
      sb.append(" crd=").append(crd());
    }
    if (more()) {
      sb.append(" more");
    }
    if (dnr()) {
      sb.append(" dnr");
    }
    return sb.append(')').toString();
  }
}
