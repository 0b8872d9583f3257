package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.MpathException;
import dev.mpath.TargetErrorException;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.Scheduler;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What the head does with an attempt that did not succeed (Linux {@code nvme_failover_req},
 * dm-multipath's {@code fail_path} and requeue): a path error faults the path and dispatches
 * the request again; a retry goes back to the same path, after the provider's delay, until
 * the head's retry budget on that path is used up, then to the next usable path, each path
 * getting its budget once; a target error ends the request.
 *
 * <p>Thread-safety: holds only the head's fixed configuration; runs on the thread that
 * completed the attempt (or on the scheduler for a delayed retry), which owns the request's
 * {@link RequestState}. It takes no lock; faulting a path takes the head's.
 */
final class Failover {
  private final Head head;
  private final Scheduler scheduler;
  private final int maxRetries;

  Failover(Head head, Scheduler scheduler, int maxRetries) {
    this.head = head;
    this.scheduler = scheduler;
    this.maxRetries = maxRetries;
  }

  /** An attempt of {@code r} on {@code p} ended with {@code d}, not SUCCESS. */
  void failed(PathNode p, IoRequest r, RequestState st, Disposition d, Throwable error, long delayNanos) {
    Counters counters = head.counters;
    switch (d) {
      case RETRY:
        p.counters.errors.increment();
        retry(p, r, st, error, delayNanos);
        return;
      case PATH_ERROR:
        p.counters.errors.increment();
        counters.failovers.increment();
        st.failovers++;
        Head.LOG.debug("{}: path error on {}, failing over {}: {}", head.name(), p.name, r, error);
        head.fault(p, error);
        head.dispatch(r, st);
        return;
      case TARGET_ERROR:
      default:
        p.counters.errors.increment();
        counters.errors.increment();
        head.finish(r, st, targetError(error));
    }
  }

  private void retry(PathNode p, IoRequest r, RequestState st, Throwable error, long delayNanos) {
    Counters counters = head.counters;
    if (++st.retries > maxRetries) {
      // Used up on this path (a storm of unit attentions, a busy port): another usable path
      // may do better, as dm-multipath retries an errored request on the next path. Each
      // path gets its budget once; the path itself is not faulted (a retry is no path error).
      PathNode other = st.exhausted < head.pathNodes().length - 1 ? usableOtherThan(p) : null;
      if (other != null) {
        st.exhausted++;
        st.retries = 0;
        st.failovers++;
        counters.failovers.increment();
        Head.LOG.debug("{}: retries of {} used up on {}, moving it to {}", head.name(), r, p.name,
            other.name);
        head.start(other, r, st);
        return;
      }
      counters.errors.increment();
      head.finish(r, st, targetError(error));
      return;
    }
    counters.retries.increment();
    if (delayNanos > 0) {
      scheduler.schedule(() -> retryOn(p, r, st), delayNanos, TimeUnit.NANOSECONDS);
    } else {
      retryOn(p, r, st);
    }
  }

  /**
   * The next usable path after {@code p} in path order (wrapping), optimized ones first;
   * null when there is none. Walking in order gives each path its retry budget once.
   */
  private PathNode usableOtherThan(PathNode p) {
    Snapshot s = head.snapshot();
    PathNode c = nextAfter(s.optimized, p);
    return c != null ? c : nextAfter(s.nonOptimized, p);
  }

  private PathNode nextAfter(PathTier tier, PathNode p) {
    PathNode[] all = head.pathNodes();
    int at = Arrays.asList(all).indexOf(p);
    for (int k = 1; k < all.length; k++) {
      PathNode c = all[Math.floorMod(at + k, all.length)];
      if (c != p && tier.contains(c)) {
        return c;
      }
    }
    return null;
  }

  private void retryOn(PathNode p, IoRequest r, RequestState st) {
    if (head.isPresent() && p.usable()) {
      head.start(p, r, st);
    } else {
      head.dispatch(r, st);
    }
  }

  private Throwable targetError(Throwable error) {
    if (error instanceof MpathException) {
      return error;
    }
    if (error == null) {
      return new TargetErrorException(head.name() + ": request failed", head.protocol(), -1, 0);
    }
    return new MpathException(head.name() + ": " + error.getMessage(), error);
  }
}
