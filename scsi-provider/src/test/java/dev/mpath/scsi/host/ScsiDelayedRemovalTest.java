package dev.mpath.scsi.host;

import static dev.mpath.scsi.host.ScsiFixture.await;
import static dev.mpath.scsi.host.ScsiFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.NoPathException;
import dev.mpath.PathInfo;
import dev.mpath.spi.SystemScheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 defect 4 and deliverable 3: a SCSI path whose session has been gone longer than
 * its replacement timeout is removed, and a head that loses its last path that way starts
 * its delayed-removal window, as an NVMe head does when its namespace goes.
 */
class ScsiDelayedRemovalTest {
  private final SystemScheduler real = new SystemScheduler("removal-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static Multipath host(ScsiFixture f, SystemScheduler s, String name, Duration removal) {
    return f.host(s, "iqn.2024-01.dev.mpath:" + name, b -> b.delayedRemoval(removal)
        .property("scsi.replacement_timeout_ms", "300"));
  }

  private static ByteBuffer block(int salt) {
    ByteBuffer b = ByteBuffer.allocate(512);
    for (int i = 0; i < 512; i++) {
      b.put(i, (byte) (i * 7 + salt));
    }
    return b;
  }

  private static List<String> names(MultipathDevice d) {
    return d.paths().stream().map(PathInfo::name).toList();
  }

  @Test
  void aPathGonePastItsReplacementTimeoutIsRemovedAndComesBackWithItsSession() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = host(f, real, "rm-a", Duration.ofSeconds(60));
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      MultipathDevice d = only(mp);
      assertEquals(List.of("sda:0", "sda:1"), names(d));
      f.target.faults(1).kill();
      await("the dead port's path removed", () -> names(d).equals(List.of("sda:1")));
      d.write(3, block(1)).orTimeout(30, TimeUnit.SECONDS).join();
      f.target.faults(1).revive();
      await("the path back with its session", () -> d.paths().size() == 2);
      assertSame(d, only(mp), "same head");
      assertEquals(2, f.providers.get(mp).sessions().size(), "no session added or lost");
      ByteBuffer r = ByteBuffer.allocate(512);
      d.read(3, r).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(block(1), r);
    }
  }

  @Test
  void lastPathRemovedStartsTheWindowAndAReturningPathDrainsTheQueue() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = host(f, real, "rm-b", Duration.ofSeconds(120));
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      MultipathDevice d = only(mp);
      d.write(5, block(2)).orTimeout(30, TimeUnit.SECONDS).join();
      f.target.faults(1).kill();
      f.target.faults(2).kill();
      await("both paths removed", () -> d.paths().isEmpty());
      assertTrue(d.isPresent(), "the head stays for its delayed-removal window");
      CompletableFuture<Void> queued = d.write(6, block(3));
      ByteBuffer readBack = ByteBuffer.allocate(512);
      CompletableFuture<Void> queuedRead = d.read(5, readBack);
      await("queued", () -> d.queued() == 2);
      assertFalse(queued.isDone());
      f.target.faults(2).revive();
      queued.orTimeout(30, TimeUnit.SECONDS).join();
      queuedRead.orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(block(2), readBack);
      assertSame(d, only(mp));
      f.target.faults(1).revive();
      await("both paths back", () -> d.paths().size() == 2);
    }
  }

  @Test
  void noPathBackWithinTheWindowFailsTheQueueWithNoPathException() {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = host(f, real, "rm-c", Duration.ofMillis(500));
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      MultipathDevice d = only(mp);
      f.target.faults(1).kill();
      f.target.faults(2).kill();
      CompletableFuture<Void> queued = d.read(0, ByteBuffer.allocate(512));
      CompletionException e = assertThrows(CompletionException.class,
          () -> queued.orTimeout(30, TimeUnit.SECONDS).join());
      assertInstanceOf(NoPathException.class, e.getCause());
      await("head removed", () -> mp.devices().isEmpty());
      assertFalse(d.isPresent());
      // the sessions keep logging in: when the ports return, the LU is found again
      f.target.faults(1).revive();
      f.target.faults(2).revive();
      await("a new head for the returning paths", () -> mp.devices().size() == 1
          && mp.devices().get(0).paths().size() == 2);
      assertEquals("sda", mp.devices().get(0).name(), "the WWID keeps its name");
    }
  }
}
