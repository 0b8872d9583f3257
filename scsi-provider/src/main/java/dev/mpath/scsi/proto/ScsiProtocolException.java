package dev.mpath.scsi.proto;

/**
 * A SCSI structure could not be decoded: it is shorter than its layout requires, a length
 * field points past the data that is present or claims more than the protocol can carry, or a
 * field holds a value the layout forbids.
 *
 * <p>Contract: every decoder in {@code dev.mpath.scsi.proto} checks lengths before it reads and
 * throws this exception (never {@link ArrayIndexOutOfBoundsException}, never an allocation sized
 * by an untrusted length field). The exception is unchecked so that codecs compose in streams
 * and lambdas; a host or target that takes bytes from a peer must catch it at the point where a
 * bad peer should cost one command or one path. Encoders reject bad <em>arguments</em> with
 * {@link IllegalArgumentException} instead: that is a programming error, not a protocol error.
 *
 * <p>When the failure is a length problem, {@link #expectedLength()} and {@link #actualLength()}
 * carry the numbers (otherwise both are {@code -1}).
 */
public class ScsiProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long expectedLength;
  private final long actualLength;

  /** A protocol error that is not about a length. */
  public ScsiProtocolException(String message) {
    this(message, -1, -1);
  }

  /** A protocol error about a length: {@code expected} bytes were needed, {@code actual} exist. */
  public ScsiProtocolException(String message, long expectedLength, long actualLength) {
    super(message);
    this.expectedLength = expectedLength;
    this.actualLength = actualLength;
  }

  /**
   * The input for {@code what} is shorter than its layout: "{@code what}: expected at least
   * {@code expected} bytes, got {@code actual}".
   */
  public static ScsiProtocolException tooShort(String what, long expected, long actual) {
    return new ScsiProtocolException(
        what + ": expected at least " + expected + " bytes, got " + actual, expected, actual);
  }

  /** Bytes the layout needed, or {@code -1} when this is not a length error. */
  public long expectedLength() {
    return expectedLength;
  }

  /** Bytes that were available, or {@code -1} when this is not a length error. */
  public long actualLength() {
    return actualLength;
  }
}
