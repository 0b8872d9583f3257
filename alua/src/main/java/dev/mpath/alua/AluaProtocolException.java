package dev.mpath.alua;

/**
 * Malformed or unacceptable ALUA protocol data: a CDB, RTPG parameter data or an STPG
 * parameter list that does not follow SPC-4, or a field value the standard reserves.
 *
 * <p>Every decoder in this package checks lengths before it reads and throws this exception
 * (never {@link ArrayIndexOutOfBoundsException}, never a huge allocation). When the error
 * concerns one field, {@link #fieldOffset()} gives its byte offset in the decoded buffer so a
 * device server can fill the sense-key specific FIELD POINTER; otherwise it is -1.
 */
public class AluaProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int fieldOffset;

  /** An error not tied to one field ({@link #fieldOffset()} is -1). */
  public AluaProtocolException(String message) {
    this(message, -1);
  }

  /**
   * @param message what is wrong, with the offending value and offset
   * @param fieldOffset byte offset of the offending field in the decoded buffer, or -1
   */
  public AluaProtocolException(String message, int fieldOffset) {
    super(message);
    this.fieldOffset = fieldOffset;
  }

  /** Byte offset of the offending field in the decoded buffer, or -1 when not applicable. */
  public int fieldOffset() {
    return fieldOffset;
  }
}
