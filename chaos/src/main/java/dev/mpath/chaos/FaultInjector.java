package dev.mpath.chaos;

import java.util.Random;

/**
 * The faults a chaos run may inject into one system (an emulator, a wire transport), chosen
 * with the run's seeded random source so a run can be repeated exactly.
 *
 * <p>Implementations decide what is fair: for example never killing the last live port
 * except in an "all paths down" event that the injector itself ends within a bound.
 */
public interface FaultInjector {

  /** One injected fault: what it was (for the printed schedule) and its undoing, if any. */
  record Fault(String description) {}

  /**
   * Injects the next fault, chosen with {@code random}; called from the run's schedule
   * thread, one at a time.
   *
   * @param elapsedMillis time since the run started (for the schedule's log)
   */
  Fault inject(Random random, long elapsedMillis);

  /** Undoes every fault still in effect (the end of a run): every path may come back. */
  void healAll();
}
