package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.spi.SystemScheduler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, item 6: the near-stall once seen under heavy load (31 IOPS, 1.4 s worst) must
 * not come back on the event-driven wire. Host and target share a JVM; as many spinning
 * threads as processors keep the machine busy while 32 requests stay in flight over two
 * NVMe/TCP paths for a bounded time. A lost wake-up (a submission or completion nobody
 * runs) would show as a request that waits for its 30 s I/O timeout; CPU starvation alone
 * slows everything evenly. The bound asserted is generous (5 s, for noisy machines); the
 * measured worst is printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NvmeTcpUnderCpuLoadTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-load";

  @Test
  void noRequestStallsWhileTheMachineIsBusy() throws Exception {
    SystemScheduler real = new SystemScheduler("tcp-load-timer");
    NvmeSubsystem subsys = NvmeSubsystem.builder(NQN, real).ports(2)
        .namespace(NamespaceSpec.builder(1).blocks(1 << 16).build()).build();
    NvmeTcpListener a = NvmeTcpListener.start(subsys, 1);
    NvmeTcpListener b = NvmeTcpListener.start(subsys, 2);
    Multipath mp = Multipath.builder().provider(new NvmeProvider()).discoverProviders(false)
        .scheduler(real).jmxDomain(null).checkInterval(Duration.ZERO)
        .ioPolicy(IoPolicy.roundRobin())
        .property("nvme.hostid", UUID.randomUUID().toString())
        .build();
    AtomicBoolean spin = new AtomicBoolean(true);
    List<Thread> spinners = new ArrayList<>();
    try {
      mp.connect(a.uri()).get(30, TimeUnit.SECONDS);
      mp.connect(b.uri()).get(30, TimeUnit.SECONDS);
      MultipathDevice d = mp.devices().get(0);
      assertEquals(2, d.paths().size());
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
      int depth = 32;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
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
      assertTrue(finished.await(60, TimeUnit.SECONDS), "every request came back");
      System.out.printf("NVMe/TCP under CPU load: %d reads in 4 s at QD%d with %d spinners,"
          + " worst %.1f ms%n", done.get(), depth, spinners.size(), worst.get() / 1e6);
      assertEquals(0, errors.get());
      assertTrue(worst.get() < TimeUnit.SECONDS.toNanos(5),
          "a request took " + worst.get() / 1_000_000 + " ms");
    } finally {
      spin.set(false);
      for (Thread t : spinners) {
        t.join(5000);
      }
      mp.close();
      a.close();
      b.close();
      subsys.close();
      real.close();
    }
  }
}
