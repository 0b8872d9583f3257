package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * NVMe/TCP multi-queue (issue 10): the host asks for {@code nr_io_queues} with Set Features
 * Number of Queues, connects what the controller grants, sizes the queues within CAP.MQES,
 * keeps in-capsule data within the controller's IOCCSZ, and spreads submitting threads over
 * the queues.
 */
class NvmeTcpMultiQueueTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-mq";
  private final SystemScheduler real = new SystemScheduler("tcp-mq-timer");
  private NvmeSubsystem subsys;
  private NvmeTcpListener listener;
  private Multipath mp;
  private final NvmeProvider provider = new NvmeProvider();

  @AfterEach
  void tearDown() {
    if (mp != null) {
      mp.close();
    }
    if (listener != null) {
      listener.close();
    }
    if (subsys != null) {
      subsys.close();
    }
    real.close();
  }

  private MultipathDevice serveAndConnect(NvmeSubsystem.Builder b, String query) throws Exception {
    subsys = b.namespace(NamespaceSpec.builder(1).blocks(8192).build()).build();
    listener = NvmeTcpListener.start(subsys, 1);
    mp = Multipath.builder().provider(provider).discoverProviders(false).scheduler(real)
        .jmxDomain(null).checkInterval(Duration.ZERO)
        .property("nvme.hostid", UUID.randomUUID().toString())
        .property("nvme.io_queue_depth", "128")
        .build();
    List<MultipathDevice> ds =
        mp.connect(URI.create(listener.uri() + query)).get(30, TimeUnit.SECONDS);
    assertEquals(1, ds.size());
    return ds.get(0);
  }

  private static ByteBuffer pattern(long lba, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (lba * 31 + i * 11 + (i >>> 9)));
    }
    return b;
  }

  @Test
  void grantedQueuesWithinMqesCarryIoFromEverySubmittingThread() throws Exception {
    // the controller grants 2 of the 3 queues asked for, 16 entries each, 1 KiB in capsule
    MultipathDevice d = serveAndConnect(NvmeSubsystem.builder(NQN, real).ports(1)
        .maxIoQueues(2).maxQueueEntries(16).inCapsuleDataSize(1024), "?nr_io_queues=3");
    HostController c = provider.controllers().get(0);
    assertEquals(2, c.ioQueueCount(), "min(asked 3, granted 2)");
    assertEquals(16, c.ioQueueEntries(), "io_queue_depth 128 within CAP.MQES + 1 = 16");
    assertEquals(3, listener.connectionCount(), "admin + 2 I/O queue connections");

    // 4 KiB writes exceed the 1 KiB IOCCSZ allows in the capsule: the listener refuses more
    // than that, so they succeed only by R2T; 48 at once overflow the 16-entry queues
    int threads = 4;
    int perThread = 24;
    List<Thread> ts = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      Thread th = new Thread(() -> {
        try {
          List<CompletableFuture<Void>> fs = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            long lba = (base + i) * 8L;
            fs.add(d.write(lba, pattern(lba, 4096)));
          }
          CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          errors.add(e);
        }
      }, "mq-writer-" + t);
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join(60_000);
    }
    assertEquals(List.of(), errors);
    for (int i = 0; i < threads * perThread; i++) {
      long lba = i * 8L;
      ByteBuffer r = ByteBuffer.allocate(4096);
      d.read(lba, r).get(30, TimeUnit.SECONDS);
      assertArrayEquals(pattern(lba, 4096).array(), r.array(), "lba " + lba);
    }
    long[] per = c.ioQueueCommands();
    assertEquals(2, per.length);
    assertTrue(Arrays.stream(per).allMatch(n -> n > 0),
        "every queue carried commands of some thread: " + Arrays.toString(per));
    assertTrue(Arrays.stream(per).sum() >= 2L * threads * perThread, Arrays.toString(per));
  }

  @Test
  void withoutNrIoQueuesTheHostAsksForOnePerProcessor() throws Exception {
    serveAndConnect(NvmeSubsystem.builder(NQN, real).ports(1).maxIoQueues(64), "");
    HostController c = provider.controllers().get(0);
    assertEquals(Math.min(64, Runtime.getRuntime().availableProcessors()), c.ioQueueCount());
    assertEquals(128, c.ioQueueEntries());
    assertEquals(1 + c.ioQueueCount(), listener.connectionCount());
  }

  @Test
  void aBadNrIoQueuesIsRefused() {
    subsys = NvmeSubsystem.builder(NQN, real).ports(1)
        .namespace(NamespaceSpec.builder(1).blocks(8192).build()).build();
    try {
      listener = NvmeTcpListener.start(subsys, 1);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    mp = Multipath.builder().provider(provider).discoverProviders(false).scheduler(real)
        .jmxDomain(null).checkInterval(Duration.ZERO).build();
    for (String bad : new String[] {"nr_io_queues=0", "nr_io_queues=x", "nr_io_queues=-1"}) {
      Throwable e = mp.connect(URI.create(listener.uri() + "?" + bad)).handle((v, x) -> x).join();
      while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
        e = e.getCause();
      }
      assertTrue(e instanceof IllegalArgumentException, bad + ": " + e);
    }
  }
}
