package dev.mpath.scsi.host;

import static dev.mpath.scsi.host.ScsiFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.PathState;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.LatencyProbe;
import dev.mpath.testing.VerifiedLoad;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 defect 1: one of two SCSI ports hung stalled the whole head, because no command
 * had a timeout. Now a command past {@code scsi.timeout_ms} is aborted (ABORT TASK, then
 * LOGICAL UNIT RESET, then the session is dropped) and its request cloned onto the other
 * port, exactly once and without an error reaching the caller.
 */
class ScsiCommandTimeoutTest {
  /** 300 ms in CI; -Dmpath.timeout.ms=30000 measures with the default. */
  private static final long TIMEOUT_MS = Long.getLong("mpath.timeout.ms", 300);
  private final SystemScheduler real = new SystemScheduler("scsi-timeout-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static Multipath host(ScsiFixture f, SystemScheduler s, String name) {
    return f.host(s, "iqn.2024-01.dev.mpath:" + name, b -> b.ioPolicy(IoPolicy.roundRobin())
        .property("scsi.timeout_ms", Long.toString(TIMEOUT_MS))
        .property("scsi.abort_timeout_ms", "300")
        .property("scsi.lu_reset_timeout_ms", "300"));
  }

  @Test
  void hungPortIsAbortedAndTheOtherPortCarriesTheLoad() throws Exception {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = host(f, real, "tmo-a");
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      MultipathDevice d = only(mp);
      AtomicInteger drops = new AtomicInteger();
      mp.addListener(e -> {
        if (e instanceof MultipathEvent.PathStateChanged c && c.to() == PathState.CONNECTING) {
          drops.incrementAndGet();
        }
      });
      f.target.faults(1).hang(true);
      long worst = LatencyProbe.worstNanos(d, 20, 3);
      System.out.printf("SCSI hung port, ABORT TASK taken: timeout %d ms, worst latency %d ms%n",
          TIMEOUT_MS, TimeUnit.NANOSECONDS.toMillis(worst));
      assertTrue(d.stats().failovers() >= 1, "the hung port's request was cloned elsewhere");
      VerifiedLoad.Result r = VerifiedLoad.run(d, 4, 40, 4096, 8, () -> {});
      assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
      assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
      assertEquals(0, drops.get(), "ABORT TASK took: no session was dropped");
      // the stall ends: aborted writes never run late over newer data
      f.target.faults(1).hang(false);
      LatencyProbe.worstNanos(d, 20, 3);
    }
  }

  @Test
  void rejectedTaskManagementDropsTheSessionAndTheRequestStillCompletesOnce() throws Exception {
    try (ScsiFixture f = ScsiFixture.allOptimized(real)) {
      Multipath mp = host(f, real, "tmo-b");
      mp.connect(f.uri()).orTimeout(30, TimeUnit.SECONDS).join();
      MultipathDevice d = only(mp);
      AtomicInteger drops = new AtomicInteger();
      mp.addListener(e -> {
        if (e instanceof MultipathEvent.PathStateChanged c && c.to() == PathState.CONNECTING) {
          drops.incrementAndGet();
        }
      });
      f.target.faults(1).hang(true);
      f.target.faults(1).rejectTaskManagement(true);
      long worst = LatencyProbe.worstNanos(d, 10, 5);
      System.out.printf("SCSI hung port, TMFs rejected: timeout %d ms, worst latency %d ms%n",
          TIMEOUT_MS, TimeUnit.NANOSECONDS.toMillis(worst));
      assertTrue(drops.get() >= 1, "ABORT TASK and LUN RESET failed: the session was dropped");
      f.target.faults(1).clear();
      VerifiedLoad.Result r = VerifiedLoad.run(d, 2, 20, 4096, 8, () -> {});
      assertNull(r.firstFailure());
      assertEquals(-1, r.firstNotOnce());
    }
  }
}
