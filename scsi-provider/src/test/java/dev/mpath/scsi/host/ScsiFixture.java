package dev.mpath.scsi.host;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.loop.ScsiLoopTarget;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** One LU behind three target ports (1 in group 1; 2 and 3 in group 2), on a loop target. */
final class ScsiFixture implements AutoCloseable {
  static final String NAME = "iqn.2024-01.dev.mpath:lu1";
  private static final AtomicInteger SEQ = new AtomicInteger();

  final String loopName = "s" + SEQ.incrementAndGet();
  final ScsiTarget target;
  final ScsiLoopTarget loop;
  final List<Multipath> hosts = new ArrayList<>();
  final Map<Multipath, ScsiProvider> providers = new HashMap<>();

  ScsiFixture(Scheduler scheduler, Tpgs tpgs, AluaState group1, AluaState group2, Duration transition) {
    target = ScsiTarget.builder(NAME, scheduler)
        .vendor("MPATH").product("EMULATED LU").tpgs(tpgs)
        .portGroup(1, group1).portGroup(2, group2)
        .port(1, 1).port(2, 2).port(3, 2)
        .implicitTransitionTime(transition)
        .lun(0, LuSpec.of(65536, 512))
        .build();
    loop = ScsiLoopTargets.register(loopName, target);
  }

  /** Both groups active/optimized, transitions at once: every port carries I/O. */
  static ScsiFixture allOptimized(Scheduler scheduler) {
    return new ScsiFixture(scheduler, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_OPTIMIZED, Duration.ZERO);
  }

  /** Ports 1 and 2 (port 3, in group 2 too, is kept for adding a path later). */
  URI uri() {
    return uri(1, 2);
  }

  URI uri(int... ports) {
    StringBuilder q = new StringBuilder();
    for (int p : ports) {
      q.append(q.length() == 0 ? "" : ",").append(p);
    }
    return URI.create("scsi+loop://" + loopName + "/" + NAME + "/0?port=" + q);
  }

  Multipath host(Scheduler scheduler, String initiator, Consumer<Multipath.Builder> extra) {
    ScsiProvider p = new ScsiProvider();
    Multipath.Builder b = Multipath.builder()
        .provider(p).discoverProviders(false).scheduler(scheduler).jmxDomain(null)
        .checkInterval(Duration.ZERO)
        .property("scsi.initiator", initiator)
        .property("scsi.reconnect_delay_ms", "100");
    extra.accept(b);
    Multipath mp = b.build();
    hosts.add(mp);
    providers.put(mp, p);
    return mp;
  }

  static MultipathDevice only(Multipath mp) {
    List<MultipathDevice> d = mp.devices();
    if (d.size() != 1) {
      throw new AssertionError("expected one head, got " + d);
    }
    return d.get(0);
  }

  static void await(String what, BooleanSupplier condition) {
    dev.mpath.testing.Await.until(what, condition);
  }


  @Override
  public void close() {
    hosts.forEach(Multipath::close);
    loop.close();
    target.close();
  }
}
