package dev.mpath.internal;

import dev.mpath.Failback;
import dev.mpath.spi.PathSelector;
import dev.mpath.spi.Scheduler;

/** Factories of the built-in selectors, for {@link dev.mpath.IoPolicy}. */
public final class Selectors {
  private Selectors() {}

  public static PathSelector numa() {
    return new NumaSelector();
  }

  public static PathSelector roundRobin(int rrMinIo) {
    return new RoundRobinSelector(rrMinIo);
  }

  public static PathSelector queueDepth() {
    return new QueueDepthSelector();
  }

  public static PathSelector serviceTime() {
    return new ServiceTimeSelector();
  }

  public static PathSelector adaptive() {
    return new AdaptiveSelector();
  }

  public static PathSelector failover(Failback failback, Scheduler scheduler) {
    return new FailoverSelector(failback, scheduler);
  }
}
