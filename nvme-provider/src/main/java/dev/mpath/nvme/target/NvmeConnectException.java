package dev.mpath.nvme.target;

import java.io.IOException;

/** A Fabrics Connect to an {@link NvmeSubsystem} was refused. */
public final class NvmeConnectException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why the connect was refused. */
  public enum Reason {
    /** No such port id in the subsystem. */
    UNKNOWN_PORT,
    /** The port was killed by fault injection ({@link Faults#kill()}) and not revived. */
    PORT_DISABLED,
    /** The subsystem is closed. */
    SUBSYSTEM_CLOSED,
    /** Every dynamic controller id (1..FFEFh) is in use. */
    NO_CONTROLLER_ID
  }

  private final Reason reason;

  /** A refusal for {@code reason}. */
  public NvmeConnectException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why the connect was refused. */
  public Reason reason() {
    return reason;
  }
}
