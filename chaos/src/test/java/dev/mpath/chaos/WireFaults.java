package dev.mpath.chaos;

import java.util.List;
import java.util.Random;

/**
 * An emulator's faults seen through its wire listeners, plus what only a wire has: a TCP
 * connection reset by the target (every connection of one listener closed at once).
 */
final class WireFaults implements FaultInjector {
  private final FaultInjector emulator;
  private final List<Runnable> resets;

  WireFaults(FaultInjector emulator, List<Runnable> resets) {
    this.emulator = emulator;
    this.resets = resets;
  }

  @Override
  public Fault inject(Random r, long elapsedMillis) {
    if (r.nextInt(10) == 0) {
      int i = r.nextInt(resets.size());
      resets.get(i).run();
      return new Fault("listener " + (i + 1) + ": TCP connections reset");
    }
    return emulator.inject(r, elapsedMillis);
  }

  @Override
  public void healAll() {
    emulator.healAll();
  }
}
