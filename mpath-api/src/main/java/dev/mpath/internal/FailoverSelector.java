package dev.mpath.internal;

import dev.mpath.Failback;
import dev.mpath.IoRequest;
import dev.mpath.PathInfo;
import dev.mpath.spi.PathSelector;
import dev.mpath.spi.Scheduler;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Active/passive: every request goes to one active path; when it stops being a candidate
 * the best candidate (first in order: preferred, priority, index) takes over. Returning to
 * a better path while the active one still works follows the {@link Failback} mode.
 */
final class FailoverSelector implements PathSelector {
  private final Failback failback;
  private final Scheduler scheduler;

  private volatile PathInfo active;
  // Written only by pathsChanged and the deferred task, which the head serialises.
  private PathInfo[] previouslyUsable = new PathInfo[0];
  private volatile Candidates lastTier;
  private Scheduler.Cancellable deferred;
  private PathInfo deferredTarget;

  FailoverSelector(Failback failback, Scheduler scheduler) {
    this.failback = failback;
    this.scheduler = scheduler;
  }

  @Override
  public int select(Candidates c, IoRequest request) {
    PathInfo a = active;
    if (a != null) {
      int i = c.indexOf(a);
      if (i >= 0) {
        return i;
      }
    }
    active = c.path(0);
    return 0;
  }

  @Override
  public synchronized void pathsChanged(Candidates optimized, Candidates nonOptimized) {
    Candidates tier = optimized.size() > 0 ? optimized : nonOptimized;
    lastTier = tier;
    PathInfo[] wasUsable = previouslyUsable;
    previouslyUsable = usable(optimized, nonOptimized);
    if (tier.size() == 0) {
      cancelDeferred();
      return;
    }
    PathInfo best = tier.path(0);
    PathInfo a = active;
    if (a == null || tier.indexOf(a) < 0) {
      active = best; // the active path failed (or left the best tier): fail over
      cancelDeferred();
      return;
    }
    if (a == best) {
      cancelDeferred();
      return;
    }
    switch (failback.mode()) {
      case IMMEDIATE:
        active = best;
        break;
      case FOLLOWOVER:
        if (!contains(wasUsable, best)) {
          active = best; // the better path has just come back
        }
        break;
      case DEFERRED:
        if (deferredTarget != best) {
          cancelDeferred();
          deferredTarget = best;
          deferred =
              scheduler.schedule(
                  () -> failbackTo(best), failback.delay().toNanos(), TimeUnit.NANOSECONDS);
        }
        break;
      case MANUAL:
      default:
        break;
    }
  }

  private synchronized void failbackTo(PathInfo target) {
    if (deferredTarget != target) {
      return;
    }
    deferred = null;
    deferredTarget = null;
    Candidates tier = lastTier;
    if (tier != null && tier.size() > 0 && tier.path(0) == target) {
      active = target;
    }
  }

  private void cancelDeferred() {
    if (deferred != null) {
      deferred.cancel();
      deferred = null;
    }
    deferredTarget = null;
  }

  /** The path currently carrying I/O, for listings and tests. */
  PathInfo active() {
    return active;
  }

  private static PathInfo[] usable(Candidates a, Candidates b) {
    PathInfo[] all = new PathInfo[a.size() + b.size()];
    for (int i = 0; i < a.size(); i++) {
      all[i] = a.path(i);
    }
    for (int i = 0; i < b.size(); i++) {
      all[a.size() + i] = b.path(i);
    }
    return all;
  }

  private static boolean contains(PathInfo[] paths, PathInfo p) {
    return Arrays.asList(paths).contains(p);
  }
}
