package dev.mpath.scsi.host;

import static dev.mpath.scsi.host.ScsiFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.DeviceId;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.PathInfo;
import dev.mpath.spi.SystemScheduler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 defect 3: one I_T nexus is made once. Before, the same URI twice (or {@code
 * ?port=1,1}) gave two logins of one nexus that reinstated each other without end.
 */
class DuplicateConnectTest {
  private final SystemScheduler real = new SystemScheduler("dup-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static List<DeviceId> join(CompletableFuture<List<DeviceId>> f) {
    return f.orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Reads that must all succeed, while state changes are counted. */
  private static void quietIo(MultipathDevice d, AtomicInteger changes) {
    int before = changes.get();
    for (int i = 0; i < 50; i++) {
      d.read(i, ByteBuffer.allocate(512)).orTimeout(30, TimeUnit.SECONDS).join();
    }
    assertEquals(before, changes.get(), "paths changed state during plain I/O: reinstatement?");
  }

  private static AtomicInteger stateChanges(Multipath mp) {
    AtomicInteger n = new AtomicInteger();
    mp.addListener(e -> {
      if (e instanceof MultipathEvent.PathStateChanged || e instanceof MultipathEvent.PathFaulted) {
        n.incrementAndGet();
      }
    });
    return n;
  }

  @Test
  void sameUriTwiceIsMergedIntoTheFirstConnect() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:dup-a", b -> {});
      AtomicInteger changes = stateChanges(mp);
      ScsiProvider p = f.providers.get(mp);
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      List<MultipathDevice> again = mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(List.of(only(mp)), again, "the second connect completes with the same head");
      assertEquals(2, p.sessions().size(), "one session per port, not two");
      assertEquals(List.of("sda:0", "sda:1"), only(mp).paths().stream().map(PathInfo::name).toList());
      quietIo(only(mp), changes);
    }
  }

  @Test
  void portListedTwiceMakesOneNexus() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:dup-b", b -> {});
      AtomicInteger changes = stateChanges(mp);
      ScsiProvider p = f.providers.get(mp);
      mp.connect(f.uri(1, 1)).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(1, p.sessions().size());
      assertEquals(1, only(mp).paths().size());
      quietIo(only(mp), changes);
    }
  }

  @Test
  void overlappingPortSetsAddOnlyTheNewPorts() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:dup-c", b -> {});
      ScsiProvider p = f.providers.get(mp);
      mp.connect(f.uri(1, 2)).orTimeout(30, TimeUnit.SECONDS).join();
      mp.connect(f.uri(2, 3)).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(3, p.sessions().size());
      assertEquals(3, only(mp).paths().size());
    }
  }

  @Test
  void concurrentConnectsOfOneUriShareTheNexus() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:dup-d", b -> {});
      ScsiProvider p = f.providers.get(mp);
      CompletableFuture<List<MultipathDevice>> a = mp.connect(f.uri(1));
      CompletableFuture<List<MultipathDevice>> b = mp.connect(f.uri(1));
      assertEquals(a.orTimeout(30, TimeUnit.SECONDS).join(), b.orTimeout(30, TimeUnit.SECONDS).join());
      assertEquals(1, p.sessions().size());
      assertEquals(1, only(mp).paths().size());
    }
  }

  @Test
  void aFailedFirstConnectDoesNotBlockALaterOne() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:dup-e", b -> {});
      ScsiProvider p = f.providers.get(mp);
      f.target.faults(1).kill();
      URI u = f.uri(1);
      CompletableFuture<List<MultipathDevice>> first = mp.connect(u);
      assertEquals(true, first.handle((v, e) -> e != null).orTimeout(30, TimeUnit.SECONDS).join());
      f.target.faults(1).revive();
      mp.connect(u).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(1, only(mp).paths().size());
      assertEquals(1, p.sessions().size(), "the failed session is gone");
    }
  }
}
