package dev.mpath.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that other threads bring about, with a generous bound so a hang
 * fails the test instead of the build. Not a timing assertion: the bound only catches
 * "never".
 */
public final class Await {
  public static final Duration BOUND = Duration.ofSeconds(30);

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
