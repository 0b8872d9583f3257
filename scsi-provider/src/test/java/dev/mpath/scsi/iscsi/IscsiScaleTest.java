package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's scale bound for iSCSI: many LUNs behind two portals are two sessions, and the
 * thread count (host and target in one JVM) is the same at 16 LUNs as at many, within
 * 2 x processors + a constant. {@code -Dmpath.scale.luns=1024} for the full size
 * (the default keeps CI short).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class IscsiScaleTest {
  /** Heap in use (after GC) with the last topology up, for the scale table. */
  private static long lastHeap;
  static final String NAME = "iqn.2024-01.dev.mpath:scale-lu";

  /** Threads alive with both portals logged in and every device having done I/O. */
  private static int threadsWith(int luns) throws Exception {
    SystemScheduler scheduler = new SystemScheduler("iscsi-scale-test");
    ScsiTarget.Builder b = ScsiTarget.builder(NAME, scheduler).port(1, 1).port(2, 1);
    for (int lun = 0; lun < luns; lun++) {
      b.lun(lun, LuSpec.of(64, 512));
    }
    ScsiTarget target = b.build();
    List<IscsiTargetListener> listeners = new ArrayList<>();
    ScsiProvider provider = new ScsiProvider();
    Multipath mp = null;
    try {
      listeners.add(IscsiTargetListener.builder(target, 1).start());
      listeners.add(IscsiTargetListener.builder(target, 2)
          .bind(InetAddress.getByName("127.0.0.2")).start());
      mp = Multipath.builder().provider(provider).discoverProviders(false).scheduler(scheduler)
          .jmxDomain(null).checkInterval(Duration.ZERO)
          .property("scsi.initiator", "iqn.2024-01.dev.mpath:scale-host")
          .build();
      for (IscsiTargetListener l : listeners) {
        URI whole = URI.create("iscsi://" + l.address().getAddress().getHostAddress() + ":"
            + l.tcpPort() + "/" + NAME);
        mp.connect(whole).get(300, TimeUnit.SECONDS);
      }
      assertEquals(luns, mp.devices().size());
      assertEquals(2, provider.sessions().size(), "one session per portal");
      assertEquals(2, listeners.stream().mapToInt(IscsiTargetListener::connectionCount).sum());
      List<CompletableFuture<Void>> io = new ArrayList<>();
      for (MultipathDevice d : mp.devices()) {
        assertEquals(2, d.paths().size(), d.name());
        io.add(d.write(0, ByteBuffer.allocate(512)));
      }
      CompletableFuture.allOf(io.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      lastHeap = dev.mpath.testing.Heap.usedAfterGc();
      return Thread.activeCount();
    } finally {
      if (mp != null) {
        mp.close();
      }
      listeners.forEach(IscsiTargetListener::close);
      target.close();
      scheduler.close();
    }
  }

  @Test
  void twoSessionsAndThreadsThatDoNotGrowWithLuns() throws Exception {
    int many = Integer.getInteger("mpath.scale.luns", 256);
    int cores = Runtime.getRuntime().availableProcessors();
    int base = Thread.activeCount();
    long t0 = System.nanoTime();
    int small = threadsWith(16);
    long heapSmall = lastHeap;
    int large = threadsWith(many);
    long heapLarge = lastHeap;
    System.out.printf("iSCSI scale: threads before %d, at 16 LUNs %d, at %d LUNs %d (2 portals,"
        + " host and target in one JVM, %d processors, %.1f s); heap in use %.1f MiB at 16,"
        + " %.1f MiB at %d, %.1f KiB per LUN (2 paths each)%n", base, small, many, large, cores,
        (System.nanoTime() - t0) / 1e9, heapSmall / 1048576.0, heapLarge / 1048576.0, many,
        (heapLarge - heapSmall) / 1024.0 / (many - 16));
    assertTrue(large - small <= 2, "16 LUNs: " + small + " threads, " + many + ": " + large);
    assertTrue(large - base <= 2 * cores + 12, "threads grew from " + base + " to " + large);
  }
}
