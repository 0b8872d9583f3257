package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.spi.PathSelector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency-weighted selection after the Linux NVMe multipath "adaptive" I/O policy proposal:
 * weights from each path's completion latency (the head's passive per-path moving
 * average), so that a slow path carries a proportionate share, neither half nor nothing.
 * Shares go as 1/latency^2, which makes the requests a path holds at once go as 1/latency
 * (see {@link Tier#weight}): a path three times slower holds a third as many. A path without
 * a sample yet weighs as much as the heaviest measured one, so it gets measured.
 *
 * <p>The weights become a schedule of {@value #SLOTS} picks interleaved by smooth weighted
 * round robin (every path at least once), recomputed once per schedule. {@link #select} is
 * lock-free and allocates nothing: it takes the next slot of the published schedule; the
 * submitter that starts a new round recomputes into the spare schedule and publishes it,
 * and a concurrent one just keeps using the current one.
 */
final class AdaptiveSelector implements PathSelector {
  /** Picks per schedule, and the most paths that each get a slot. */
  static final int SLOTS = 256;

  /** The schedule of one candidate set. */
  private static final class Tier {
    final Candidates candidates;
    final int[][] schedules = new int[2][SLOTS];
    final long[] weights;
    final long[] current;
    final AtomicLong picks = new AtomicLong();
    final AtomicBoolean recomputing = new AtomicBoolean();
    volatile int active;

    Tier(Candidates c) {
      this.candidates = c;
      this.weights = new long[c.size()];
      this.current = new long[c.size()];
      recompute(0); // round robin until the first samples
    }

    /** Fills schedule {@code into} from the paths' latencies (one submitter at a time). */
    void recompute(int into) {
      Candidates c = candidates;
      int n = c.size();
      long maxInv = 0;
      for (int i = 0; i < n; i++) {
        long lat = c.path(i).serviceTimeNanos();
        weights[i] = lat <= 0 ? 0 : weight(lat);
        maxInv = Math.max(maxInv, weights[i]);
      }
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (weights[i] == 0) {
          weights[i] = maxInv == 0 ? 1 : maxInv;
        }
        total += weights[i];
      }
      // scale to the slots, every path at least one
      long sum = 0;
      for (int i = 0; i < n; i++) {
        long w = Math.max(1, Math.round((double) weights[i] * SLOTS / total));
        weights[i] = w;
        current[i] = 0;
        sum += w;
      }
      // smooth weighted round robin: the heaviest credit goes, then pays the total back
      int[] s = schedules[into];
      for (int k = 0; k < SLOTS; k++) {
        int best = 0;
        for (int i = 0; i < n; i++) {
          current[i] += weights[i];
          if (current[i] > current[best]) {
            best = i;
          }
        }
        current[best] -= sum;
        s[k] = best;
      }
      active = into;
    }

    /**
     * A path's weight for a latency average of {@code lat} ns: 10^12 / (lat in us)^2 (under
     * 1 us counts as 1 us; at least 1). The share of requests goes as 1/lat^2 so that, by
     * Little's law, the requests each path holds at once go as 1/lat: with a bounded queue
     * depth, a slow path holds a proportionate part of it rather than half (which plain
     * 1/lat shares lead to) or none.
     */
    static long weight(long lat) {
      double us = Math.max(1.0, lat / 1000.0);
      return Math.max(1, (long) (1e12 / (us * us)));
    }

    int next() {
      long k = picks.getAndIncrement();
      int slot = (int) (k & (SLOTS - 1));
      if (slot == 0 && k != 0 && recomputing.compareAndSet(false, true)) {
        try {
          recompute(active ^ 1);
        } finally {
          recomputing.set(false);
        }
      }
      return schedules[active][slot];
    }
  }

  private volatile Tier optimized;
  private volatile Tier nonOptimized;
  private final AtomicLong fallback = new AtomicLong();

  @Override
  public void pathsChanged(Candidates optimizedSet, Candidates nonOptimizedSet) {
    optimized = optimizedSet.size() == 0 || optimizedSet.size() > SLOTS ? null
        : new Tier(optimizedSet);
    nonOptimized = nonOptimizedSet.size() == 0 || nonOptimizedSet.size() > SLOTS ? null
        : new Tier(nonOptimizedSet);
  }

  @Override
  public int select(Candidates c, IoRequest request) {
    Tier t = optimized;
    if (t == null || t.candidates != c) {
      t = nonOptimized;
    }
    if (t == null || t.candidates != c) {
      // a set this selector was not told about (a change under way), or more paths than
      // slots: plain rotation
      return (int) Long.remainderUnsigned(fallback.getAndIncrement(), c.size());
    }
    int i = t.next();
    return i < c.size() ? i : 0;
  }

  /** The share of each candidate in the schedule now, for tests and listings. */
  static int[] shares(PathSelector s, Candidates c) {
    AdaptiveSelector a = (AdaptiveSelector) s;
    Tier t = a.optimized != null && a.optimized.candidates == c ? a.optimized : a.nonOptimized;
    int[] out = new int[c.size()];
    if (t != null && t.candidates == c) {
      for (int i : t.schedules[t.active]) {
        out[i]++;
      }
    }
    return out;
  }
}
