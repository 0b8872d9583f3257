package dev.mpath.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.loop.LoopTargets;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CI chaos mode over the in-process emulators (issue 9): verified I/O from 8 streams
 * while the seeded schedule kills, hangs and stalls ports, flips access states, injects
 * path errors and partial transfers, and takes every path down for windows shorter than
 * delayed removal. {@code -Dmpath.chaos.seconds=N}, {@code -Dmpath.chaos.soak=true} (30
 * min) and {@code -Dmpath.chaos.seed=S} make it longer or repeat a run.
 */
class ChaosLoopTest {
  private final SystemScheduler sched = new SystemScheduler("chaos-timer");

  @AfterEach
  void stop() {
    sched.close();
  }

  static void assertClean(ChaosReport r) {
    assertTrue(r.faultsInjected() > 0, "faults were injected");
    assertTrue(r.iosVerified() > 0, "I/O was verified");
    assertEquals(0, r.errorsWhilePathUsable(), "errors while a path was usable: " + r.summary());
    assertEquals(0, r.lost(), "lost: " + r.summary());
    assertEquals(0, r.corrupt(), "corrupt: " + r.firstCorruptions());
    assertEquals(0, r.duplicate(), "duplicate completions");
    assertEquals(0, r.overdue(), "overdue: " + r.summary());
  }

  @Test
  void nvmeLoop() throws Exception {
    NvmeSubsystem s = ChaosSetup.subsystem(sched);
    var loop = LoopTargets.register("chaos-nvme", s);
    try (Multipath mp = ChaosSetup.nvmeHost(sched)) {
      mp.connect(URI.create("nvme+loop://chaos-nvme/" + ChaosSetup.NQN)).join();
      assertClean(ChaosSetup.run(mp, new NvmeFaults(s, 1, ChaosSetup.LONG_WINDOW_NVME_MS),
          ChaosSetup.seed(20261203L), 30));
    } finally {
      loop.close();
      s.close();
    }
  }

  @Test
  void scsiLoop() throws Exception {
    ScsiTarget t = ChaosSetup.lu(sched);
    var loop = ScsiLoopTargets.register("chaos-scsi", t);
    try (Multipath mp = ChaosSetup.scsiHost(sched)) {
      mp.connect(URI.create("scsi+loop://chaos-scsi/" + ChaosSetup.LU + "/0")).join();
      assertClean(ChaosSetup.run(mp, new ScsiFaults(t, 3, ChaosSetup.LONG_WINDOW_SCSI_MS),
          ChaosSetup.seed(20261203L), 30));
    } finally {
      loop.close();
      t.close();
    }
  }
}
