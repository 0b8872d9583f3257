package dev.mpath.internal;

import dev.mpath.IoRequest;
import dev.mpath.spi.PathSelector;
import java.util.concurrent.atomic.AtomicLong;

/** Round robin over the candidates, moving on after {@code rrMinIo} requests. */
final class RoundRobinSelector implements PathSelector {
  private final int rrMinIo;
  private final AtomicLong counter = new AtomicLong();

  RoundRobinSelector(int rrMinIo) {
    this.rrMinIo = rrMinIo;
  }

  @Override
  public int select(Candidates c, IoRequest request) {
    long n = counter.getAndIncrement() / rrMinIo;
    return (int) Long.remainderUnsigned(n, c.size());
  }
}
