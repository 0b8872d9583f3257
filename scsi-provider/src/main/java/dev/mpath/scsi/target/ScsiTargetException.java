package dev.mpath.scsi.target;

/** A login to a {@link ScsiTarget} was refused. */
public final class ScsiTargetException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the login was refused. */
  public enum Reason {
    /** The target has no port with that relative target port identifier. */
    UNKNOWN_PORT,
    /** The port was killed through {@link Faults#kill()} and not revived. */
    PORT_KILLED,
    /** The target was closed. */
    TARGET_CLOSED,
    /** The initiator port name cannot name an initiator (empty, or no TransportID form). */
    INVALID_INITIATOR
  }

  private final Reason reason;

  /**
   * @param reason why
   * @param message details
   */
  public ScsiTargetException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why the login was refused. */
  public Reason reason() {
    return reason;
  }
}
