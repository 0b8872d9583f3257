package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.IoStats;
import dev.mpath.MpathException;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.Reservations;
import dev.mpath.nvme.proto.NvmeStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchCommandTest {

  record Run(int rc, String out, String err) {
    Map<String, Object> json() {
      return object(out);
    }
  }

  /** Runs the command as Main does (same exception handling: input errors exit 2). */
  static Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new BenchCommand());
    PrintWriter e = new PrintWriter(err, true);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(e);
    cl.setParameterExceptionHandler((ex, a) -> {
      e.println("mpath: " + ex.getMessage() + " (see 'mpath bench --help')");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable c = ex;
      while ((c instanceof CompletionException || c instanceof UncheckedIOException) && c.getCause() != null) {
        c = c.getCause();
      }
      boolean input = !(c instanceof MpathException)
          && (c instanceof IllegalArgumentException || c instanceof IOException);
      e.println("mpath bench: " + c.getMessage());
      return input ? 2 : 1;
    });
    int rc = cl.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  // ------------------------------------------------------------------ workloads

  @ParameterizedTest
  @ValueSource(strings = {"read", "write", "randread", "randwrite", "randrw"})
  void everyModeReportsConsistentCounts(String rw) {
    Run r = bench("embedded", "--rw", rw, "--ios", "2000", "--iodepth", "8", "--numjobs", "2", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    assertEquals("nvme0n1", map(j, "device").get("name"), "embedded defaults to the first NVMe head");
    assertEquals("nvme", map(j, "device").get("protocol"));
    assertEquals(rw, map(j, "options").get("rw"));
    assertEquals(4096L, num(map(j, "options"), "bs"));
    assertEquals(2L, num(j, "jobs"));
    Map<String, Object> read = map(j, "read");
    Map<String, Object> write = map(j, "write");
    long rIos = num(read, "ios");
    long wIos = num(write, "ios");
    assertEquals(4000, rIos + wIos, "--ios is per job");
    switch (rw) {
      case "read":
      case "randread":
        assertEquals(0, wIos);
        break;
      case "write":
      case "randwrite":
        assertEquals(0, rIos);
        break;
      default:
        assertTrue(rIos > 1000 && wIos > 1000, "randrw 50/50: " + rIos + "/" + wIos);
    }
    for (Map<String, Object> d : List.of(read, write)) {
      long ios = num(d, "ios");
      assertEquals(ios * 4096, num(d, "io_bytes"));
      assertEquals(ios, num(d, "total_ios"));
      Map<String, Object> lat = map(d, "lat_ns");
      assertEquals(ios, num(lat, "N"));
      Map<String, Object> pct = map(lat, "percentile");
      if (ios == 0) {
        assertTrue(pct.isEmpty());
        continue;
      }
      assertTrue(((Number) d.get("iops")).doubleValue() > 0);
      long min = num(lat, "min");
      long max = num(lat, "max");
      double mean = ((Number) lat.get("mean")).doubleValue();
      assertTrue(min > 0 && min <= mean && mean <= max, lat.toString());
      assertEquals(List.of("1.000000", "5.000000", "10.000000", "20.000000", "30.000000", "40.000000",
          "50.000000", "60.000000", "70.000000", "80.000000", "90.000000", "95.000000", "99.000000",
          "99.500000", "99.900000", "99.950000", "99.990000"), new ArrayList<>(pct.keySet()));
      long prev = min;
      for (Object v : pct.values()) {
        long p = ((Number) v).longValue();
        assertTrue(p >= prev && p <= max, "percentiles ordered within [min, max]: " + pct);
        prev = p;
      }
    }
    assertEquals(0L, num(j, "errors"));
    assertEquals(0L, num(j, "verify_errors"));
    long pathIos = 0;
    for (Object p : list(j, "paths")) {
      pathIos += num(cast(p), "ios");
    }
    assertEquals(4000, pathIos, "every I/O is on some path");
    assertTrue(num(j, "elapsed_ms") >= 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"randread", "read", "randrw", "randwrite", "write"})
  void verifyPassesOnHealthyDevices(String rw) {
    Run r = bench("embedded", "--rw", rw, "--verify", "--size", "1m", "--ios", "1500", "--iodepth", "8",
        "--numjobs", "2", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    assertEquals(0L, num(j, "verify_errors"));
    assertEquals(0L, num(j, "errors"));
    Map<String, Object> v = map(j, "verify");
    assertEquals(Boolean.TRUE, v.get("enabled"));
    assertTrue(num(v, "verified_ios") > 0, v.toString());
    if (rw.contains("read") && !rw.equals("randrw")) {
      assertEquals(256L, num(v, "prefill_ios"), "1m of 4k written first");
      assertEquals(3000L, num(v, "verified_ios"), "every read checked");
    }
  }

  @Test
  void verifyWithSmallAndLargeBlocks() {
    for (String[] bsSize : new String[][] {{"512", "256k"}, {"64k", "8m"}}) {
      Run r = bench("embedded", "--rw", "randrw", "--bs", bsSize[0], "--size", bsSize[1], "--verify",
          "--ios", "600", "--iodepth", "4", "--json");
      assertEquals(0, r.rc(), r.err());
      Map<String, Object> j = r.json();
      assertEquals(0L, num(j, "verify_errors"));
      long ios = num(map(j, "read"), "ios") + num(map(j, "write"), "ios");
      assertEquals(600, ios);
      long bytes = num(map(j, "read"), "io_bytes") + num(map(j, "write"), "io_bytes");
      assertEquals(ios * BenchCommand.parseSize("--bs", bsSize[0]), bytes);
    }
  }

  @Test
  void scsiDeviceByName() {
    Run r = bench("embedded", "--device", "sda", "--rw", "randrw", "--ios", "500", "--iodepth", "8",
        "--verify", "--size", "1m", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    assertEquals("scsi", map(j, "device").get("protocol"));
    assertEquals(0L, num(j, "verify_errors"));
    assertEquals(500L, num(map(j, "read"), "ios") + num(map(j, "write"), "ios"));
  }

  // ------------------------------------------------------------------ policies and paths

  @Test
  void roundRobinSpreadsOverTheOptimizedPaths() {
    Run r = bench("embedded", "--device", "nvme0n1", "--policy", "round-robin", "--ios", "3000",
        "--iodepth", "8", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    assertEquals("round-robin", map(j, "device").get("policy"));
    int optimized = 0;
    long total = 0;
    for (Object o : list(j, "paths")) {
      total += num(cast(o), "ios");
    }
    assertEquals(3000, total);
    for (Object o : list(j, "paths")) {
      Map<String, Object> p = cast(o);
      if (p.get("access_state").equals("optimized")) {
        optimized++;
        assertTrue(num(p, "ios") > total / 4, "round robin shares the optimized paths: " + list(j, "paths"));
      } else {
        assertEquals(0L, num(p, "ios"), "non-optimized paths idle while optimized ones are usable");
      }
    }
    assertTrue(optimized >= 2, "the embedded nvme0n1 has two optimized paths: " + list(j, "paths"));
    assertEquals(0L, num(j, "failovers"));
  }

  @Test
  void failoverUsesOnePath() {
    Run r = bench("embedded", "--policy", "failover", "--ios", "1000", "--json");
    assertEquals(0, r.rc(), r.err());
    long busy = list(r.json(), "paths").stream().filter(p -> num(cast(p), "ios") > 0).count();
    assertEquals(1, busy);
  }

  // ------------------------------------------------------------------ text, runtime, progress

  @Test
  void textReportLooksLikeFio() {
    Run r = bench("embedded", "--rw", "randrw", "--ios", "1000", "--no-progress");
    assertEquals(0, r.rc(), r.err());
    String t = r.out();
    assertTrue(t.matches("(?s).*\\n  read: IOPS=[0-9.]+[kM]?, BW=[0-9.]+MiB/s \\([0-9.]+MB/s\\)\\([0-9.]+MiB/\\d+msec\\)\\n.*"), t);
    assertTrue(t.contains("\n  write: IOPS="), t);
    assertTrue(t.matches("(?s).*\\n     lat \\(usec\\): min=[0-9.]+, max=[0-9.]+, avg=[0-9.]+, stdev=[0-9.]+\\n.*"), t);
    assertTrue(t.contains("lat percentiles (usec):"), t);
    for (String p : new String[] {"1.00th=[", "50.00th=[", "90.00th=[", "99.00th=[", "99.90th=[", "99.99th=["}) {
      assertTrue(t.contains(p), p + " in " + t);
    }
    assertTrue(t.contains("nvme0c") && t.contains("head: failovers=0"), t);
    assertFalse(r.err().contains("Jobs:"), "no progress line in a run shorter than a second");
  }

  @Test
  void runtimeBoundsTheRunAndProgressTicks() {
    Run r = bench("embedded", "--runtime", "1.5", "--iodepth", "4", "--json", "--progress");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    long ms = num(j, "elapsed_ms");
    assertTrue(ms >= 1500 && ms < 4000, "elapsed " + ms);
    assertTrue(num(map(j, "read"), "ios") > 0);
    assertTrue(r.err().matches("(?s).*Jobs: 1: \\[1\\.\\ds/1\\.5s\\]\\[r=[0-9.]+MiB/s,w=0\\.00MiB/s\\]\\[r=[0-9.]+[kM]?,w=0 IOPS\\].*"),
        r.err());
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void rampTimeRunsFirstAndOnlyWhatFollowsIsMeasured() {
    Run r = bench("embedded", "--rw", "randread", "--ramp-time", "1", "--runtime", "1",
        "--iodepth", "4", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> j = r.json();
    assertEquals(1000L, num(map(j, "options"), "ramp_time_ms"));
    long measured = num(map(j, "read"), "ios");
    assertTrue(measured > 0);
    long pathIos = 0;
    for (Object p : list(j, "paths")) {
      pathIos += num(cast(p), "ios");
    }
    // the paths' counters are read when the ramp ends (as the main thread wakes for it, so
    // the two windows differ by the I/Os of that wake-up): they hold about the measured
    // I/Os, not the ramp's second too, which would double them
    assertTrue(Math.abs(pathIos - measured) <= measured / 10,
        "paths " + pathIos + " vs measured " + measured);
    assertEquals(2, bench("embedded", "--ramp-time", "1", "--ios", "10").rc(),
        "a ramp belongs to a timed run");
    assertEquals(2, bench("embedded", "--ramp-time", "x").rc());
  }

  @Test
  void blockSizeNotAMultipleOfTheDeviceBlockExits2() {
    Run r = bench("embedded", "--bs", "1000", "--ios", "10");
    assertEquals(2, r.rc());
    assertEquals("", r.out());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("mpath bench: --bs 1000") && lines[0].contains("not a multiple of the 512-byte"),
        lines[0]);
  }

  @Test
  void badOptionsExit2() {
    for (String[] args : new String[][] {
        {"--bs", "4q"}, {"--rw", "randomread"}, {"--policy", "fastest"}, {"--device", "nvme9n9"},
        {"--size", "1t"}, {"--iodepth", "0"}, {"--rwmixread", "101"}, {"--runtime", "soon"},
        {"--verify", "--size", "16k", "--iodepth", "16"}, {"--iodepth", "x"}}) {
      List<String> all = new ArrayList<>(List.of("embedded", "--ios", "10"));
      all.addAll(List.of(args));
      Run r = bench(all.toArray(new String[0]));
      assertEquals(2, r.rc(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.err().strip().split("\n").length, r.err());
    }
  }

  @Test
  void throughMainWhenRegistered() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Main.run(new String[] {"bench", "embedded", "--bs", "1000"}, new PrintStream(out), new PrintStream(err));
    assertEquals(2, rc);
    String e = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, e.split("\n").length, e);
    assertTrue(e.startsWith("mpath bench: --bs 1000"), e);
    out.reset();
    rc = Main.run(new String[] {"bench", "embedded", "--ios", "200", "--json"}, new PrintStream(out), new PrintStream(err));
    assertEquals(0, rc);
    assertEquals(200L, num(map(object(out.toString(StandardCharsets.UTF_8)), "read"), "ios"));
  }

  // ------------------------------------------------------------------ faults on the embedded targets

  /** Runs the parsed options on a device of a topology the test holds (so it can inject faults). */
  static Run benchOn(MultipathDevice d, String... args) throws InterruptedException {
    BenchCommand cmd = new BenchCommand();
    new CommandLine(cmd).parseArgs(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = cmd.bench(d, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(rc, out.toString(), err.toString());
  }

  private static int portOf(PathInfo p) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(" port (\\d+)\\b").matcher(p.transport());
    assertTrue(m.find(), "a loop path names its port: " + p.transport());
    return Integer.parseInt(m.group(1));
  }

  @Test
  void targetErrorsAreCountedTheRunGoesOnAndExitIs1() throws Exception {
    try (Hosts h = new Hosts(b -> {})) {
      h.open(Topology.defaults(), List.of());
      MultipathDevice d = h.device("nvme0n1");
      d.ioPolicy(IoPolicy.failover());
      int port = portOf(d.paths().get(0));
      h.embedded.subsystems().values().iterator().next().faults(port)
          .failNext(5, NvmeStatus.UNRECOVERED_READ_ERROR.withDnr(true));
      Run r = benchOn(d, "--ios", "2000", "--iodepth", "8", "--json");
      assertEquals(1, r.rc(), r.err());
      Map<String, Object> j = r.json();
      assertEquals(5L, num(j, "errors"));
      assertEquals(1995L, num(map(j, "read"), "ios"), "failed I/Os are not counted as done");
      long byType = map(j, "error_types").values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
      assertEquals(5, byType, map(j, "error_types").toString());
      assertEquals(0L, num(j, "failovers"), "a target error never fails over");
      assertTrue(r.err().contains("mpath bench: 5 I/O errors"), r.err());
    }
  }

  @Test
  void pathErrorsFailOverWithoutErrors() throws Exception {
    try (Hosts h = new Hosts(b -> {})) {
      h.open(Topology.defaults(), List.of());
      MultipathDevice d = h.device("nvme0n1");
      d.ioPolicy(IoPolicy.failover());
      int port = portOf(d.paths().get(0));
      var faults = h.embedded.subsystems().values().iterator().next().faults(port);
      faults.failNext(3, NvmeStatus.INTERNAL_PATH_ERROR);
      Run r = benchOn(d, "--ios", "2000", "--iodepth", "8", "--rw", "randrw", "--json");
      assertEquals(0, r.rc(), r.err());
      Map<String, Object> j = r.json();
      assertEquals(0L, num(j, "errors"));
      assertTrue(num(j, "failovers") >= 1, "failovers " + j.get("failovers"));
      assertEquals(2000L, num(map(j, "read"), "ios") + num(map(j, "write"), "ios"));
      long pathErrors = list(j, "paths").stream().mapToLong(p -> num(cast(p), "errors")).sum();
      assertTrue(pathErrors >= 1, list(j, "paths").toString());

      // the data survives failover: path errors during the verify prefill and run
      long before = d.stats().failovers();
      d.ioPolicy(IoPolicy.roundRobin());
      // both optimized paths fail a little; the non-optimized one keeps the head usable
      for (PathInfo p : d.paths().subList(0, 2)) {
        h.embedded.subsystems().values().iterator().next().faults(portOf(p)).failNext(2, NvmeStatus.INTERNAL_PATH_ERROR);
      }
      r = benchOn(d, "--ios", "2000", "--iodepth", "8", "--rw", "randrw", "--verify", "--size", "1m", "--json");
      assertEquals(0, r.rc(), r.err());
      assertEquals(0L, num(r.json(), "verify_errors"));
      assertTrue(d.stats().failovers() > before);
    }
  }

  // ------------------------------------------------------------------ verify catches corruption

  @Test
  void verifyCountsCorruptedReads() throws Exception {
    MemoryDevice dev = new MemoryDevice(2048, 512);
    dev.corruptReadNumber = 50; // the 50th read (after the prefill writes) comes back damaged
    BenchJob.Phases phases = new BenchJob.Phases(1);
    BenchJob job = new BenchJob(dev, new BenchJob.Spec(0, BenchJob.Rw.RANDREAD, 4096, 512, 4, 0, 256, 500,
        TimeUnit.SECONDS.toNanos(10), 50, true, 1), phases);
    runJob(job, phases);
    assertEquals(256, job.prefillIos);
    assertEquals(500, job.read.ios);
    assertEquals(500, job.verifiedIos);
    assertEquals(1, job.verifyErrors);
    assertEquals(1, job.mismatches.size());
    assertTrue(job.mismatches.get(0).contains("expected generation"), job.mismatches.get(0));
  }

  @Test
  void verifyReadsBackWhatWriteModesWrote() throws Exception {
    MemoryDevice dev = new MemoryDevice(2048, 512);
    BenchJob.Phases phases = new BenchJob.Phases(1);
    BenchJob job = new BenchJob(dev, new BenchJob.Spec(0, BenchJob.Rw.RANDWRITE, 4096, 512, 4, 0, 256, 2000,
        TimeUnit.SECONDS.toNanos(10), 50, true, 1), phases);
    runJob(job, phases);
    assertEquals(2000, job.write.ios);
    assertEquals(0, job.verifyErrors);
    assertTrue(job.verifiedIos > 200 && job.verifiedIos <= 256, "read back each written chunk once: " + job.verifiedIos);
    assertEquals(0, dev.overlaps.get(), "never two I/Os on one chunk at once");
  }

  @Test
  void resubmitOnCompletionSubmitsFromTheCompletingThreadAndLosesNothing() throws Exception {
    for (BenchJob.Rw rw : new BenchJob.Rw[] {BenchJob.Rw.RANDREAD, BenchJob.Rw.RANDWRITE}) {
      MemoryDevice dev = new MemoryDevice(2048, 512);
      dev.corruptReadNumber = 100;
      BenchJob.Phases phases = new BenchJob.Phases(1);
      BenchJob job = new BenchJob(dev, new BenchJob.Spec(0, rw, 4096, 512, 4, 0, 256, 3000,
          TimeUnit.SECONDS.toNanos(10), 50, true, 1, true), phases);
      runJob(job, phases);
      BenchJob.Stats main = rw == BenchJob.Rw.RANDREAD ? job.read : job.write;
      assertEquals(3000, main.ios, rw + ": every I/O of the phase accounted for once");
      assertEquals(0, dev.overlaps.get(), rw + ": never two I/Os on one chunk at once");
      assertEquals(1, job.verifyErrors, rw + ": the damaged read is still caught");
      // the first iodepth submissions come from the job thread, the rest from completions
      assertTrue(dev.submitsFromDevice.get() > 3000, rw + ": " + dev.submitsFromDevice.get()
          + " submissions from the completing thread");
    }
  }

  private static void runJob(BenchJob job, BenchJob.Phases phases) throws InterruptedException {
    Thread t = new Thread(job, "bench-test-job");
    t.start();
    phases.ready.await();
    phases.startNanos = System.nanoTime();
    phases.go.countDown();
    phases.mainDone.await();
    phases.readbackGo.countDown();
    t.join();
    assertEquals(null, job.failure);
  }

  /**
   * An in-memory device completing asynchronously on its own thread (like the loop
   * transports), able to damage one read.
   */
  static final class MemoryDevice implements MultipathDevice {
    final byte[] data;
    final int blockSize;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong overlaps = new AtomicLong();
    final AtomicLong submitsFromDevice = new AtomicLong();
    final int[] busy;
    volatile long corruptReadNumber = -1;
    final java.util.concurrent.ExecutorService exec = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "memory-device");
      t.setDaemon(true);
      return t;
    });

    MemoryDevice(int blocks, int blockSize) {
      this.data = new byte[blocks * blockSize];
      this.blockSize = blockSize;
      this.busy = new int[blocks];
    }

    @Override
    public void submit(IoRequest r) {
      int off = (int) (r.lba() * blockSize);
      int len = r.buffer().remaining();
      if (Thread.currentThread().getName().equals("memory-device")) {
        submitsFromDevice.incrementAndGet();
      }
      synchronized (busy) {
        if (busy[(int) r.lba()]++ > 0) {
          overlaps.incrementAndGet();
        }
      }
      exec.execute(() -> {
        ByteBuffer b = r.buffer().duplicate();
        switch (r.op()) {
          case READ:
            b.put(data, off, len);
            if (reads.incrementAndGet() == corruptReadNumber) {
              b.put(b.position() - len + 100, (byte) (b.get(b.position() - len + 100) ^ 1));
            }
            break;
          case WRITE:
            b.get(data, off, len);
            break;
          default:
            throw new AssertionError(r.op());
        }
        synchronized (busy) {
          busy[(int) r.lba()]--;
        }
        r.completion().onComplete(r);
      });
    }

    @Override
    public String name() {
      return "mem0";
    }

    @Override
    public Optional<String> alias() {
      return Optional.empty();
    }

    @Override
    public DeviceId id() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String protocol() {
      return "memory";
    }

    @Override
    public int blockSize() {
      return blockSize;
    }

    @Override
    public long capacityBlocks() {
      return data.length / blockSize;
    }

    @Override
    public List<PathInfo> paths() {
      return List.of();
    }

    @Override
    public boolean isPresent() {
      return true;
    }

    @Override
    public IoPolicy ioPolicy() {
      return IoPolicy.numa();
    }

    @Override
    public void ioPolicy(IoPolicy policy) {}

    @Override
    public Duration delayedRemoval() {
      return Duration.ZERO;
    }

    @Override
    public void delayedRemoval(Duration delay) {}

    @Override
    public int queued() {
      return 0;
    }

    @Override
    public IoStats stats() {
      return new IoStats(0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public Reservations reservations() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> flush() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long lba, int blocks) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> discard(long lba, int blocks) {
      throw new UnsupportedOperationException();
    }
  }

  // ------------------------------------------------------------------ JSON access

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof Map, key + " is an object in " + m.keySet());
    return cast(v);
  }

  static List<Object> list(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof List, key + " is an array");
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) v;
    return l;
  }

  static long num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof Number, key + " is a number: " + v);
    return ((Number) v).longValue();
  }

  /** The report as a map (the tests' shared MiniJson parser). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String json) {
    return (Map<String, Object>) MiniJson.parse(json);
  }
}
