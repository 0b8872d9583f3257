package dev.mpath.alua;

/**
 * The parameter data announces more bytes than the buffer holds: typically the RTPG RETURN
 * DATA LENGTH exceeds what the allocation length let through (SPC-4 6.37: the device server
 * truncates to the allocation length but still reports the full length).
 *
 * <p>An application client may repeat the command with {@link #requiredLength()} as the
 * allocation length, after checking it against its own bound.
 */
public final class IncompleteDataException extends AluaProtocolException {
  private static final long serialVersionUID = 1L;

  private final long requiredLength;
  private final int availableLength;

  /**
   * @param what the kind of data, for the message
   * @param requiredLength total bytes the data announces (header included)
   * @param availableLength bytes actually available
   */
  public IncompleteDataException(String what, long requiredLength, int availableLength) {
    super(what + " announces " + requiredLength + " bytes but only " + availableLength
        + " are available", 0);
    this.requiredLength = requiredLength;
    this.availableLength = availableLength;
  }

  /** Total length the data announces, header included (up to 2^32 + 3). */
  public long requiredLength() {
    return requiredLength;
  }

  /** Bytes that were available to the decoder. */
  public int availableLength() {
    return availableLength;
  }
}
