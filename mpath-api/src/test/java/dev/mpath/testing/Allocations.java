package dev.mpath.testing;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;

/**
 * The JVM's per-thread allocation counters, for tests that show a path allocates nothing.
 * com.sun.management is reached reflectively: test sources compile inside modules that do
 * not read jdk.management.
 */
public final class Allocations {
  private static final Method ALLOCATED;
  private static final Method SUPPORTED;

  static {
    try {
      Class<?> mx = Class.forName("com.sun.management.ThreadMXBean");
      ALLOCATED = mx.getMethod("getThreadAllocatedBytes", long.class);
      SUPPORTED = mx.getMethod("isThreadAllocatedMemorySupported");
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Allocations() {}

  /** Whether this JVM counts allocations per thread. */
  public static boolean supported() {
    try {
      return (Boolean) SUPPORTED.invoke(ManagementFactory.getThreadMXBean());
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** Bytes thread {@code id} has allocated so far. */
  public static long ofThread(long id) {
    try {
      return (Long) ALLOCATED.invoke(ManagementFactory.getThreadMXBean(), id);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Bytes allocated so far by the live threads whose name starts with {@code prefix} (an I/O
   * engine's event loops), leaving out its DNS resolver thread; several prefixes are
   * separated by {@code |}.
   */
  public static long ofThreadsNamed(String prefix) {
    String[] prefixes = prefix.split("\\|");
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (String p : prefixes) {
        if (t.getName().startsWith(p) && !t.getName().contains("resolver")) {
          sum += ofThread(t.getId());
          break;
        }
      }
    }
    return sum;
  }

  /**
   * Runs {@code n} I/Os of {@code r} on {@code d} at queue depth 1, each resubmitted from the
   * previous one's completion (so on the I/O thread), {@code rearm} setting the request up
   * before each; fails on the first I/O error or after two minutes.
   */
  public static void closedLoop(dev.mpath.MultipathDevice d, dev.mpath.IoRequest r,
      Runnable rearm, int n) throws InterruptedException {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> error =
        new java.util.concurrent.atomic.AtomicReference<>();
    int[] left = {n};
    r.completion(x -> {
      if (x.error() != null) {
        error.set(x.error());
        done.countDown();
        return;
      }
      if (--left[0] == 0) {
        done.countDown();
        return;
      }
      rearm.run();
      d.submit(x);
    });
    rearm.run();
    d.submit(r);
    if (!done.await(120, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("closed loop of " + n + " I/Os did not finish in 120 s");
    }
    if (error.get() != null) {
      throw new AssertionError("I/O failed in the closed loop", error.get());
    }
  }

  /**
   * Bytes the threads named {@code prefix}... allocate over {@code measured} closed-loop I/Os
   * after {@code warmup} unmeasured ones: the quietest of three windows, so that a one-off (a
   * JIT recompilation, an internal table growing) landing in one does not count. Each
   * window's bytes go to {@code report}.
   */
  public static long steadyStateBytes(dev.mpath.MultipathDevice d, dev.mpath.IoRequest r,
      Runnable rearm, int warmup, int measured, String prefix, StringBuilder report)
      throws InterruptedException {
    closedLoop(d, r, rearm, warmup);
    long best = Long.MAX_VALUE;
    for (int w = 0; w < 3; w++) {
      long before = ofThreadsNamed(prefix);
      closedLoop(d, r, rearm, measured);
      long bytes = ofThreadsNamed(prefix) - before;
      best = Math.min(best, bytes);
      report.append(' ').append(bytes).append(" B");
    }
    report.append(String.format(" (best %.3f B/I/O) ", (double) best / measured));
    return best;
  }

  /** Bytes the calling thread has allocated so far. */
  public static long ofCurrentThread() {
    return ofThread(Thread.currentThread().getId());
  }
}
