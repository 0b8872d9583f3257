package dev.mpath.examples.cli;

import dev.mpath.IoPolicy;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.alua.AluaState;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.target.ScsiTarget;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath demo}: the whole stack in one process. Starts the embedded NVMe subsystem and
 * SCSI LU, runs a verified load on one head of each, and while it runs kills a path, brings
 * it back, flips ANA and ALUA states, and finally fences one of two hosts with persistent
 * reservations. Prints what happened at each step and exits 0 only if every check held.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the embedded end-to-end demo (about 20 s).")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--threads", description = "Load threads per device (default ${DEFAULT-VALUE}).")
  int threads = 4;

  @Option(names = "--step-ms", description = "How long each load step runs (default ${DEFAULT-VALUE}).")
  long stepMillis = 1500;

  private PrintWriter out;
  private final List<String> failures = new ArrayList<>();
  private int checks;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    String hostId = UUID.randomUUID().toString();
    out.println("mpath demo: SCSI and NVMe multipath on the JVM, end to end, in this process");
    out.println();
    try (Hosts a = new Hosts(b -> b.ioPolicy(IoPolicy.roundRobin())
        .property("nvme.hostid", hostId)
        .property("nvme.reconnect_delay_ms", "300")
        .property("scsi.initiator", "iqn.2024-01.dev.mpath:demo-host-a")
        .property("scsi.reconnect_delay_ms", "300"))) {
      a.open(Topology.defaults(), List.of());
      Embedded e = a.embedded;
      NvmeSubsystem subsys = e.subsystems().values().iterator().next();
      ScsiTarget lu = e.scsiTargets().values().iterator().next();
      MultipathDevice nvme = a.mp.device("nvme0n1").orElseThrow();
      MultipathDevice scsi = a.mp.device("sda").orElseThrow();
      Topologies topo = new Topologies(a);

      step(1, "Targets started in process and connected through the loop transports");
      out.println("  NVMe subsystem " + subsys.nqn() + ": 3 ports, namespaces 1 and 2, ANA groups 1 and 2");
      out.println("  SCSI LU " + lu.name() + ": 2 target ports, ALUA group 1 active/optimized, group 2 active/non-optimized");
      out.println();
      indent(topo.multipathLl(false));
      out.println();
      indent(topo.listSubsys(false));
      check("nvme0n1 has 3 paths, sda has 2", nvme.paths().size() == 3 && scsi.paths().size() == 2);

      try (VerifiedLoad ln = new VerifiedLoad(nvme, threads); VerifiedLoad ls = new VerifiedLoad(scsi, threads)) {
        step(2, "Verified write/read load on nvme0n1 and sda (" + threads + " threads each), round-robin");
        Map<String, Long> before = snapshot(nvme, scsi);
        run(ln, ls);
        Map<String, Long> d2 = delta(before, snapshot(nvme, scsi));
        out.println("  I/O by path: " + d2);
        check("the ANA non-optimized path nvme0c2n1 carried no I/O", d2.get("nvme0c2n1") == 0);
        check("nvme0c0n1 and nvme0c1n1 (optimized) shared the I/O", d2.get("nvme0c0n1") > 0 && d2.get("nvme0c1n1") > 0);
        check("only the ALUA active/optimized path sda:0 carried I/O", d2.get("sda:0") > 0 && d2.get("sda:1") == 0);

        step(3, "Kill NVMe port 1 (the controller behind nvme0c0n1) under load");
        long fo = nvme.stats().failovers();
        subsys.faults(1).kill();
        PathInfo p0 = path(nvme, "nvme0c0n1");
        await("nvme0c0n1 down", () -> p0.state() != PathState.LIVE);
        before = snapshot(nvme, scsi);
        run(ln, ls);
        Map<String, Long> d3 = delta(before, snapshot(nvme, scsi));
        out.println("  nvme0c0n1 is " + lower(p0.state()) + "; I/O by path: " + d3);
        out.println("  failovers on nvme0n1: " + (nvme.stats().failovers() - fo) + ", errors surfaced: " + ln.errors.get());
        check("I/O continued on nvme0c1n1 with no error", d3.get("nvme0c1n1") > 0 && ln.errors.get() == 0);

        step(4, "Bring port 1 back: the controller reconnects");
        subsys.faults(1).revive();
        boolean back = await("nvme0c0n1 live", () -> p0.state() == PathState.LIVE && p0.usable());
        before = snapshot(nvme, scsi);
        run(ln, ls);
        Map<String, Long> d4 = delta(before, snapshot(nvme, scsi));
        out.println("  nvme0c0n1 is " + lower(p0.state()) + "; I/O by path: " + d4);
        check("nvme0c0n1 reconnected and carries I/O again", back && d4.get("nvme0c0n1") > 0);

        step(5, "Flip ANA: group 1 inaccessible on ports 1 and 2, optimized on port 3");
        subsys.setAnaState(1, 1, AnaState.INACCESSIBLE);
        subsys.setAnaState(1, 2, AnaState.INACCESSIBLE);
        subsys.setAnaState(1, 3, AnaState.OPTIMIZED);
        PathInfo p2 = path(nvme, "nvme0c2n1");
        boolean moved = await("ANA change seen", () -> p2.usable() && !p0.usable() && !path(nvme, "nvme0c1n1").usable())
            && await("I/O sent before the change to finish",
                () -> p0.inFlight() == 0 && path(nvme, "nvme0c1n1").inFlight() == 0);
        before = snapshot(nvme, scsi);
        run(ln, ls);
        Map<String, Long> d5 = delta(before, snapshot(nvme, scsi));
        out.println("  ANA states: " + states(nvme) + "; I/O by path: " + d5);
        check("I/O follows ANA to nvme0c2n1 only", moved && d5.get("nvme0c2n1") > 0
            && d5.get("nvme0c0n1") == 0 && d5.get("nvme0c1n1") == 0);

        step(6, "Flip ALUA: group 1 to active/non-optimized, group 2 to active/optimized, through transitioning");
        lu.portGroups().transition(1, AluaState.ACTIVE_NON_OPTIMIZED, Duration.ofMillis(500));
        lu.portGroups().transition(2, AluaState.ACTIVE_OPTIMIZED, Duration.ofMillis(500));
        PathInfo s1 = path(scsi, "sda:1");
        boolean flipped = await("ALUA change seen", () -> s1.accessState() == dev.mpath.AccessState.OPTIMIZED
            && path(scsi, "sda:0").accessState() == dev.mpath.AccessState.NON_OPTIMIZED)
            && await("I/O sent before the change to finish", () -> path(scsi, "sda:0").inFlight() == 0);
        before = snapshot(nvme, scsi);
        run(ln, ls);
        Map<String, Long> d6 = delta(before, snapshot(nvme, scsi));
        out.println("  access states: " + states(scsi) + "; I/O by path: " + d6);
        check("I/O follows ALUA to sda:1 only", flipped && d6.get("sda:1") > 0 && d6.get("sda:0") == 0);

        ln.stop();
        ls.stop();
        long verified = ln.verifiedBytes.get() + ls.verifiedBytes.get();
        long errors = ln.errors.get() + ls.errors.get();
        out.printf("  load stopped: %d I/Os, %.1f MiB verified, errors surfaced %d%n",
            ln.ios.get() + ls.ios.get(), verified / 1048576.0, errors);
        if (errors > 0) {
          out.println("  first error: " + firstError(ln, ls));
        }
        check("no error reached the load, every byte verified", errors == 0 && verified > 0);
      }

      step(7, "Fence: hosts A and B register; A reserves; B preempts and aborts A");
      try (Hosts b = new Hosts(x -> x.jmxDomain(null).property("nvme.hostid", UUID.randomUUID().toString())
          .property("scsi.initiator", "iqn.2024-01.dev.mpath:demo-host-b"))) {
        b.open(null, e.uris());
        for (String name : List.of("nvme0n1", "sda")) {
          fence(name, a.mp.device(name).orElseThrow(), b.mp.device(name).orElseThrow());
        }
      }

      out.println();
      out.printf("Summary: %d checks, %d failed; nvme0n1 failovers %d, sda failovers %d, requeues %d.%n",
          checks, failures.size(), nvme.stats().failovers(), scsi.stats().failovers(),
          nvme.stats().requeues() + scsi.stats().requeues());
      for (String f : failures) {
        out.println("  FAILED: " + f);
      }
      out.println(failures.isEmpty() ? "All checks passed." : "Some checks failed.");
      out.flush();
      return failures.isEmpty() ? 0 : 1;
    }
  }

  private void fence(String name, MultipathDevice a, MultipathDevice b) {
    long keyA = 0xA11CEL;
    long keyB = 0xB0BL;
    a.reservations().register(0, keyA, true, false).join();
    b.reservations().register(0, keyB, true, false).join();
    a.reservations().reserve(keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
    var keys = b.reservations().readKeys().join().keys();
    out.println("  " + name + ": registered keys " + keys.stream().map(Keys::hex).toList()
        + ", A holds " + PrWords.type(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY));
    b.reservations().preempt(keyB, keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
    int refused = 0;
    int tries = 2 * a.paths().size();
    long failovers = a.stats().failovers();
    for (int i = 0; i < tries; i++) {
      try {
        a.write(i, ByteBuffer.allocate(a.blockSize())).join();
      } catch (CompletionException ex) {
        if (ex.getCause() instanceof ReservationConflictException) {
          refused++;
        }
      }
    }
    boolean bWrites;
    try {
      b.write(0, ByteBuffer.allocate(b.blockSize())).join();
      bWrites = true;
    } catch (CompletionException ex) {
      bWrites = false;
    }
    out.println("  " + name + ": after B's preempt-and-abort, A's writes refused " + refused + "/" + tries
        + " (reservation conflict, failovers " + (a.stats().failovers() - failovers) + "), B writes: "
        + (bWrites ? "yes" : "no"));
    check(name + ": A is fenced on every path without failover, B writes",
        refused == tries && a.stats().failovers() == failovers && bWrites);
  }

  // ------------------------------------------------------------------ helpers

  private void run(VerifiedLoad ln, VerifiedLoad ls) throws InterruptedException {
    long start = System.nanoTime();
    long ticks = Math.max(1, stepMillis / 500);
    long lastIos = ln.ios.get() + ls.ios.get();
    for (long t = 1; t <= ticks; t++) {
      long due = start + t * 500_000_000L;
      long wait = (due - System.nanoTime()) / 1_000_000L;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      long ios = ln.ios.get() + ls.ios.get();
      out.printf("  ... %4.1fs  %7d I/Os (%6d/s)  %7.1f MiB verified  errors %d%n",
          (System.nanoTime() - start) / 1e9, ios, (ios - lastIos) * 2, (ln.verifiedBytes.get() + ls.verifiedBytes.get()) / 1048576.0,
          ln.errors.get() + ls.errors.get());
      lastIos = ios;
      out.flush();
    }
  }

  private static Map<String, Long> snapshot(MultipathDevice... ds) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (MultipathDevice d : ds) {
      for (PathInfo p : d.paths()) {
        m.put(p.name(), p.stats().ios());
      }
    }
    return m;
  }

  private static Map<String, Long> delta(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> m = new LinkedHashMap<>();
    b.forEach((k, v) -> m.put(k, v - a.getOrDefault(k, 0L)));
    return m;
  }

  private static PathInfo path(MultipathDevice d, String name) {
    return d.paths().stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no path " + name));
  }

  private static String states(MultipathDevice d) {
    StringBuilder sb = new StringBuilder();
    for (PathInfo p : d.paths()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(p.name()).append('=')
          .append(Topologies.access(p.accessState()));
    }
    return sb.toString();
  }

  private static String lower(PathState s) {
    return s.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String firstError(VerifiedLoad... loads) {
    for (VerifiedLoad l : loads) {
      if (l.firstError.get() != null) {
        return l.firstError.get().toString();
      }
    }
    return "";
  }

  private void step(int n, String what) {
    out.println();
    out.println("[" + n + "/7] " + what);
    out.flush();
  }

  private void indent(String text) {
    for (String line : text.split("\n")) {
      out.println("  " + line);
    }
  }

  private void check(String what, boolean ok) {
    checks++;
    out.println("  [" + (ok ? "ok" : "FAILED") + "] " + what);
    if (!ok) {
      failures.add(what);
    }
    out.flush();
  }

  /** Waits up to 15 s for {@code c}; false if it never held. */
  private static boolean await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
