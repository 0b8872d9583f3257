package dev.mpath.spi;

import dev.mpath.MpathException;

/**
 * A command failed because of its path (transport loss, controller not ready, path-related
 * status), not because the device refused it. Used by providers for commands outside the
 * block I/O path (reservations, identification) so the head knows another path may work.
 */
public class PathFailureException extends MpathException {
  private static final long serialVersionUID = 1L;

  public PathFailureException(String message) {
    super(message);
  }

  public PathFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
