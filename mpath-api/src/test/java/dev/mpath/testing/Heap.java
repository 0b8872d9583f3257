package dev.mpath.testing;

import java.lang.management.ManagementFactory;

/** Heap in use for scale tables: what stays reachable, measured after collections. */
public final class Heap {
  private Heap() {}

  /** Bytes of heap in use after a few full collections (best effort: System.gc() may be a hint). */
  public static long usedAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }
}
