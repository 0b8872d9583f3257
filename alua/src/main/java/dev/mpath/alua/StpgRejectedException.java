package dev.mpath.alua;

/**
 * A SET TARGET PORT GROUPS command the device server must refuse. Nothing was changed: the
 * whole parameter list is validated before any group changes.
 *
 * <p>The device server terminates the command with CHECK CONDITION, sense key
 * {@link #senseKey()} and {@link #additionalSenseCode()}/{@link #additionalSenseCodeQualifier()};
 * {@link #fieldOffset()} (when not -1) is the FIELD POINTER, in the parameter list unless
 * {@link #inCdb()}.
 */
public final class StpgRejectedException extends AluaProtocolException {
  private static final long serialVersionUID = 1L;

  /** Why the command was refused. */
  public enum Reason {
    /** The device server does not support explicit ALUA (TPGS lacks explicit): INVALID FIELD IN CDB on the service action. */
    EXPLICIT_NOT_SUPPORTED(AluaSense.ASC_INVALID_FIELD_IN_CDB),
    /** The list is not 4 bytes + whole descriptors: PARAMETER LIST LENGTH ERROR. */
    PARAMETER_LIST_LENGTH(AluaSense.ASC_PARAMETER_LIST_LENGTH_ERROR),
    /** A reserved state code, or transitioning (never settable): INVALID FIELD IN PARAMETER LIST. */
    INVALID_STATE(AluaSense.ASC_INVALID_FIELD_IN_PARAMETER_LIST),
    /** A state the group does not support: INVALID FIELD IN PARAMETER LIST. */
    UNSUPPORTED_STATE(AluaSense.ASC_INVALID_FIELD_IN_PARAMETER_LIST),
    /** A group id the logical unit does not have: INVALID FIELD IN PARAMETER LIST. */
    UNKNOWN_GROUP(AluaSense.ASC_INVALID_FIELD_IN_PARAMETER_LIST),
    /** The same group twice in one list: INVALID FIELD IN PARAMETER LIST. */
    DUPLICATE_GROUP(AluaSense.ASC_INVALID_FIELD_IN_PARAMETER_LIST);

    private final int asc;

    Reason(int asc) {
      this.asc = asc;
    }
  }

  private final Reason reason;

  /**
   * @param reason why
   * @param message details, with the offending values
   * @param fieldOffset FIELD POINTER (byte offset), or -1
   */
  public StpgRejectedException(Reason reason, String message, int fieldOffset) {
    super(message, fieldOffset);
    this.reason = reason;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }

  /** Always ILLEGAL REQUEST. */
  public int senseKey() {
    return AluaSense.ILLEGAL_REQUEST;
  }

  /** The ADDITIONAL SENSE CODE for the reason. */
  public int additionalSenseCode() {
    return reason.asc;
  }

  /** The ADDITIONAL SENSE CODE QUALIFIER (always 00h for these codes). */
  public int additionalSenseCodeQualifier() {
    return 0;
  }

  /** Whether {@link #fieldOffset()} points into the CDB (C/D bit) rather than the parameter list. */
  public boolean inCdb() {
    return reason == Reason.EXPLICIT_NOT_SUPPORTED;
  }
}
