package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Failback;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.testing.Rig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Switching the I/O policy while 8 threads submit loses nothing. */
class PolicySwitchTest {
  @Test
  void switchingPoliciesUnderLoad() throws Exception {
    ExecutorService completer = Executors.newFixedThreadPool(2);
    ExecutorService submitters = Executors.newFixedThreadPool(8);
    try (Rig rig = Rig.builder().immediate(completer).build()) {
      for (int i = 0; i < 3; i++) {
        rig.attach(completer).locality(i);
      }
      MultipathDevice d = rig.device();
      final int perThread = 3000;
      AtomicLong completed = new AtomicLong();
      AtomicInteger errors = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(8);
      for (int t = 0; t < 8; t++) {
        final int locality = t;
        submitters.execute(() -> {
          Semaphore window = new Semaphore(16); // 16 in flight per thread
          try {
            for (int i = 0; i < perThread; i++) {
              window.acquire();
              d.submit(new IoRequest().read(i % 64, ByteBuffer.allocate(Rig.BLOCK))
                  .locality(locality)
                  .completion(r -> {
                    if (r.error() != null) {
                      errors.incrementAndGet();
                    }
                    completed.incrementAndGet();
                    window.release();
                  }));
            }
            window.acquire(16);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            done.countDown();
          }
        });
      }
      List<IoPolicy> cycle = List.of(IoPolicy.numa(), IoPolicy.roundRobin(4), IoPolicy.queueDepth(),
          IoPolicy.serviceTime(), IoPolicy.failover(Failback.MANUAL));
      int switches = 0;
      while (done.getCount() > 0 && switches < 100_000) {
        d.ioPolicy(cycle.get(switches++ % cycle.size()));
      }
      assertTrue(done.await(60, TimeUnit.SECONDS));
      assertEquals(8L * perThread, completed.get());
      assertEquals(0, errors.get());
      assertEquals(8L * perThread, d.stats().ios());
      assertTrue(switches > 5, "switched " + switches + " times");
      for (var p : d.paths()) {
        assertEquals(0, p.inFlight(), "in-flight accounting returns to 0 on " + p.name());
      }
    } finally {
      submitters.shutdownNow();
      completer.shutdownNow();
    }
  }
}
