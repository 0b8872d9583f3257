package dev.mpath.internal;

import dev.mpath.MultipathEvent;
import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The head's path checker (multipathd's checker loop, Linux {@code nvme_mpath} has none of its
 * own): every check interval it asks each attached path for a check, bounded by the path's
 * check timeout or the head's, and turns the verdict into a fault or a reinstatement.
 *
 * <p>Thread-safety: its timer and each path's check sequence are guarded by the head's lock;
 * the checks themselves and their answers run on the scheduler, without the lock.
 */
final class PathChecker {
  private final Head head;
  private final HeadReservations reservations;
  private final Scheduler scheduler;
  private final long intervalNanos;
  private final Duration timeout;
  private Scheduler.Cancellable timer; // under the head's lock

  PathChecker(Head head, HeadReservations reservations, Scheduler scheduler, long intervalNanos,
      Duration timeout) {
    this.head = head;
    this.reservations = reservations;
    this.scheduler = scheduler;
    this.intervalNanos = intervalNanos;
    this.timeout = timeout;
  }

  /**
   * Schedules the next round unless one is scheduled, checking is off or the head is gone.
   * Under the head's lock.
   */
  void ensure() {
    if (intervalNanos > 0 && timer == null && head.isPresent()) {
      timer = scheduler.schedule(this::runChecks, intervalNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Stops the rounds (the head lost its last path, or closes). Under the head's lock. */
  void stop() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void runChecks() {
    synchronized (head.lock()) {
      timer = null;
      ensure();
    }
    for (PathNode p : head.pathNodes()) {
      int seq;
      synchronized (head.lock()) {
        if (p.checking || p.detached) {
          continue; // the last check is still out: its timeout decides
        }
        p.checking = true;
        seq = ++p.checkSeq;
      }
      Duration bound = p.path.checkTimeout() != null ? p.path.checkTimeout() : timeout;
      Scheduler.Cancellable t = scheduler.schedule(() -> {
        if (checkDone(p, seq)) {
          Head.LOG.infoFor(p.name, "{}: path {} checker did not answer within {} ms", head.name(), p.name,
              bound.toMillis());
          checked(p, false);
        }
      }, bound.toNanos(), TimeUnit.NANOSECONDS);
      CompletableFuture<Boolean> f;
      try {
        f = p.path.check();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((ok, ex) -> {
        if (checkDone(p, seq)) {
          t.cancel();
          checked(p, ex == null && Boolean.TRUE.equals(ok));
        }
      });
    }
  }

  /** Ends check {@code seq} of {@code p}; false when it had ended already (answer or timeout). */
  private boolean checkDone(PathNode p, int seq) {
    synchronized (head.lock()) {
      if (!p.checking || p.checkSeq != seq) {
        return false;
      }
      p.checking = false;
      return true;
    }
  }

  /** A checker verdict: reinstate a faulted path that passes, fault a usable one that fails. */
  void checked(PathNode p, boolean ok) {
    MultipathEvent event = null;
    synchronized (head.lock()) {
      if (p.detached || !p.reportedUsable()) {
        return;
      }
      if (ok && p.faulted) {
        p.faulted = false;
        reservations.gateIfNeeded(p);
        event = new MultipathEvent.PathFaulted(head, p, false);
      } else if (!ok && !p.faulted) {
        p.faulted = true;
        event = new MultipathEvent.PathFaulted(head, p, true);
      }
      if (event != null) {
        head.rebuild();
      }
    }
    if (event != null) {
      head.publish(event);
    }
  }
}
