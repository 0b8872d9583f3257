package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.host.HostController;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's scale bound for NVMe/TCP: host and target in one JVM, 4 ports with 2 I/O queues
 * per controller, and the thread count the same at 16 and at 256 namespaces, within
 * 2 x processors + a constant.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NvmeTcpScaleTest {
  /** Heap in use (after GC) with the last topology up, for the scale table. */
  private static long lastHeap;
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-scale";
  static final int PORTS = 4;

  /** Threads alive with everything connected and every device having done I/O. */
  private static int threadsWith(int namespaces) throws Exception {
    SystemScheduler real = new SystemScheduler("tcp-scale-timer");
    NvmeSubsystem.Builder b = NvmeSubsystem.builder(NQN, real).ports(PORTS).maxNamespaces(namespaces);
    for (int nsid = 1; nsid <= namespaces; nsid++) {
      b.namespace(NamespaceSpec.builder(nsid).blocks(64).build());
    }
    NvmeSubsystem subsys = b.build();
    List<NvmeTcpListener> listeners = new ArrayList<>();
    NvmeProvider provider = new NvmeProvider();
    Multipath mp = null;
    try {
      for (int port = 1; port <= PORTS; port++) {
        listeners.add(NvmeTcpListener.start(subsys, port));
      }
      mp = Multipath.builder().provider(provider).discoverProviders(false).scheduler(real)
          .jmxDomain(null).checkInterval(Duration.ZERO)
          .property("nvme.hostid", UUID.randomUUID().toString())
          .property("nvme.io_queue_depth", "32")
          .build();
      for (NvmeTcpListener l : listeners) {
        mp.connect(URI.create(l.uri() + "?nr_io_queues=2")).get(120, TimeUnit.SECONDS);
      }
      assertEquals(namespaces, mp.devices().size());
      for (HostController c : provider.controllers()) {
        assertEquals(2, c.ioQueueCount(), c.toString());
      }
      int connections = listeners.stream().mapToInt(NvmeTcpListener::connectionCount).sum();
      assertEquals(PORTS * 3, connections, "admin + 2 I/O queues per port");
      List<CompletableFuture<Void>> io = new ArrayList<>();
      for (MultipathDevice d : mp.devices()) {
        assertEquals(PORTS, d.paths().size(), d.name());
        io.add(d.write(0, ByteBuffer.allocate(512)));
      }
      CompletableFuture.allOf(io.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      lastHeap = dev.mpath.testing.Heap.usedAfterGc();
      return Thread.activeCount();
    } finally {
      if (mp != null) {
        mp.close();
      }
      listeners.forEach(NvmeTcpListener::close);
      subsys.close();
      real.close();
    }
  }

  @Test
  void threadsDoNotGrowWithNamespaces() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    int base = Thread.activeCount();
    int small = threadsWith(16);
    long heapSmall = lastHeap;
    int large = threadsWith(256);
    long heapLarge = lastHeap;
    System.out.printf("NVMe/TCP scale: threads before %d, at 16 namespaces %d, at 256 %d"
        + " (%d ports x 2 I/O queues, host and target in one JVM, %d processors); heap in use"
        + " %.1f MiB at 16, %.1f MiB at 256, %.1f KiB per namespace (4 paths each)%n", base,
        small, large, PORTS, cores, heapSmall / 1048576.0, heapLarge / 1048576.0,
        (heapLarge - heapSmall) / 1024.0 / (256 - 16));
    // the engine's loops (processors), the subsystem's pool (2..4), timers, the resolver
    assertTrue(large - small <= 2, "16 namespaces: " + small + " threads, 256: " + large);
    assertTrue(large - base <= 2 * cores + 12, "threads grew from " + base + " to " + large);
  }
}
