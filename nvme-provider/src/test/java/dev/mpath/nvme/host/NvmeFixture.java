package dev.mpath.nvme.host;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.loop.LoopTarget;
import dev.mpath.nvme.loop.LoopTargets;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.spi.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The seed topology on a loop target: subsystem A with three ports, namespace 1 shared by
 * all, namespace 2 private to port 3 (each in its own ANA group); subsystem B with one port
 * and namespace 1.
 */
final class NvmeFixture implements AutoCloseable {
  static final String NQN_A = "nqn.2024-01.dev.mpath:subsys-a";
  static final String NQN_B = "nqn.2024-01.dev.mpath:subsys-b";
  private static final AtomicInteger SEQ = new AtomicInteger();

  final String target = "t" + SEQ.incrementAndGet();
  final NvmeSubsystem a;
  final NvmeSubsystem b;
  final LoopTarget loop;
  final List<Multipath> hosts = new ArrayList<>();
  final java.util.Map<Multipath, NvmeProvider> providers = new java.util.HashMap<>();

  NvmeFixture(Scheduler scheduler) {
    a = NvmeSubsystem.builder(NQN_A, scheduler)
        .serial("SUBA0001").model("mpath emulated A").ports(3).anaGroup(1).anaGroup(2)
        .namespace(NamespaceSpec.builder(1).blocks(131072).nguid(guid(0xA1)).anaGroup(1).build())
        .namespace(NamespaceSpec.builder(2).blocks(4096).nguid(guid(0xA2)).anaGroup(2)
            .shared(false).ports(3).build())
        .build();
    b = NvmeSubsystem.builder(NQN_B, scheduler)
        .serial("SUBB0001").model("mpath emulated B").ports(1).anaGroup(1)
        .namespace(NamespaceSpec.builder(1).blocks(2048).nguid(guid(0xB1)).anaGroup(1).build())
        .build();
    loop = LoopTargets.register(target, a, b);
  }

  static byte[] guid(int tag) {
    byte[] g = new byte[16];
    g[0] = 0x60;
    g[1] = 0x0d;
    g[15] = (byte) tag;
    return g;
  }

  URI uriA() {
    return URI.create("nvme+loop://" + target + "/" + NQN_A);
  }

  URI uriB() {
    return URI.create("nvme+loop://" + target + "/" + NQN_B);
  }

  /** A host (Multipath instance) with its own host identifier. */
  Multipath host(Scheduler scheduler, Consumer<Multipath.Builder> extra) {
    NvmeProvider provider = new NvmeProvider();
    Multipath.Builder b =
        Multipath.builder()
            .provider(provider)
            .discoverProviders(false)
            .scheduler(scheduler)
            .jmxDomain(null)
            .checkInterval(Duration.ZERO)
            .property("nvme.hostid", UUID.randomUUID().toString())
            .property("nvme.reconnect_delay_ms", "100");
    extra.accept(b);
    Multipath mp = b.build();
    hosts.add(mp);
    providers.put(mp, provider);
    return mp;
  }

  static MultipathDevice head(Multipath mp, String name) {
    return mp.device(name).orElseThrow(() -> new AssertionError("no head " + name + " in "
        + mp.devices().stream().map(MultipathDevice::name).toList()));
  }

  static void await(String what, BooleanSupplier condition) {
    dev.mpath.testing.Await.until(what, condition);
  }


  @Override
  public void close() {
    hosts.forEach(Multipath::close);
    loop.close();
    a.close();
    b.close();
  }
}
