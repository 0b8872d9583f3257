package dev.mpath.nvme.host;

import static dev.mpath.nvme.host.NvmeFixture.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.LatencyProbe;
import dev.mpath.testing.VerifiedLoad;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: an I/O queue that stops completing while Keep Alive still answers. Before, such
 * a request waited forever; now it is aborted at the I/O timeout (then the controller reset
 * when the Abort does not take) and redirected, completed exactly once.
 */
class NvmeCommandTimeoutTest {
  /** 300 ms in CI; -Dmpath.timeout.ms=30000 measures with the default. */
  private static final long IO_TIMEOUT_MS = Long.getLong("mpath.timeout.ms", 300);
  private final SystemScheduler real = new SystemScheduler("timeout-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static Multipath host(NvmeFixture f, SystemScheduler s) {
    return f.host(s, b -> b.ioPolicy(IoPolicy.roundRobin())
        .property("nvme.io_timeout_ms", Long.toString(IO_TIMEOUT_MS)));
  }

  @Test
  void stalledQueueIsAbortedAndItsRequestsFailOverExactlyOnce() throws Exception {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = host(f, real);
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      HostController c0 = f.providers.get(mp).controllers().get(0);
      f.a.faults(1).stallIo(true);
      // one request at a time from the moment of the stall: round-robin sends one to it
      long worst = LatencyProbe.worstNanos(d, 20, 9);
      System.out.printf("NVMe stalled queue, Abort taken: io_timeout %d ms, worst latency %d ms%n",
          IO_TIMEOUT_MS, TimeUnit.NANOSECONDS.toMillis(worst));
      assertTrue(d.stats().failovers() >= 1, "the stalled path's request was redirected");
      VerifiedLoad.Result r = VerifiedLoad.run(d, 4, 40, 4096, 8, () -> {});
      assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
      assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
      assertEquals(0, c0.resets(), "the Abort took: no controller reset was needed");
      f.a.faults(1).stallIo(false);
    }
  }

  @Test
  void abortRefusedResetsTheControllerAndLateCompletionsAreDropped() throws Exception {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = host(f, real);
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      HostController c0 = f.providers.get(mp).controllers().get(0);
      f.a.faults(1).stallIo(true);
      f.a.faults(1).refuseAborts(true);
      long worst = LatencyProbe.worstNanos(d, 20, 9);
      System.out.printf("NVMe stalled queue, Abort refused: io_timeout %d ms, worst latency %d ms%n",
          IO_TIMEOUT_MS, TimeUnit.NANOSECONDS.toMillis(worst));
      VerifiedLoad.Result r = VerifiedLoad.run(d, 4, 40, 4096, 8, () -> {});
      assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
      assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
      assertTrue(c0.resets() >= 1, "a command the controller would not abort reset it");
      // the stall ends: whatever the old association held completes nowhere twice
      f.a.faults(1).clear();
      VerifiedLoad.Result after = VerifiedLoad.run(d, 2, 20, 4096, 8, () -> {});
      assertNull(after.firstFailure());
      assertEquals(-1, after.firstNotOnce());
    }
  }

  @Test
  void uriTimeoutOverridesTheProvidersAndBadValuesAreRefused() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> {}); // provider default: 30 s
      mp.connect(URI.create(f.uriA() + "?io_timeout_ms=200")).join();
      MultipathDevice d = head(mp, "nvme0n1");
      f.a.faults(1).stallIo(true);
      f.a.faults(2).stallIo(true);
      // only port 3 completes: requests to 1 and 2 come back within the URI's 200 ms
      for (int i = 0; i < 6; i++) {
        d.write(i, VerifiedLoad.pattern(i, 512, 1)).orTimeout(20, TimeUnit.SECONDS).join();
      }
      assertTrue(d.stats().failovers() >= 1);
      for (String bad : new String[] {"io_timeout_ms=0", "io_timeout_ms=x", "admin_timeout_ms=-5",
          "bogus=1"}) {
        Throwable e = mp.connect(URI.create(f.uriB() + "?" + bad)).handle((v, x) -> x).join();
        assertTrue(e != null && HostController.cause(e) instanceof IllegalArgumentException,
            bad + ": " + e);
      }
    }
  }

  @Test
  void anAdminCommandPastTheAdminTimeoutResetsTheController() {
    // Keep Alive every 1 s with KATO 2 s: on a hung port the admin timeout (300 ms) ends
    // the association before the keep-alive timeout would
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.property("nvme.kato_ms", "2000")
          .property("nvme.admin_timeout_ms", "300"));
      mp.connect(f.uriB()).join();
      HostController c = f.providers.get(mp).controllers().get(0);
      f.b.faults(1).hang(true);
      NvmeFixture.await("reset", () -> c.resets() >= 1);
      assertTrue(c.lastResetReason().startsWith("admin command 18h"),
          "Keep Alive (18h) timed out: " + c.lastResetReason());
      f.b.faults(1).hang(false);
    }
  }
}
