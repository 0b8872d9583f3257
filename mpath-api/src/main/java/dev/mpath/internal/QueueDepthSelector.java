package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.spi.PathSelector;

/** Linux {@code iopolicy=queue-depth}: fewest requests in flight, ties to the first. */
final class QueueDepthSelector implements PathSelector {
  @Override
  public int select(Candidates c, IoRequest request) {
    int best = 0;
    int bestDepth = Integer.MAX_VALUE;
    for (int i = 0, n = c.size(); i < n; i++) {
      int d = c.path(i).inFlight();
      if (d < bestDepth) {
        bestDepth = d;
        best = i;
      }
    }
    return best;
  }
}
