package dev.mpath.examples.cli;

import dev.mpath.IoPolicy;
import dev.mpath.IoStats;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mpath bench}: a fio-like load generator on one multipath head, through the
 * allocation-free {@link MultipathDevice#submit} form. See {@code docs/bench.md} for the
 * options, the text report and the JSON schema.
 *
 * <p>Exit codes: 0 the run completed without errors; 1 an I/O or verify error happened (the
 * run continues past errors, as fio's {@code continue_on_error}, and reports them); 2 bad
 * options (a size that does not parse or is not a multiple of the block size, unknown mode
 * or policy, unknown device...).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure a multipath device, fio style: IOPS, bandwidth, latency percentiles and how the I/O "
        + "spread over the paths.",
        "Without --device: the only device; with an in-process topology (embedded, the default, or --config) "
        + "the first NVMe head; otherwise --device is required when there are several."},
    footer = {"", "Sizes take a k, m, g suffix (1024-based): 512, 4k, 64k, 1m.",
        "Exit status: 0 ok, 1 I/O or verify errors, 2 bad options.",
        "Example: mpath bench embedded --rw randrw --bs 4k --iodepth 32 --numjobs 2 --runtime 5"})
final class BenchCommand implements Callable<Integer> {
  static final long MAX_DEFAULT_REGION = 1L << 30;
  static final long MAX_BUFFER_MEMORY = 256L << 20;
  static final long MAX_VERIFY_CHUNKS = 1L << 24;
  private static final long SEED = 0x6d70617468L; // "mpath", fixed like fio's randrepeat

  @Spec CommandSpec spec;

  @Mixin TargetOptions targets = new TargetOptions();

  @Option(names = "--rw", paramLabel = "MODE", defaultValue = "randread",
      description = "read, write, randread, randwrite or randrw (default: ${DEFAULT-VALUE}).")
  String rw;

  @Option(names = "--bs", paramLabel = "SIZE", defaultValue = "4k",
      description = "Block size of each I/O, a multiple of the device's block size (default: ${DEFAULT-VALUE}).")
  String bs;

  @Option(names = "--iodepth", paramLabel = "N", defaultValue = "16",
      description = "I/Os kept in flight per job (default: ${DEFAULT-VALUE}).")
  int iodepth;

  @Option(names = "--numjobs", paramLabel = "N", defaultValue = "1",
      description = "Jobs (threads) submitting in parallel (default: ${DEFAULT-VALUE}).")
  int numjobs;

  @Option(names = "--runtime", paramLabel = "SECONDS", defaultValue = "10",
      description = "How long the timed phase lasts: seconds (2, 0.5) or with a unit (500ms, 2s, 1m) "
          + "(default: ${DEFAULT-VALUE}).")
  String runtime;

  @Option(names = "--ramp-time", paramLabel = "SECONDS", defaultValue = "0",
      description = "Run the workload this long before measuring (fio's ramp_time): I/Os started in the "
          + "ramp are not counted, and --runtime follows it (default ${DEFAULT-VALUE}: none). "
          + "Lets a JVM's compiler warm up before a side-by-side measurement.")
  String rampTime;

  @Option(names = "--ios", paramLabel = "N",
      description = "Stop each job after N I/Os (or at --runtime, whichever comes first).")
  Long ios;

  @Option(names = "--rwmixread", paramLabel = "PCT", defaultValue = "50",
      description = "Percentage of reads with --rw randrw (default: ${DEFAULT-VALUE}).")
  int rwmixread;

  @Option(names = "--policy", paramLabel = "POLICY",
      description = "Set the device's I/O policy first: numa, round-robin, queue-depth, service-time, adaptive, failover.")
  String policy;

  @Option(names = "--verify",
      description = "Write an LBA+generation pattern and check every read against what was last written "
          + "(read modes write the region first; write modes read it back after the run).")
  boolean verify;

  @Option(names = "--resubmit", paramLabel = "FROM", defaultValue = "thread",
      description = "Where a finished I/O is accounted for and the next one submitted: thread (the job's "
          + "own thread, woken per completion, as fio does; default) or completion (inside the completion, "
          + "on the I/O thread that delivered it, as an asynchronous application would).")
  String resubmit;

  @Option(names = "--size", paramLabel = "SIZE",
      description = "Region to use from LBA 0 (default: the whole device, at most 1g).")
  String size;

  @Option(names = "--device", paramLabel = "NAME", description = "The head to measure (name or alias).")
  String device;

