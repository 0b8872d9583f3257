package dev.mpath.internal;

import dev.mpath.IoStats;
import java.util.concurrent.atomic.LongAdder;

/** Striped counters of a head or path; increments allocate nothing once warm. */
final class Counters {
  final LongAdder ios = new LongAdder();
  final LongAdder bytes = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder failovers = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder requeues = new LongAdder();
  final LongAdder noPath = new LongAdder();

  void success(long byteCount) {
    ios.increment();
    if (byteCount != 0) {
      bytes.add(byteCount);
    }
  }

  IoStats snapshot() {
    return new IoStats(
        ios.sum(), bytes.sum(), errors.sum(), failovers.sum(), retries.sum(), requeues.sum(),
        noPath.sum());
  }
}
