package dev.mpath.examples.cli;

import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.examples.plugin.InstantPaths;
import dev.mpath.IoRequest;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath overhead}: what the multipath head costs per I/O, as a ratio measured in one
 * run. The same zero-work path (it completes every request at once, on the caller's thread)
 * is driven directly and through a head with N such paths, in alternating rounds, and the
 * medians of the per-round ns/op are compared. The design target is a ratio close to 1: the
 * head is a path choice over an immutable snapshot and two counter updates.
 */
@Command(name = "overhead", mixinStandardHelpOptions = true,
    description = "Measure the head's per-I/O cost against a direct path (ratio, one run).")
final class OverheadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--paths", description = "Paths behind the head (default ${DEFAULT-VALUE}).")
  int paths = 4;

  @Option(names = "--ios", description = "Submissions per round (default ${DEFAULT-VALUE}).")
  int ios = 200_000;

  @Option(names = "--rounds", description = "Alternating rounds (default ${DEFAULT-VALUE}).")
  int rounds = 15;

  @Option(names = "--policy", description = "numa, round-robin, queue-depth, service-time, adaptive, failover (default ${DEFAULT-VALUE}).")
  String policy = "round-robin";

  @Option(names = "--json", description = "JSON output.")
  boolean json;

  @Option(names = "--transport-ios", description = "4 KiB qd1 reads on the embedded NVMe loop head "
      + "to put the head's cost in proportion (0: skip; default ${DEFAULT-VALUE}).")
  int transportIos = 20_000;

  private static final class Counter {
    long n;
  }

  @Override
  public Integer call() {
    if (paths < 1 || ios < 1 || rounds < 1) {
      throw new IllegalArgumentException("--paths, --ios and --rounds must be positive");
    }
    IoPolicy p = IoPolicy.parse(policy);
    DeviceId id = DeviceId.parse("naa.60014050000000000000000000000001");
    InstantPaths.Provider provider = new InstantPaths.Provider();
    try (Multipath mp = Multipath.builder().provider(provider).discoverProviders(false)
        .jmxDomain(null).ioPolicy(p).build()) {
      for (int i = 0; i < paths; i++) {
        provider.attach(new InstantPaths.Path(id));
      }
      MultipathDevice head = mp.device(id).orElseThrow();
      InstantPaths.Path direct = InstantPaths.direct(id);
      Counter c = new Counter();
      IoRequest r = new IoRequest().read(0, ByteBuffer.allocateDirect(4096)).completion(x -> c.n++);
      long[] viaHead = new long[rounds];
      long[] viaPath = new long[rounds];
      // warm-up: let the JIT compile both loops
      for (int i = 0; i < 3; i++) {
        loopHead(head, r, ios);
        loopDirect(direct, r, ios);
      }
      for (int k = 0; k < rounds; k++) {
        long t0 = System.nanoTime();
        loopHead(head, r, ios);
        long t1 = System.nanoTime();
        loopDirect(direct, r, ios);
        long t2 = System.nanoTime();
        viaHead[k] = t1 - t0;
        viaPath[k] = t2 - t1;
      }
      double headNs = median(viaHead) / (double) ios;
      double pathNs = median(viaPath) / (double) ios;
      long expected = (long) (rounds + 3) * ios * 2;
      if (c.n != expected) {
        throw new IllegalStateException("completions " + c.n + " != " + expected);
      }
      double loopNs = transportIos > 0 ? loopReadNs(transportIos) : Double.NaN;
      double headCost = headNs - pathNs;
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", p.name());
        m.put("paths", paths);
        m.put("ios_per_round", ios);
        m.put("rounds", rounds);
        m.put("direct_ns_per_io", round(pathNs));
        m.put("head_ns_per_io", round(headNs));
        m.put("head_extra_ns_per_io", round(headNs - pathNs));
        m.put("ratio", round(headNs / pathNs));
        if (transportIos > 0) {
          m.put("nvme_loop_read_ns_per_io", round(loopNs));
          m.put("head_share_of_nvme_loop_io", round(headCost / loopNs * 10000) / 10000.0);
        }
        out.print(Json.write(m));
      } else {
        out.printf(Locale.ROOT, "policy %s, %d paths, %d rounds x %d I/Os (median of rounds)%n",
            p.name(), paths, rounds, ios);
        out.printf(Locale.ROOT, "  direct path : %8.1f ns/IO%n", pathNs);
        out.printf(Locale.ROOT, "  through head: %8.1f ns/IO  (+%.1f ns, ratio %.2f)%n",
            headNs, headCost, headNs / pathNs);
        if (transportIos > 0) {
          out.printf(Locale.ROOT, "  NVMe loop 4 KiB read, qd1, through the head: %.1f ns/IO; "
              + "the head is %.2f%% of it%n", loopNs, 100 * headCost / loopNs);
        }
      }
      out.flush();
      return 0;
    }
  }

  /** Mean ns per 4 KiB read at queue depth 1 on the embedded NVMe loop head. */
  private static double loopReadNs(int n) {
    try (Hosts h = new Hosts(b -> b.jmxDomain(null))) {
      h.open(Topology.defaults(), List.of());
      MultipathDevice d = h.mp.device("nvme0n1").orElseThrow();
      java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);
      IoRequest r = new IoRequest().read(0, ByteBuffer.allocateDirect(4096)).completion(x -> done.release());
      for (int i = 0; i < n / 4; i++) { // warm-up
        d.submit(r);
        done.acquireUninterruptibly();
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        d.submit(r);
        done.acquireUninterruptibly();
      }
      return (System.nanoTime() - t0) / (double) n;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void loopHead(MultipathDevice head, IoRequest r, int n) {
    for (int i = 0; i < n; i++) {
      head.submit(r);
    }
  }

  private static void loopDirect(InstantPaths.Path path, IoRequest r, int n) {
    for (int i = 0; i < n; i++) {
      path.submit(r);
    }
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
