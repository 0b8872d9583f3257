package dev.mpath.chaos;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.Tpgs;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.UUID;

/**
 * The systems the CI chaos runs use, with timeouts short enough that a fault is recovered
 * from within a second or two: every bound the run checks follows from these.
 */
final class ChaosSetup {
  static final String NQN = "nqn.2024-01.dev.mpath:chaos";
  static final String LU = "iqn.2024-01.dev.mpath:chaos-lu";
  /** Delayed removal T: longer than the short all-paths-down windows (at most 3 s). */
  static final Duration DELAYED_REMOVAL = Duration.ofSeconds(6);
  /** SCSI replacement timeout: paths go after 5 s without their session. */
  static final long REPLACEMENT_MS = 5000;
  /**
   * What a caller may wait at most for a request that succeeds: an all-paths-down window
   * (3 s) plus the schedule's interval (0.5 s), a reconnect and a command timeout with its
   * escalation.
   */
  static final Duration OVERDUE = Duration.ofSeconds(10);
  /**
   * What a request failing with NoPathException may wait: the paths' removal (SCSI: the
   * replacement timeout; NVMe: the detach notice), then T, then a second.
   */
  static final Duration NO_PATH_BOUND =
      Duration.ofMillis(REPLACEMENT_MS).plus(DELAYED_REMOVAL).plusSeconds(2);
  /** The one window per run past delayed removal: NVMe (detach) and SCSI (ports killed). */
  static final long LONG_WINDOW_NVME_MS = DELAYED_REMOVAL.toMillis() + 2000;
  static final long LONG_WINDOW_SCSI_MS = REPLACEMENT_MS + DELAYED_REMOVAL.toMillis() + 2000;

  private ChaosSetup() {}

  /** Run length: {@code mpath.chaos.seconds}, else 1800 with {@code mpath.chaos.soak}, else CI's. */
  static Duration duration(int ciSeconds) {
    String s = System.getProperty("mpath.chaos.seconds");
    if (s != null && !s.isBlank()) {
      return Duration.ofSeconds(Long.parseLong(s.trim()));
    }
    return Duration.ofSeconds(Boolean.getBoolean("mpath.chaos.soak") ? 1800 : ciSeconds);
  }

  /** The seed: {@code mpath.chaos.seed} to repeat a run, else a fixed one per test. */
  static long seed(long fixed) {
    String s = System.getProperty("mpath.chaos.seed");
    return s == null || s.isBlank() ? fixed : Long.parseLong(s.trim());
  }

  static NvmeSubsystem subsystem(Scheduler s) {
    return NvmeSubsystem.builder(NQN, s).ports(3).anaGroup(1).anatt(2)
        .namespace(NamespaceSpec.builder(1).blocks(16384).anaGroup(1).build())
        .build();
  }

  static ScsiTarget lu(Scheduler s) {
    return ScsiTarget.builder(LU, s)
        .tpgs(Tpgs.IMPLICIT)
        .portGroup(1, AluaState.ACTIVE_OPTIMIZED).portGroup(2, AluaState.ACTIVE_OPTIMIZED)
        .port(1, 1).port(2, 2).port(3, 2)
        .implicitTransitionTime(Duration.ofMillis(100))
        .lun(0, LuSpec.of(16384, 512))
        .build();
  }

  static Multipath nvmeHost(Scheduler s) {
    return Multipath.builder().provider(new NvmeProvider()).discoverProviders(false)
        .scheduler(s).jmxDomain(null).ioPolicy(IoPolicy.roundRobin())
        .delayedRemoval(DELAYED_REMOVAL).checkInterval(Duration.ofMillis(250))
        .checkTimeout(Duration.ofSeconds(2))
        .property("nvme.hostid", UUID.randomUUID().toString())
        .property("nvme.kato_ms", "1000")
        .property("nvme.io_timeout_ms", "1000")
        .property("nvme.admin_timeout_ms", "2000")
        .property("nvme.reconnect_delay_ms", "200")
        .build();
  }

  static Multipath scsiHost(Scheduler s) {
    return Multipath.builder().provider(new ScsiProvider()).discoverProviders(false)
        .scheduler(s).jmxDomain(null).ioPolicy(IoPolicy.roundRobin())
        .delayedRemoval(DELAYED_REMOVAL).checkInterval(Duration.ofMillis(250))
        .property("scsi.initiator", "iqn.2024-01.dev.mpath:chaos-host")
        .property("scsi.timeout_ms", "1000")
        .property("scsi.abort_timeout_ms", "500")
        .property("scsi.lu_reset_timeout_ms", "500")
        .property("scsi.noop_out_interval_ms", "1000")
        .property("scsi.noop_out_timeout_ms", "1000")
        .property("scsi.replacement_timeout_ms", Long.toString(REPLACEMENT_MS))
        .property("scsi.reconnect_delay_ms", "100")
        .build();
  }

  static MultipathDevice only(Multipath mp) {
    if (mp.devices().size() != 1) {
      throw new AssertionError("expected one head: " + mp.devices());
    }
    return mp.devices().get(0);
  }

  static ChaosReport run(Multipath mp, FaultInjector f, long seed, int ciSeconds)
      throws InterruptedException {
    MultipathDevice d = only(mp);
    ChaosReport r = ChaosRun.builder(d, f).seed(seed).streams(8).region(256, 8)
        .duration(duration(ciSeconds)).overdueAfter(OVERDUE).noPathBound(NO_PATH_BOUND)
        .grace(Duration.ofSeconds(20))
        .reacquire(() -> mp.device(d.id()).orElse(null))
        .build().run();
    System.out.println("CHAOS " + d.name() + ": " + r.summary());
    if (!r.clean()) {
      r.schedule().forEach(e -> System.out.println("  " + e));
      r.firstCorruptions().forEach(e -> System.out.println("  corrupt: " + e));
    }
    return r;
  }
}
