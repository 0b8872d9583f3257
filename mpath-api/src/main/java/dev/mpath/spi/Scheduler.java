package dev.mpath.spi;

import java.util.concurrent.TimeUnit;

/**
 * Time source and timer used by the head and by providers for every delay, timeout and
 * periodic task (retry delays, ANATT, implicit transition timeout, delayed removal,
 * deferred failback, path checking).
 *
 * <p>Everything time-dependent in mpath goes through this interface so that tests can
 * drive time by hand and never sleep. Implementations must be thread-safe. Tasks run on
 * an implementation-defined thread and must not block.
 */
public interface Scheduler {

  /** Monotonic time in nanoseconds, with the semantics of {@link System#nanoTime()}. */
  long nanoTime();

  /**
   * Runs {@code task} once after {@code delay}. A delay of zero or less runs it as soon as
   * possible (never on the caller's stack).
   *
   * @return a handle that cancels the task if it has not started yet
   */
  Cancellable schedule(Runnable task, long delay, TimeUnit unit);

  /** A scheduled task that may still be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet; idempotent. */
    void cancel();
  }
}
