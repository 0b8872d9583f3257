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

  /** Bytes the calling thread has allocated so far. */
  public static long ofCurrentThread() {
    return ofThread(Thread.currentThread().getId());
  }
}
