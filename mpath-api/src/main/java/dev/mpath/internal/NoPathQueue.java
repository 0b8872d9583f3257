package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.NoPathException;
import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The head's queue for requests while no path is usable (dm-multipath's
 * {@code queue_if_no_path}, Linux {@code nvme_requeue_work} over {@code head->requeue_list}):
 * a request is parked with a deadline of the queue timeout, drained to the paths when the
 * snapshot changes, and failed when its deadline passes, when no path may become usable and
 * queueing is off, or when the head goes away.
 *
 * <p>Thread-safety: lock-free. Parking runs on the submitter's or completer's thread; at most
 * one drain and one sweep are scheduled at a time (each flag is cleared as its task starts,
 * so a request parked meanwhile schedules the next). Off the steady-state path: nothing here
 * runs while a path is usable.
 */
final class NoPathQueue {
  private final Head head;
  private final Scheduler scheduler;
  private final long timeoutNanos;
  private final RequeueList requeue = new RequeueList();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean sweepScheduled = new AtomicBoolean();

  NoPathQueue(Head head, Scheduler scheduler, long timeoutNanos) {
    this.head = head;
    this.scheduler = scheduler;
    this.timeoutNanos = timeoutNanos;
  }

  /** Parks {@code r} until a path is usable or its deadline, or fails it when it cannot wait. */
  void park(IoRequest r, RequestState st) {
    if (!head.snapshot().mayBecomeUsable && !head.queueIfNoPath()) {
      head.fail(r, st, new NoPathException(head.name() + ": no usable path"));
      return;
    }
    st.queueDeadlineNanos = scheduler.nanoTime() + timeoutNanos;
    head.counters.requeues.increment();
    requeue.add(r);
    scheduleSweep();
    // The snapshot may have changed since we looked: let the drain decide again.
    Snapshot s = head.snapshot();
    if (s.hasUsable() || !head.isPresent() || (!s.mayBecomeUsable && !head.queueIfNoPath())) {
      scheduleDrain();
    }
  }

  /** Schedules a drain of what is parked (after the snapshot or queueing changed), if any is parked. */
  void changed() {
    if (!requeue.isEmpty()) {
      scheduleDrain();
    }
  }

  /** Fails everything parked: the head is removed. */
  void failAll() {
    Duration delayedRemoval = head.delayedRemoval();
    for (IoRequest r : requeue.takeAll()) {
      head.fail(r, RequestState.of(r), new NoPathException(
          head.name() + ": device removed (no path returned"
              + (delayedRemoval.isZero() ? ")" : " within " + delayedRemoval.toSeconds() + " s)")));
    }
  }

  int size() {
    return requeue.size();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      scheduler.schedule(this::drain, 0, TimeUnit.NANOSECONDS);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    for (IoRequest r : requeue.takeAll()) {
      head.dispatch(r, RequestState.of(r));
    }
  }

  private void scheduleSweep() {
    if (sweepScheduled.compareAndSet(false, true)) {
      long delay = requeue.earliestDeadline(scheduler.nanoTime()) - scheduler.nanoTime();
      scheduler.schedule(this::sweep, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }
  }

  private void sweep() {
    sweepScheduled.set(false);
    for (IoRequest r : requeue.takeExpired(scheduler.nanoTime())) {
      head.fail(r, RequestState.of(r), new NoPathException(
          head.name() + ": no usable path within the queue timeout of "
              + Duration.ofNanos(timeoutNanos).toSeconds() + " s"));
    }
    if (!requeue.isEmpty()) {
      scheduleSweep();
    }
  }
}
