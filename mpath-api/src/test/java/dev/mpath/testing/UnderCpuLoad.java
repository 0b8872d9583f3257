package dev.mpath.testing;

import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 10, item 6: I/O while the machine is busy. One spinning thread per processor keeps
 * every core occupied while {@code depth} 4 KiB reads stay in flight for a bounded time,
 * each resubmitted from its completion. A lost wake-up (a submission or completion nobody
 * runs) shows as one request waiting for its I/O timeout; CPU starvation alone slows all
 * of them evenly.
 */
public final class UnderCpuLoad {
  /** What a run saw: reads completed, errors, the slowest read, spinners used. */
  public record Result(long reads, long errors, long worstNanos, int spinners) {}

  private UnderCpuLoad() {}

  /**
   * Runs QD32 for 4 s ({@link #run}), prints what {@code wire} saw, and asserts that no read
   * failed and none took 5 s or more (generous, for noisy machines; a lost wake-up waits for
   * the 30 s I/O timeout).
   */
  public static Result check(MultipathDevice d, String wire) throws InterruptedException {
    Result r = run(d, 32, 4);
    System.out.printf("%s under CPU load: %d reads in 4 s at QD32 with %d spinners, worst %.1f ms%n",
        wire, r.reads(), r.spinners(), r.worstNanos() / 1e6);
    if (r.errors() != 0) {
      throw new AssertionError(wire + ": " + r.errors() + " reads failed under load");
    }
    if (r.worstNanos() >= TimeUnit.SECONDS.toNanos(5)) {
      throw new AssertionError(wire + ": a request took " + r.worstNanos() / 1_000_000 + " ms");
    }
    return r;
  }

  /** Runs the load for {@code seconds}; every read is back within a minute after that. */
  public static Result run(MultipathDevice d, int depth, int seconds) throws InterruptedException {
    AtomicBoolean spin = new AtomicBoolean(true);
    List<Thread> spinners = new ArrayList<>();
    try {
      for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
        Thread t = new Thread(() -> {
          long x = 0;
          while (spin.get()) {
            x += System.nanoTime() & 7; // keeps a core busy
          }
          if (x == 42) {
            System.out.print("");
          }
        }, "cpu-spinner-" + i);
        t.setDaemon(true);
        t.start();
        spinners.add(t);
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      AtomicLong worst = new AtomicLong();
      AtomicLong done = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      CountDownLatch finished = new CountDownLatch(depth);
      for (int i = 0; i < depth; i++) {
        long[] started = new long[1];
        IoRequest r = new IoRequest();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long lba = i * 8L;
        r.completion(x -> {
          long took = System.nanoTime() - started[0];
          worst.accumulateAndGet(took, Math::max);
          if (x.error() != null) {
            errors.incrementAndGet();
          }
          done.incrementAndGet();
          if (System.nanoTime() - until > 0) {
            finished.countDown();
            return;
          }
          started[0] = System.nanoTime();
          d.submit(x.read(lba, buf.clear()));
        });
        started[0] = System.nanoTime();
        d.submit(r.read(lba, buf));
      }
      if (!finished.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("requests still out a minute after the load ended");
      }
      return new Result(done.get(), errors.get(), worst.get(), spinners.size());
    } finally {
      spin.set(false);
      for (Thread t : spinners) {
        t.join(5000);
      }
    }
  }
}
