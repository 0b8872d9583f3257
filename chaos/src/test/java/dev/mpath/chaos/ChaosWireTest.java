package dev.mpath.chaos;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.tcp.NvmeTcpListener;
import dev.mpath.scsi.iscsi.IscsiTargetListener;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CI chaos mode over the wire transports (issue 9): NVMe/TCP and iSCSI to the project's
 * own listeners on loopback, one listener per emulator port, with TCP connection resets on
 * top of the emulator faults.
 */
class ChaosWireTest {
  private final SystemScheduler sched = new SystemScheduler("chaos-wire-timer");
  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
    sched.close();
  }

  @Test
  void nvmeTcp() throws Exception {
    NvmeSubsystem s = ChaosSetup.subsystem(sched);
    closers.add(s);
    List<Runnable> resets = new ArrayList<>();
    Multipath mp = ChaosSetup.nvmeHost(sched);
    for (int port : s.ports()) {
      NvmeTcpListener l = NvmeTcpListener.start(s, port);
      closers.add(l);
      resets.add(l::closeConnections);
      mp.connect(l.uri()).orTimeout(30, TimeUnit.SECONDS).join();
    }
    closers.add(mp);
    ChaosLoopTest.assertClean(ChaosSetup.run(mp, new WireFaults(
        new NvmeFaults(s, 1, ChaosSetup.LONG_WINDOW_NVME_MS), resets),
        ChaosSetup.seed(4420L), 30));
  }

  @Test
  void iscsi() throws Exception {
    ScsiTarget t = ChaosSetup.lu(sched);
    closers.add(t);
    List<Runnable> resets = new ArrayList<>();
    Multipath mp = ChaosSetup.scsiHost(sched);
    for (int port = 1; port <= 3; port++) {
      IscsiTargetListener l = IscsiTargetListener.builder(t, port).start();
      closers.add(l);
      resets.add(l::closeConnections);
      mp.connect(l.uri(0)).orTimeout(30, TimeUnit.SECONDS).join();
    }
    closers.add(mp);
    ChaosLoopTest.assertClean(ChaosSetup.run(mp, new WireFaults(
        new ScsiFaults(t, 3, ChaosSetup.LONG_WINDOW_SCSI_MS), resets),
        ChaosSetup.seed(3260L), 30));
  }
}
