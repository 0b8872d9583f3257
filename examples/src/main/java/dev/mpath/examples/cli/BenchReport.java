package dev.mpath.examples.cli;

import dev.mpath.IoStats;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of one {@code mpath bench} run: the jobs merged (fio's group reporting), the
 * per-path distribution of I/O and the head's counters over the timed phase, rendered as
 * fio-like text or as the JSON documented in {@code docs/bench.md}.
 */
final class BenchReport {

  /** fio's default percentile list. */
  static final double[] PERCENTILES = {
      1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

  /** One direction, all jobs merged. */
  static final class Direction {
    final Histogram hist = BenchJob.Stats.newHistogram();
    long ios;
    long bytes;
    long min = Long.MAX_VALUE;
    long max;
    double sum;
    double sumSq;

    void add(BenchJob.Stats s) {
      if (s.ios == 0) {
        return;
      }
      hist.add(s.hist);
      ios += s.ios;
      bytes += s.bytes;
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
      sum += s.sum;
      sumSq += s.sumSq;
    }

    double mean() {
      return ios == 0 ? 0 : sum / ios;
    }

    double stddev() {
      if (ios < 2) {
        return 0;
      }
      double m = mean();
      return Math.sqrt(Math.max(0, (sumSq - ios * m * m) / (ios - 1)));
    }

    long minOrZero() {
      return ios == 0 ? 0 : min;
    }

    /** The percentile, within the exact min and max (histogram buckets are 0.1% wide). */
    long percentile(double p) {
      return Math.max(minOrZero(), Math.min(max, hist.getValueAtPercentile(p)));
    }
  }

  /** Counters of one path over the timed phase. */
  record PathDelta(String name, String accessState, long ios, long bytes, long errors) {}

  final String version;
  final MultipathDevice device;
  final String policy;
  final Map<String, Object> options;
  final int jobs;
  final long elapsedNanos;
  final Direction read = new Direction();
  final Direction write = new Direction();
  long errors;
  final Map<String, Long> errorTypes = new LinkedHashMap<>();
  final boolean verify;
  long verifyErrors;
  long verifiedIos;
  long prefillIos;
  final List<String> mismatches = new ArrayList<>();
  final List<PathDelta> paths = new ArrayList<>();
  final IoStats head;

  BenchReport(String version, MultipathDevice device, Map<String, Object> options, boolean verify,
      List<BenchJob> jobList, long elapsedNanos, Map<String, IoStats> pathsBefore,
      IoStats headBefore, List<PathInfo> pathsAfter, Map<String, IoStats> pathsAfterStats,
      IoStats headAfter) {
    this.version = version;
    this.device = device;
    this.policy = device.ioPolicy().name();
    this.options = options;
    this.jobs = jobList.size();
    this.elapsedNanos = Math.max(1, elapsedNanos);
    this.verify = verify;
    for (BenchJob j : jobList) {
      read.add(j.read);
      write.add(j.write);
      errors += j.errors;
      j.errorTypes.forEach((k, v) -> errorTypes.merge(k, v, Long::sum));
      verifyErrors += j.verifyErrors;
      verifiedIos += j.verifiedIos;
      prefillIos += j.prefillIos;
      for (String m : j.mismatches) {
        if (mismatches.size() < 10) {
          mismatches.add(m);
        }
      }
    }
    IoStats zero = new IoStats(0, 0, 0, 0, 0, 0, 0);
    List<String> seen = new ArrayList<>();
    for (PathInfo p : pathsAfter) {
      IoStats a = pathsAfterStats.getOrDefault(p.name(), zero);
      IoStats b = pathsBefore.getOrDefault(p.name(), zero);
      paths.add(new PathDelta(p.name(), Topologies.access(p.accessState()),
          a.ios() - b.ios(), a.bytes() - b.bytes(), a.errors() - b.errors()));
      seen.add(p.name());
    }
    for (String gone : pathsBefore.keySet()) {
      if (!seen.contains(gone)) {
        paths.add(new PathDelta(gone, "removed", 0, 0, 0));
      }
    }
    this.head = new IoStats(headAfter.ios() - headBefore.ios(), headAfter.bytes() - headBefore.bytes(),
        headAfter.errors() - headBefore.errors(), headAfter.failovers() - headBefore.failovers(),
        headAfter.retries() - headBefore.retries(), headAfter.requeues() - headBefore.requeues(),
        headAfter.noPathFailures() - headBefore.noPathFailures());
  }

  boolean failed() {
    return errors > 0 || verifyErrors > 0;
  }

  long elapsedMillis() {
    return Math.round(elapsedNanos / 1e6);
  }

  // ------------------------------------------------------------------ JSON

  Map<String, Object> json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("mpath_version", version);
    Map<String, Object> dev = new LinkedHashMap<>();
    dev.put("name", device.name());
    dev.put("alias", device.alias().orElse(null));
    dev.put("wwid", device.id().toString());
    dev.put("protocol", device.protocol());
    dev.put("policy", policy);
    dev.put("block_size", device.blockSize());
    dev.put("size", (long) device.blockSize() * device.capacityBlocks());
    root.put("device", dev);
    root.put("options", options);
    root.put("jobs", jobs);
    root.put("elapsed_ms", elapsedMillis());
    root.put("read", direction(read));
    root.put("write", direction(write));
    root.put("errors", errors);
    root.put("error_types", new LinkedHashMap<>(errorTypes));
    root.put("verify_errors", verifyErrors);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("enabled", verify);
    v.put("prefill_ios", prefillIos);
    v.put("verified_ios", verifiedIos);
    v.put("errors", verifyErrors);
    v.put("first_errors", new ArrayList<>(mismatches));
    root.put("verify", v);
    List<Object> ps = new ArrayList<>();
    long total = totalPathIos();
    for (PathDelta p : paths) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("access_state", p.accessState());
      m.put("ios", p.ios());
      m.put("bytes", p.bytes());
      m.put("errors", p.errors());
      m.put("share", total == 0 ? 0.0 : round(100.0 * p.ios() / total, 2));
      ps.add(m);
    }
    root.put("paths", ps);
    root.put("failovers", head.failovers());
    root.put("requeues", head.requeues());
    root.put("retries", head.retries());
    root.put("no_path_failures", head.noPathFailures());
    return root;
  }

  private Map<String, Object> direction(Direction d) {
    Map<String, Object> m = new LinkedHashMap<>();
    double secs = elapsedNanos / 1e9;
    m.put("io_bytes", d.bytes);
    m.put("io_kbytes", d.bytes / 1024);
    m.put("ios", d.ios);
    m.put("total_ios", d.ios);
    m.put("iops", round(d.ios / secs, 3));
    m.put("bw_bytes", Math.round(d.bytes / secs));
    m.put("bw", Math.round(d.bytes / secs / 1024));
    m.put("runtime", elapsedMillis());
    Map<String, Object> lat = new LinkedHashMap<>();
    lat.put("min", d.minOrZero());
    lat.put("max", d.max);
    lat.put("mean", round(d.mean(), 3));
    lat.put("stddev", round(d.stddev(), 3));
    lat.put("N", d.ios);
    Map<String, Object> pct = new LinkedHashMap<>();
    if (d.ios > 0) {
      for (double p : PERCENTILES) {
        pct.put(String.format(Locale.ROOT, "%f", p), d.percentile(p));
      }
    }
    lat.put("percentile", pct);
    m.put("lat_ns", lat);
    return m;
  }

  private long totalPathIos() {
    long t = 0;
    for (PathDelta p : paths) {
      t += p.ios();
    }
    return t;
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  // ------------------------------------------------------------------ text

  String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("bench: (jobs=").append(jobs).append("): err=").append(String.format(Locale.ROOT, "%2d", errors))
        .append(": device=").append(device.name()).append(" (").append(device.id()).append(") ")
        .append(device.protocol()).append(", policy=").append(policy).append('\n');
    sb.append("  rw=").append(options.get("rw")).append(", bs=").append(options.get("bs")).append("B, iodepth=")
        .append(options.get("iodepth")).append(", numjobs=").append(options.get("numjobs"));
    if (options.get("rwmixread") != null) {
      sb.append(", rwmixread=").append(options.get("rwmixread"));
    }
    sb.append(", size=").append(Topologies.size((Long) options.get("size"))).append(", runtime=")
        .append(options.get("runtime_ms")).append("ms");
    if (options.get("ios") != null) {
      sb.append(", ios=").append(options.get("ios")).append("/job");
    }
    sb.append(", verify=").append(verify ? "on" : "off").append('\n');
    if (read.ios > 0 || write.ios == 0) {
      direction(sb, "read", read);
    }
    if (write.ios > 0) {
      direction(sb, "write", write);
    }
    sb.append("  paths (timed phase):\n");
    long total = totalPathIos();
    int width = 4;
    for (PathDelta p : paths) {
      width = Math.max(width, p.name().length());
    }
    for (PathDelta p : paths) {
      sb.append(String.format(Locale.ROOT, "    %-" + width + "s %-14s ios=%-10d (%5.1f%%)%s%n", p.name(),
          p.accessState(), p.ios(), total == 0 ? 0.0 : 100.0 * p.ios() / total,
          p.errors() > 0 ? " errors=" + p.errors() : ""));
    }
    sb.append("  head: failovers=").append(head.failovers()).append(", requeues=").append(head.requeues())
        .append(", retries=").append(head.retries()).append(", no_path=").append(head.noPathFailures()).append('\n');
    sb.append("  errors: ").append(errors);
    if (!errorTypes.isEmpty()) {
      sb.append(' ').append(errorTypes);
    }
    if (verify) {
      sb.append(", verify: ").append(verifyErrors).append(" errors in ").append(verifiedIos)
          .append(" checked reads");
      if (prefillIos > 0) {
        sb.append(" (prefill ").append(prefillIos).append(" writes)");
      }
    }
    sb.append('\n');
    return sb.toString();
  }

  private void direction(StringBuilder sb, String name, Direction d) {
    double secs = elapsedNanos / 1e9;
    double bps = d.bytes / secs;
    sb.append("  ").append(name).append(": IOPS=").append(fioNumber(d.ios / secs))
        .append(", BW=").append(decimal(bps / (1024 * 1024))).append("MiB/s (")
        .append(decimal(bps / 1e6)).append("MB/s)(").append(decimal(d.bytes / (1024.0 * 1024)))
        .append("MiB/").append(elapsedMillis()).append("msec)\n");
    sb.append("     lat (usec): min=").append(usec(d.minOrZero())).append(", max=").append(usec(d.max))
        .append(", avg=").append(String.format(Locale.ROOT, "%.2f", d.mean() / 1000))
        .append(", stdev=").append(String.format(Locale.ROOT, "%.2f", d.stddev() / 1000)).append('\n');
    if (d.ios == 0) {
      return;
    }
    sb.append("    lat percentiles (usec):\n");
    for (int i = 0; i < PERCENTILES.length; i++) {
      if (i % 4 == 0) {
        sb.append("     |");
      }
      sb.append(String.format(Locale.ROOT, " %5.2fth=[%5s]", PERCENTILES[i], usec(d.percentile(PERCENTILES[i]))));
      boolean last = i == PERCENTILES.length - 1;
      sb.append(last ? "" : ",").append(last || i % 4 == 3 ? "\n" : "");
    }
  }

  /** Microseconds from nanoseconds: integers from 10 us, two decimals below (fio switches to nsec). */
  static String usec(long nanos) {
    double us = nanos / 1000.0;
    return us < 10 ? String.format(Locale.ROOT, "%.2f", us) : String.valueOf(Math.round(us));
  }

  /** fio's num2str with 4 significant figures: 8034, 12.3k, 123k, 1.23M. */
  static String fioNumber(double v) {
    if (v < 10_000) {
      return String.valueOf(Math.round(v));
    }
    String[] units = {"k", "M", "G"};
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    String num = v < 10 ? String.format(Locale.ROOT, "%.2f", v)
        : v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(Math.round(v));
    return num + units[u];
  }

  static String decimal(double v) {
    return v < 10 ? String.format(Locale.ROOT, "%.2f", v)
        : v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(Math.round(v));
  }
}
