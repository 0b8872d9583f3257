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
import dev.mpath.testing.Allocations;
import dev.mpath.wire.IoEngine;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, P2 on both sides of NVMe/TCP: in steady state a 4 KiB read (C2HData with
 * SUCCESS) and a 4 KiB write (in-capsule data) allocate nothing, counted on the host's
 * threads (the head, the host controller, the queue's submission list, the PDU writer and
 * the streaming decoder) and, separately, on the target's event loop (the listener's queue,
 * the controller, which runs each command inline there when idle, and the namespace's
 * store). Host and target run on engines of their own, so each side is counted alone.
 * Measured with the JVM's per-thread allocation counters around a closed loop at queue
 * depth 1 that resubmits from the completion (on the event loop).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NvmeTcpAllocationTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-alloc";
  static final int WARMUP = 40_000;
  static final int MEASURED = 40_000;

  @Test
  void steadyStateReadsAndWritesAllocateNothingOnTheHost() throws Exception {
    measure("mpath-io-", "host");
  }

  /**
   * The same closed loop counted on the target's event loop: the listener's queue, the
   * controller and the namespace's store, with the host's allocations left out.
   */
  @Test
  void steadyStateReadsAndWritesAllocateNothingOnTheTarget() throws Exception {
    measure("target-io-", "target");
  }

  private void measure(String threads, String side) throws Exception {
    Assumptions.assumeTrue(Allocations.supported(), "no allocation counter");
    SystemScheduler real = new SystemScheduler("tcp-alloc-timer");
    IoEngine targetEngine = IoEngine.create(1, "target-io", true);
    NvmeSubsystem subsys = NvmeSubsystem.builder(NQN, real).ports(1)
        .namespace(NamespaceSpec.builder(1).blocks(1 << 16).build()).build();
    NvmeTcpListener listener = NvmeTcpListener.builder(subsys, 1).engine(targetEngine).start();
    Multipath mp = Multipath.builder().provider(new NvmeProvider()).discoverProviders(false)
        .scheduler(real).jmxDomain(null).checkInterval(Duration.ZERO)
        .ioPolicy(IoPolicy.roundRobin())
        .property("nvme.hostid", UUID.randomUUID().toString())
        .property("nvme.kato_ms", "0")
        .build();
    try {
      mp.connect(URI.create(listener.uri() + "?nr_io_queues=1")).get(30, TimeUnit.SECONDS);
      MultipathDevice d = mp.devices().get(0);
      ByteBuffer buf = ByteBuffer.allocateDirect(4096);
      StringBuilder report = new StringBuilder();
      for (String op : new String[] {"read", "write"}) {
        IoRequest r = new IoRequest();
        long[] lba = {0};
        Runnable rearm = op.equals("read")
            ? () -> r.read(lba[0]++ & 1023, buf.clear())
            : () -> r.write(lba[0]++ & 1023, buf.clear());
        report.append(op).append(':');
        long best = Allocations.steadyStateBytes(d, r, rearm, WARMUP, MEASURED, threads, report);
        // one object per I/O would be at least 16 B x 40,000 = 640 KB
        assertTrue(best < 16 * 1024, op + ": the " + side + " loops allocated " + best
            + " bytes over " + MEASURED + " I/Os");
      }
      System.out.println("NVMe/TCP " + side + " allocation over " + MEASURED + " I/Os each: "
          + report);
    } finally {
      mp.close();
      listener.close();
      subsys.close();
      targetEngine.shutdown();
      real.close();
    }
  }
}
