package dev.mpath.nvme.proto;

import java.io.IOException;

/**
 * A structure received from a peer is malformed: too short for its fixed part, a count or
 * length field that runs past the bytes present, or a reserved value in a field the receiver
 * must act on.
 *
 * <p>It is an {@link IOException} on purpose: a misbehaving peer costs one path (the
 * transport fails it like any other I/O error), never the head.
 */
public class NvmeProtocolException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String structure;
  private final long expectedLength;
  private final long actualLength;

  /**
   * A malformed structure that is not a length problem.
   *
   * @param structure the structure being decoded, as the specification names it
   * @param detail what is wrong
   */
  public NvmeProtocolException(String structure, String detail) {
    super(structure + ": " + detail);
    this.structure = structure;
    this.expectedLength = -1;
    this.actualLength = -1;
  }

  private NvmeProtocolException(String structure, String detail, long expected, long actual) {
    super(structure + ": " + detail);
    this.structure = structure;
    this.expectedLength = expected;
    this.actualLength = actual;
  }

  /**
   * The buffer holds fewer bytes than the structure (or its count fields) require.
   *
   * @param structure the structure being decoded
   * @param expected bytes required
   * @param actual bytes present
   * @return the exception, for the caller to throw
   */
  public static NvmeProtocolException tooShort(String structure, long expected, long actual) {
    return new NvmeProtocolException(
        structure,
        "buffer too short: need " + expected + " bytes, have " + actual,
        expected,
        actual);
  }

  /**
   * A count or length field claims more than the buffer holds.
   *
   * @param structure the structure being decoded
   * @param field the field name as the specification spells it
   * @param value the value received (unsigned)
   * @param expected bytes the value implies
   * @param actual bytes present
   * @return the exception, for the caller to throw
   */
  public static NvmeProtocolException overrun(
      String structure, String field, long value, long expected, long actual) {
    return new NvmeProtocolException(
        structure,
        field + "=" + value + " runs past the end: needs " + expected + " bytes, have " + actual,
        expected,
        actual);
  }

  /** The structure's name as the specification spells it. */
  public String structure() {
    return structure;
  }

  /** Bytes the structure required, or -1 when this is not a length error. */
  public long expectedLength() {
    return expectedLength;
  }

  /** Bytes the buffer held, or -1 when this is not a length error. */
  public long actualLength() {
    return actualLength;
  }
}
