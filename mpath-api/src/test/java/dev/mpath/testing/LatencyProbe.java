package dev.mpath.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verified 4 KiB write+read pairs, one request at a time, that report the worst latency a
 * caller saw: for the timeout tests, which print it (the machines are too noisy to assert
 * it). Every request must succeed and every read must return what was written.
 */
public final class LatencyProbe {
  private LatencyProbe() {}

  /** {@code n} pairs at LBAs 0, 8, 16, ... with data salted by {@code salt}; worst in ns. */
  public static long worstNanos(MultipathDevice d, int n, int salt) throws InterruptedException {
    long worst = 0;
    for (int i = 0; i < n; i++) {
      for (boolean write : new boolean[] {true, false}) {
        ByteBuffer b = write ? VerifiedLoad.pattern(i, 4096, salt) : ByteBuffer.allocate(4096);
        IoRequest r = write ? new IoRequest().write(i * 8L, b) : new IoRequest().read(i * 8L, b);
        CountDownLatch l = new CountDownLatch(1);
        AtomicReference<Throwable> err = new AtomicReference<>();
        long t0 = System.nanoTime();
        d.submit(r.completion(x -> {
          err.set(x.error());
          l.countDown();
        }));
        assertTrue(l.await(60, TimeUnit.SECONDS), "request completed");
        worst = Math.max(worst, System.nanoTime() - t0);
        assertNull(err.get(), "no error while another path is usable");
        if (!write) {
          assertEquals(VerifiedLoad.pattern(i, 4096, salt), b, "block " + i);
        }
      }
    }
    return worst;
  }
}