  @Option(names = "--json", description = "Print the report as JSON (schema in docs/bench.md).")
  boolean json;

  @Option(names = "--progress", negatable = true,
      description = "A progress line on standard error every second (default: on unless --json).")
  Boolean progress;

  /** The options that do not depend on the device, parsed and checked. */
  private record Settings(BenchJob.Rw mode, long bsBytes, long runtimeNanos, long rampNanos, IoPolicy policy,
      Long sizeBytes, boolean showProgress) {}

  @Override
  public Integer call() throws Exception {
    Settings s = settings(); // bad options fail before any target is started
    try (Hosts hosts = new Hosts(b -> {
      if (s.policy() != null) {
        b.ioPolicy(s.policy());
      }
    })) {
      Topology topology = targets.topology();
      List<MultipathDevice> devices = hosts.open(topology, targets.uris());
      MultipathDevice d = pick(hosts, devices, topology != null);
      return bench(d, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  private Settings settings() {
    BenchJob.Rw mode = BenchJob.Rw.parse(rw.trim().toLowerCase(Locale.ROOT));
    long bsBytes = parseSize("--bs", bs);
    if (bsBytes > (64L << 20)) {
      throw new IllegalArgumentException("--bs " + bs + " is larger than 64m");
    }
    range("--iodepth", iodepth, 1, 4096);
    if (!resubmit.equals("thread") && !resubmit.equals("completion")) {
      throw new IllegalArgumentException("--resubmit must be thread or completion, not '" + resubmit + "'");
    }
    range("--numjobs", numjobs, 1, 256);
    range("--rwmixread", rwmixread, 0, 100);
    if (ios != null && ios < 1) {
      throw new IllegalArgumentException("--ios must be at least 1: " + ios);
    }
    long runtimeNanos = parseDuration("--runtime", runtime);
    long rampNanos = rampTime.trim().equals("0") ? 0 : parseDuration("--ramp-time", rampTime);
    if (rampNanos > 0 && ios != null) {
      throw new IllegalArgumentException("--ramp-time measures a timed run: it does not go with --ios");
    }
    IoPolicy pol = policy == null ? null : IoPolicy.parse(policy);
    Long sizeBytes = size == null ? null : parseSize("--size", size);
    if (bsBytes * iodepth * numjobs > MAX_BUFFER_MEMORY) {
      throw new IllegalArgumentException("--bs x --iodepth x --numjobs needs "
          + (bsBytes * iodepth * numjobs >> 20) + " MiB of buffers, more than " + (MAX_BUFFER_MEMORY >> 20));
    }
    return new Settings(mode, bsBytes, runtimeNanos, rampNanos, pol, sizeBytes,
        progress != null ? progress : !json);
  }

  /**
   * Runs the benchmark the parsed options describe on {@code d}, prints the report to
   * {@code out} and returns the exit code (0, or 1 after I/O or verify errors).
   *
   * @throws IllegalArgumentException for options that do not fit the device
   */
  int bench(MultipathDevice d, PrintWriter out, PrintWriter err) throws InterruptedException {
    Settings s = settings();
    long bsBytes = s.bsBytes();
    if (s.policy() != null) {
      d.ioPolicy(s.policy());
    }
    int blk = d.blockSize();
    if (bsBytes % blk != 0) {
      throw new IllegalArgumentException("--bs " + bs + " (" + bsBytes + " bytes) is not a multiple of the "
          + blk + "-byte block size of " + d.name());
    }
    long capacity = d.capacityBlocks() * blk;
    long region;
    if (s.sizeBytes() == null) {
      region = Math.min(capacity, MAX_DEFAULT_REGION);
    } else if (s.sizeBytes() > capacity) {
      throw new IllegalArgumentException("--size " + size + " is larger than " + d.name() + " ("
          + Topologies.size(capacity) + ")");
    } else {
      region = s.sizeBytes();
    }
    long chunks = region / bsBytes;
    if (chunks == 0) {
      throw new IllegalArgumentException("--size " + Topologies.size(region) + " is smaller than --bs " + bs);
    }
    // with --verify, each job owns a slice so that what it expects to read is exact
    long jobChunks = verify ? chunks / numjobs : chunks;
    if (verify && jobChunks <= iodepth) {
      throw new IllegalArgumentException("--verify needs more than --iodepth " + iodepth + " blocks of --bs per job: "
          + "the region holds " + chunks + " for " + numjobs + " jobs (use a larger --size or a smaller --bs)");
    }
    if (verify && jobChunks > MAX_VERIFY_CHUNKS) {
      throw new IllegalArgumentException("--verify tracks every --bs block: " + jobChunks
          + " per job is too many (use a larger --bs or a smaller --size)");
    }

    Map<String, Object> options = new LinkedHashMap<>();
    options.put("rw", s.mode().fioName);
    options.put("bs", bsBytes);
    options.put("iodepth", iodepth);
    options.put("numjobs", numjobs);
    options.put("runtime_ms", TimeUnit.NANOSECONDS.toMillis(s.runtimeNanos()));
    options.put("ramp_time_ms", TimeUnit.NANOSECONDS.toMillis(s.rampNanos()));
    options.put("ios", ios);
    options.put("rwmixread", s.mode() == BenchJob.Rw.RANDRW ? rwmixread : null);
    options.put("size", (verify ? jobChunks * numjobs : chunks) * bsBytes);
    options.put("verify", verify);
    options.put("resubmit", resubmit);
    options.put("policy", s.policy() == null ? null : s.policy().name());

    BenchReport report = run(d, s.mode(), (int) bsBytes, jobChunks, s.runtimeNanos(), s.rampNanos(), options,
        s.showProgress(), err);
    if (json) {
      out.print(Json.write(report.json()));
    } else {
      out.print(report.text());
    }
    out.flush();
    if (report.failed()) {
      for (String m : report.mismatches) {
        err.println("mpath bench: " + m);
      }
      err.println("mpath bench: " + report.errors + " I/O errors" + (report.errorTypes.isEmpty() ? "" : " "
          + report.errorTypes) + ", " + report.verifyErrors + " verify errors");
      err.flush();
      return 1;
    }
    return 0;
  }

  private BenchReport run(MultipathDevice d, BenchJob.Rw mode, int bsBytes, long jobChunks, long runtimeNanos,
      long rampNanos, Map<String, Object> options, boolean showProgress, PrintWriter err)
      throws InterruptedException {
    BenchJob.Phases phases = new BenchJob.Phases(numjobs);
    List<BenchJob> jobs = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    int blocksPerChunk = bsBytes / d.blockSize();
    for (int i = 0; i < numjobs; i++) {
      long firstLba = verify ? i * jobChunks * blocksPerChunk : 0;
      BenchJob.Spec s = new BenchJob.Spec(i, mode, bsBytes, d.blockSize(), iodepth, firstLba, jobChunks,
          ios == null ? Long.MAX_VALUE : ios, runtimeNanos, rwmixread, verify, SEED + 0x9E3779B97F4A7C15L * i,
          resubmit.equals("completion"), rampNanos);
      BenchJob job = new BenchJob(d, s, phases);
      Thread t = new Thread(job, "mpath-bench-" + i);
      t.setDaemon(true);
      jobs.add(job);
      threads.add(t);
    }
    try {
      if (showProgress && verify && mode.reads(rwmixread)) {
        err.println("bench: --verify: writing the region first ("
            + Topologies.size(jobChunks * numjobs * bsBytes) + ")");
        err.flush();
      }
      threads.forEach(Thread::start);
      phases.ready.await(); // prefill done (with --verify)
      rethrow(jobs);
      long t0 = System.nanoTime();
      phases.startNanos = t0;
      Map<String, IoStats> before = pathStats(d.paths());
      IoStats headBefore = d.stats();
      phases.go.countDown();
      long measured = t0;
      if (rampNanos > 0) { // the ramp runs unmeasured; the counters start where it ends
        measured = t0 + rampNanos;
        phases.mainDone.await(measured - System.nanoTime(), TimeUnit.NANOSECONDS);
        before = pathStats(d.paths());
        headBefore = d.stats();
      }
      long tick = t0;
      long[] last = new long[4];
      while (!phases.mainDone.await(tick + TimeUnit.SECONDS.toNanos(1) - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        long now = System.nanoTime();
        if (showProgress) {
          progress(err, jobs, last, now - tick, now - t0, rampNanos + runtimeNanos);
        }
        tick = now;
      }
      List<PathInfo> pathsAfter = d.paths();
      Map<String, IoStats> after = pathStats(pathsAfter);
      IoStats headAfter = d.stats();
      long end = measured;
      for (BenchJob j : jobs) {
        end = Math.max(end, j.endNanosMain);
      }
      phases.readbackGo.countDown(); // write modes with --verify read back now
      for (Thread t : threads) {
        t.join();
      }
      rethrow(jobs);
      return new BenchReport(version(), d, options, verify, jobs, end - measured, before, headBefore, pathsAfter,
          after, headAfter);
    } finally {
      phases.abort = true;
      phases.go.countDown();
      phases.readbackGo.countDown();
    }
  }

  private static void progress(PrintWriter err, List<BenchJob> jobs, long[] last, long intervalNanos,
      long elapsedNanos, long runtimeNanos) {
    long rIos = 0;
    long rBytes = 0;
    long wIos = 0;
    long wBytes = 0;
    for (BenchJob j : jobs) {
      rIos += j.read.ios;
      rBytes += j.read.bytes;
      wIos += j.write.ios;
      wBytes += j.write.bytes;
    }
    double secs = Math.max(1, intervalNanos) / 1e9;
    double runtimeSecs = runtimeNanos / 1e9;
    err.printf(Locale.ROOT, "Jobs: %d: [%.1fs/%ss][r=%sMiB/s,w=%sMiB/s][r=%s,w=%s IOPS]%n", jobs.size(),
        elapsedNanos / 1e9, runtimeSecs == Math.rint(runtimeSecs) ? String.valueOf((long) runtimeSecs)
            : String.format(Locale.ROOT, "%.1f", runtimeSecs),
        BenchReport.decimal((rBytes - last[1]) / secs / (1 << 20)), BenchReport.decimal((wBytes - last[3]) / secs / (1 << 20)),
        BenchReport.fioNumber((rIos - last[0]) / secs), BenchReport.fioNumber((wIos - last[2]) / secs));
    err.flush();
    last[0] = rIos;
    last[1] = rBytes;
    last[2] = wIos;
    last[3] = wBytes;
  }

  private static void rethrow(List<BenchJob> jobs) {
    for (BenchJob j : jobs) {
      Throwable t = j.failure;
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      if (t != null) {
        throw new IllegalStateException("bench job failed: " + t, t);
      }
    }
  }

  private static Map<String, IoStats> pathStats(List<PathInfo> paths) {
    Map<String, IoStats> m = new LinkedHashMap<>();
    for (PathInfo p : paths) {
      m.put(p.name(), p.stats());
    }
    return m;
  }

  /** --device, else the only device, else (in-process topology) the first NVMe head. */
  private MultipathDevice pick(Hosts hosts, List<MultipathDevice> devices, boolean inProcess) {
    if (device != null) {
      return hosts.device(device);
    }
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("no multipath device found on the targets given");
    }
    if (devices.size() == 1) {
      return devices.get(0);
    }
    if (inProcess) {
      for (MultipathDevice d : devices) {
        if (d.protocol().equals("nvme")) {
          return d;
        }
      }
      return devices.get(0);
    }
    return hosts.device(null); // "more than one device (...): choose one with --device"
  }

  static String version() {
    Command c = MpathCommand.class.getAnnotation(Command.class);
    String v = c != null && c.version().length > 0 ? c.version()[0] : "unknown";
    return v.startsWith("mpath ") ? v.substring(6) : v;
  }

  // ------------------------------------------------------------------ parsing

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?", Pattern.CASE_INSENSITIVE);

  /** 512, 4k, 64K, 1m, 1MiB, 2g: bytes (1024-based suffixes, as fio). */
  static long parseSize(String option, String s) {
    Matcher m = SIZE.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " '" + s + "' is not a size (e.g. 512, 4k, 64k, 1m)");
    }
    long shift;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k":
        shift = 10;
        break;
      case "m":
        shift = 20;
        break;
      case "g":
        shift = 30;
        break;
      case "t":
        shift = 40;
        break;
      default:
        shift = 0;
    }
    try {
      long n = Long.parseLong(m.group(1));
      if (n <= 0) {
        throw new IllegalArgumentException(option + " must be positive: '" + s + "'");
      }
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new NumberFormatException();
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " '" + s + "' is too large");
    }
  }

  /** 10, 0.5, 500ms, 2s, 1m: nanoseconds. */
  static long parseDuration(String option, String s) {
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " '" + s + "' is not a duration (e.g. 10, 0.5, 500ms, 1m)");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    double nanos = v * (unit.equals("ms") ? 1e6 : unit.equals("m") ? 60e9 : 1e9);
    if (nanos < 1e6 || nanos > TimeUnit.DAYS.toNanos(7)) {
      throw new IllegalArgumentException(option + " '" + s + "' is out of range (1ms to 7 days)");
    }
    return (long) nanos;
  }

  private static void range(String option, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(option + " must be " + min + ".." + max + ": " + v);
    }
  }
}
