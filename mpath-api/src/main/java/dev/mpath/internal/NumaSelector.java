package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.spi.PathSelector;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Linux {@code iopolicy=numa}: the path whose locality is nearest the submitter's
 * (distance {@code |a - b|}, ties to the first path in candidate order), cached per
 * locality until the candidate set changes.
 */
final class NumaSelector implements PathSelector {
  /** Localities with a cache slot; others are computed every time. */
  static final int CACHED_LOCALITIES = 64;

  private static final class Cache {
    final Candidates owner;
    final AtomicIntegerArray best = new AtomicIntegerArray(CACHED_LOCALITIES);

    Cache(Candidates owner) {
      this.owner = owner;
    }
  }

  private volatile Cache cache = new Cache(null);

  @Override
  public int select(Candidates c, IoRequest request) {
    int locality = request.locality();
    Cache k = cache;
    if (k.owner != c || locality >= CACHED_LOCALITIES) {
      return nearest(c, locality);
    }
    int cached = k.best.get(locality);
    if (cached > 0) {
      return cached - 1;
    }
    int i = nearest(c, locality);
    k.best.set(locality, i + 1);
    return i;
  }

  @Override
  public void pathsChanged(Candidates optimized, Candidates nonOptimized) {
    cache = new Cache(optimized.size() > 0 ? optimized : nonOptimized);
  }

  static int nearest(Candidates c, int locality) {
    int best = 0;
    long bestDistance = Long.MAX_VALUE;
    for (int i = 0, n = c.size(); i < n; i++) {
      long d = Math.abs((long) c.path(i).locality() - locality);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }
}
