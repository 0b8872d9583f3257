package dev.mpath.spi;

import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import java.util.concurrent.TimeUnit;

/**
 * The head's side of one attached path, given to the provider by
 * {@link ProviderContext#attach(ProviderPath)}. Thread-safe.
 */
public interface PathSink {

  /** The path's name as the head assigned it. */
  String name();

  /** The head the path belongs to. */
  MultipathDevice device();

  /**
   * Reports the end of an attempt. For {@link Disposition#SUCCESS} {@code error} is
   * ignored (pass {@code null}); for the other verdicts it is what the caller gets if the
   * head gives up: an {@link dev.mpath.MpathException} subtype for target errors.
   */
  void complete(IoRequest attempt, Disposition disposition, Throwable error);

  /**
   * {@link Disposition#RETRY} after a delay (NVMe Command Retry Delay): the attempt is
   * resubmitted on this path after {@code delay}, within the retry bound.
   */
  void retry(IoRequest attempt, Throwable error, long delay, TimeUnit unit);

  /** The path's state, access state, priority or preference changed: re-read them. */
  void stateChanged();

  /**
   * The path is gone for good (controller deleted, namespace detached, port removed).
   * Requests still in flight on it must be completed by the provider first, normally with
   * {@link Disposition#PATH_ERROR}.
   */
  void detach();
}
