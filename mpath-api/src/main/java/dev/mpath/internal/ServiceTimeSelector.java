package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.PathInfo;
import dev.mpath.spi.PathSelector;

/**
 * multipath-tools {@code service-time}, with latency in place of throughput: the least
 * {@code (inFlight + 1) * latencyAverage}; a path with no sample yet scores 0 so it gets
 * measured. Ties go to the fewer in flight, then to the first.
 */
final class ServiceTimeSelector implements PathSelector {
  @Override
  public int select(Candidates c, IoRequest request) {
    int best = 0;
    long bestScore = Long.MAX_VALUE;
    int bestDepth = Integer.MAX_VALUE;
    for (int i = 0, n = c.size(); i < n; i++) {
      PathInfo p = c.path(i);
      int depth = p.inFlight();
      long score = saturatedMultiply(depth + 1L, p.serviceTimeNanos());
      if (score < bestScore || (score == bestScore && depth < bestDepth)) {
        bestScore = score;
        bestDepth = depth;
        best = i;
      }
    }
    return best;
  }

  private static long saturatedMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi != 0 || lo < 0) ? Long.MAX_VALUE : lo;
  }
}
