package dev.mpath;

/**
 * No path could carry the request: none was usable and none could become usable, the
 * request waited on the requeue list past its bound, or the head was removed (delayed
 * removal expired). The device itself did not reject the I/O; it may succeed later.
 */
public class NoPathException extends MpathException {
  private static final long serialVersionUID = 1L;

  public NoPathException(String message) {
    super(message);
  }

  public NoPathException(String message, Throwable cause) {
    super(message, cause);
  }
}
