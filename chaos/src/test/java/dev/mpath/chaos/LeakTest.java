package dev.mpath.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.nvme.loop.LoopTargets;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.tcp.NvmeTcpListener;
import dev.mpath.scsi.iscsi.IscsiTargetListener;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 9: no thread or descriptor is left behind by 100 connect/close cycles. */
class LeakTest {
  private static final int CYCLES = 100;
  private final SystemScheduler sched = new SystemScheduler("leak-timer");

  @AfterEach
  void stop() {
    sched.close();
  }

  private static void check(String what, LeakCheck.Report r) {
    System.out.println("LEAKS " + what + ": " + r.summary());
    // slack: a JDK-internal thread or descriptor may come and go (a GC helper, the jar)
    assertTrue(r.clean(2), what + ": " + r.summary());
  }

  @Test
  void aLeakIsSeen() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // 20 leaked threads, so that threads of an earlier test ending meanwhile (the net count
    // is what is compared) cannot hide them within the slack: 5 once came out as +2
    LeakCheck.Report r = LeakCheck.run(20, Duration.ofMillis(200), () -> {
      Thread t = new Thread(() -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "leaked");
      t.setDaemon(true);
      t.start();
    });
    release.countDown();
    assertTrue(!r.clean(2) && r.newThreads().contains("leaked"), r.summary());
  }

  @Test
  void loopEmulatorsConnectAndClose() throws Exception {
    NvmeSubsystem s = ChaosSetup.subsystem(sched);
    ScsiTarget t = ChaosSetup.lu(sched);
    var nl = LoopTargets.register("leak-nvme", s);
    var sl = ScsiLoopTargets.register("leak-scsi", t);
    try {
      // warm up once: class loading and the JDK's own lazy threads are not leaks
      cycle(URI.create("nvme+loop://leak-nvme/" + ChaosSetup.NQN), true);
      cycle(URI.create("scsi+loop://leak-scsi/" + ChaosSetup.LU + "/0"), false);
      check("nvme+loop", LeakCheck.run(CYCLES, Duration.ofSeconds(20),
          () -> cycle(URI.create("nvme+loop://leak-nvme/" + ChaosSetup.NQN), true)));
      check("scsi+loop", LeakCheck.run(CYCLES, Duration.ofSeconds(20),
          () -> cycle(URI.create("scsi+loop://leak-scsi/" + ChaosSetup.LU + "/0"), false)));
    } finally {
      nl.close();
      sl.close();
      s.close();
      t.close();
    }
  }

  @Test
  void wireTransportsConnectAndClose() throws Exception {
    NvmeSubsystem s = ChaosSetup.subsystem(sched);
    ScsiTarget t = ChaosSetup.lu(sched);
    try (NvmeTcpListener nl = NvmeTcpListener.start(s, 1);
        IscsiTargetListener il = IscsiTargetListener.builder(t, 1).start()) {
      cycle(nl.uri(), true);
      cycle(il.uri(0), false);
      check("nvme+tcp", LeakCheck.run(CYCLES, Duration.ofSeconds(20), () -> cycle(nl.uri(), true)));
      check("iscsi", LeakCheck.run(CYCLES, Duration.ofSeconds(20), () -> cycle(il.uri(0), false)));
    } finally {
      s.close();
      t.close();
    }
  }

  private void cycle(URI uri, boolean nvme) {
    try (Multipath mp = nvme ? ChaosSetup.nvmeHost(sched) : ChaosSetup.scsiHost(sched)) {
      mp.connect(uri).orTimeout(30, TimeUnit.SECONDS).join();
    }
  }
}
