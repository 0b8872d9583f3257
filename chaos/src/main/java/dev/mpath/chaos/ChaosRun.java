package dev.mpath.chaos;

import dev.mpath.AccessState;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.NoPathException;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chaos run: writer streams, each owning a region of the device, write stamped blocks
 * ({@link StampedBlock}) and read them back against their {@link BlockModel}, while a
 * schedule seeded by {@link Builder#seed} injects faults through a {@link FaultInjector}
 * every {@code 50..500 ms} (by default). At the end every fault is healed and every block
 * of every region is read once more. The {@link ChaosReport} tells what a caller saw.
 *
 * <p>The same seed, settings and device reproduce the fault schedule (which faults, in
 * which order, at which offsets); I/O timing is the machine's. Every wait is bounded: a
 * request not completed within the overdue bound is overdue, and one not completed after
 * the grace period is lost. {@link #run()} blocks the caller for the duration plus at most
 * the grace period; it uses {@code streams + 1} threads of its own, ended before it returns.
 *
 * <pre>{@code
 * ChaosReport r = ChaosRun.builder(device, injector)
 *     .seed(42).streams(8).duration(Duration.ofSeconds(60))
 *     .overdueAfter(Duration.ofSeconds(45)).build().run();
 * }</pre>
 */
public final class ChaosRun {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

  private volatile MultipathDevice device;
  private final java.util.function.Supplier<MultipathDevice> reacquire;
  private final FaultInjector injector;
  private final long seed;
  private final int streams;
  private final int regionBlocks;
  private final int maxBlocksPerIo;
  private final Duration duration;
  private final Duration minInterval;
  private final Duration maxInterval;
  private final Duration overdueAfter;
  private final Duration noPathBound;
  private final Duration grace;

  private final LongAdder verified = new LongAdder();
  private final LongAdder errorsUsable = new LongAdder();
  private final LongAdder errorsOther = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder corrupt = new LongAdder();
  private final LongAdder duplicate = new LongAdder();
  private final LongAdder overdue = new LongAdder();
  private final AtomicLong worstNanos = new AtomicLong();
  private final List<String> corruptions = Collections.synchronizedList(new ArrayList<>());
  private final List<String> schedule = Collections.synchronizedList(new ArrayList<>());

  private ChaosRun(Builder b) {
    this.device = b.device;
    this.reacquire = b.reacquire;
    this.injector = b.injector;
    this.seed = b.seed;
    this.streams = b.streams;
    this.regionBlocks = b.regionBlocks;
    this.maxBlocksPerIo = b.maxBlocksPerIo;
    this.duration = b.duration;
    this.minInterval = b.minInterval;
    this.maxInterval = b.maxInterval;
    this.overdueAfter = b.overdueAfter;
    this.noPathBound = b.noPathBound != null ? b.noPathBound : b.overdueAfter;
    this.grace = b.grace;
  }

  /** A run over {@code device}, faults from {@code injector}. */
  public static Builder builder(MultipathDevice device, FaultInjector injector) {
    return new Builder(device, injector);
  }

  /** Runs; returns the report. Bounded by the duration plus the grace period (twice). */
  public ChaosReport run() throws InterruptedException {
    LOG.info("chaos run on {}: seed {}, {} streams x {} blocks, {} s", device.name(), seed,
        streams, regionBlocks, duration.toSeconds());
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<BlockModel> models = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < streams; w++) {
      BlockModel m = new BlockModel((long) w * regionBlocks, regionBlocks);
      models.add(m);
      int writer = w + 1;
      Random r = new Random(seed * 31 + writer);
      Thread t = new Thread(() -> stream(m, writer, r, end), "chaos-" + device.name() + "-" + w);
      t.setDaemon(true);
      workers.add(t);
    }
    AtomicInteger faults = new AtomicInteger();
    Thread scheduler = new Thread(() -> faults(start, end, faults), "chaos-schedule");
    scheduler.setDaemon(true);
    workers.forEach(Thread::start);
    scheduler.start();
    scheduler.join(duration.toMillis() + grace.toMillis());
    scheduler.interrupt();
    scheduler.join(grace.toMillis());
    injector.healAll();
    long joinBy = System.nanoTime() + overdueAfter.toNanos() + grace.toNanos();
    for (Thread t : workers) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
      if (t.isAlive()) {
        t.interrupt();
      }
    }
    // every fault healed: each block once more (through the head that is back, if any)
    long backBy = System.nanoTime() + grace.toNanos();
    while (!current().isPresent() && System.nanoTime() < backBy) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    for (int w = 0; w < streams; w++) {
      BlockModel m = models.get(w);
      for (int i = 0; i < m.blocks(); i += maxBlocksPerIo) {
        int n = Math.min(maxBlocksPerIo, m.blocks() - i);
        read(m, w + 1, m.firstLba() + i, n, false);
      }
    }
    ChaosReport report = new ChaosReport(seed, faults.get(), List.copyOf(schedule),
        verified.sum(), errorsUsable.sum(), errorsOther.sum(), lost.sum(), corrupt.sum(),
        duplicate.sum(), overdue.sum(), TimeUnit.NANOSECONDS.toMillis(worstNanos.get()),
        List.copyOf(corruptions.subList(0, Math.min(10, corruptions.size()))));
    LOG.info("chaos run on {}: {}", device.name(), report.summary());
    return report;
  }

  private void faults(long start, long end, AtomicInteger count) {
    Random r = new Random(seed);
    long span = Math.max(0, maxInterval.toNanos() - minInterval.toNanos());
    try {
      while (true) {
        long wait = minInterval.toNanos() + (span == 0 ? 0 : (long) (r.nextDouble() * span));
        long now = System.nanoTime();
        if (now + wait >= end) {
          return;
        }
        TimeUnit.NANOSECONDS.sleep(wait);
        long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        FaultInjector.Fault f = injector.inject(r, at);
        count.incrementAndGet();
        schedule.add("+" + at + " " + f.description());
        LOG.info("chaos +{} ms: {}", at, f.description());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stream(BlockModel m, int writer, Random r, long end) {
    try {
      while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
        int n = 1 + r.nextInt(maxBlocksPerIo);
        long lba = m.firstLba() + r.nextInt(m.blocks() - n + 1);
        if (r.nextBoolean()) {
          write(m, writer, lba, n);
        } else {
          read(m, writer, lba, n, true);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(BlockModel m, int writer, long lba, int n) throws InterruptedException {
    int bs = device.blockSize();
    ByteBuffer b = ByteBuffer.allocate(n * bs);
    long[] gens = new long[n];
    for (int i = 0; i < n; i++) {
      gens[i] = m.nextGeneration(lba + i);
      StampedBlock.write(b, i * bs, bs, lba + i, gens[i], writer);
    }
    Throwable e;
    try {
      e = submit(new IoRequest().write(lba, b));
    } catch (InterruptedException stop) {
      for (int i = 0; i < n; i++) {
        m.failed(lba + i, gens[i]); // still out: it may land
      }
      throw stop;
    }
    for (int i = 0; i < n; i++) {
      if (e == null) {
        m.acknowledged(lba + i, gens[i]);
      } else {
        m.failed(lba + i, gens[i]);
      }
    }
  }

  private void read(BlockModel m, int writer, long lba, int n, boolean duringFaults)
      throws InterruptedException {
    int bs = device.blockSize();
    ByteBuffer b = ByteBuffer.allocate(n * bs);
    Throwable e = submit(new IoRequest().read(lba, b));
    if (e != null) {
      return;
    }
    for (int i = 0; i < n; i++) {
      String why = m.verify(lba + i, StampedBlock.read(b, i * bs, bs), writer);
      if (why != null) {
        corrupt.increment();
        corruptions.add((duringFaults ? "" : "final pass: ") + why);
      }
    }
  }

  /**
   * The device to use now: the one given, or once it was removed (all paths down past its
   * delayed-removal window) the one {@link Builder#reacquire} finds for the same LU again.
   */
  private MultipathDevice current() {
    MultipathDevice d = device;
    if (!d.isPresent() && reacquire != null) {
      MultipathDevice again = reacquire.get();
      if (again != null && again.isPresent()) {
        device = again;
        LOG.info("chaos: {} is back as a new head", again.name());
        return again;
      }
    }
    return d;
  }

  /** Submits and waits (bounded); returns the error, or null. Counts what it sees. */
  private Throwable submit(IoRequest r) throws InterruptedException {
    MultipathDevice device = current();
    if (!device.isPresent()) {
      errorsOther.increment(); // removed, not back yet: no path, and nothing sent
      TimeUnit.MILLISECONDS.sleep(20);
      return new NoPathException(device.name() + ": removed");
    }
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger completions = new AtomicInteger();
    AtomicReference<Throwable> error = new AtomicReference<>();
    AtomicReference<Boolean> usableAtError = new AtomicReference<>(false);
    long t0 = System.nanoTime();
    device.submit(r.completion(x -> {
      if (completions.incrementAndGet() > 1) {
        duplicate.increment();
        return;
      }
      Throwable err = x.error();
      if (err != null) {
        usableAtError.set(!(err instanceof NoPathException) && usable(device));
      }
      error.set(err);
      done.countDown();
    }));
    long bound = Math.max(overdueAfter.toNanos(), noPathBound.toNanos());
    if (!done.await(bound + grace.toNanos(), TimeUnit.NANOSECONDS)) {
      overdue.increment();
      lost.increment();
      return new IllegalStateException("lost");
    }
    long took = System.nanoTime() - t0;
    worstNanos.accumulateAndGet(took, Math::max);
    Throwable e = error.get();
    // a request failed for want of a path may have waited out delayed removal: its own bound
    long allowed = e instanceof NoPathException ? noPathBound.toNanos() : overdueAfter.toNanos();
    if (took > allowed) {
      overdue.increment();
      LOG.warn("chaos: {} took {} ms ({}), over its bound of {} ms", r.op(),
          TimeUnit.NANOSECONDS.toMillis(took), e == null ? "ok" : e.toString(),
          TimeUnit.NANOSECONDS.toMillis(allowed));
    }
    if (e == null) {
      verified.increment();
    } else if (usableAtError.get()) {
      errorsUsable.increment();
      LOG.warn("chaos: {} failed while a path was usable: {}", r.op(), e.toString());
    } else {
      errorsOther.increment();
    }
    return e;
  }

  private static boolean usable(MultipathDevice device) {
    for (PathInfo p : device.paths()) {
      if (p.state() == PathState.LIVE && !p.faulted()
          && (p.accessState() == AccessState.OPTIMIZED
              || p.accessState() == AccessState.NON_OPTIMIZED)) {
        return true;
      }
    }
    return false;
  }

  /** Settings of a run; every one has a default but the device and the injector. */
  public static final class Builder {
    private final MultipathDevice device;
    private final FaultInjector injector;
    private long seed = ThreadLocalRandom.current().nextLong();
    private int streams = 8;
    private int regionBlocks = 256;
    private int maxBlocksPerIo = 8;
    private Duration duration = Duration.ofSeconds(60);
    private Duration minInterval = Duration.ofMillis(50);
    private Duration maxInterval = Duration.ofMillis(500);
    private Duration overdueAfter = Duration.ofSeconds(60);
    private Duration noPathBound;
    private Duration grace = Duration.ofSeconds(30);
    private java.util.function.Supplier<MultipathDevice> reacquire;

    private Builder(MultipathDevice device, FaultInjector injector) {
      this.device = Objects.requireNonNull(device, "device");
      this.injector = Objects.requireNonNull(injector, "injector");
    }

    /** The schedule's seed (default: random, printed in the report). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Writer streams, each with its own region and thread (default 8). */
    public Builder streams(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("streams " + n + " outside 1..256");
      }
      this.streams = n;
      return this;
    }

    /** Blocks per stream's region (default 256) and most blocks per request (default 8). */
    public Builder region(int blocks, int maxBlocksPerIo) {
      if (maxBlocksPerIo < 1 || blocks < maxBlocksPerIo) {
        throw new IllegalArgumentException("region " + blocks + " / " + maxBlocksPerIo);
      }
      this.regionBlocks = blocks;
      this.maxBlocksPerIo = maxBlocksPerIo;
      return this;
    }

    /** How long faults are injected (default 60 s). */
    public Builder duration(Duration d) {
      this.duration = positive(d, "duration");
      return this;
    }

    /** The pause between two faults, uniformly in {@code [min, max]} (default 50..500 ms). */
    public Builder faultInterval(Duration min, Duration max) {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("fault interval " + min + ".." + max);
      }
      this.minInterval = min;
      this.maxInterval = max;
      return this;
    }

    /**
     * A request taking longer than this is overdue (default 60 s): set it to what a caller
     * may wait at most (the command timeout plus a failover, or the longest all-paths-down
     * window the injector makes).
     */
    public Builder overdueAfter(Duration d) {
      this.overdueAfter = positive(d, "overdue bound");
      return this;
    }

    /**
     * The bound of a request that fails with {@link NoPathException} (default: the overdue
     * bound): with delayed removal T, what it may wait while every path is gone (the
     * provider's path-removal timeout plus T plus a second).
     */
    public Builder noPathBound(Duration d) {
      this.noPathBound = positive(d, "no-path bound");
      return this;
    }

    /**
     * Finds the device again after it was removed (its paths gone past delayed removal): the
     * new head of the same LU, or null while there is none. Without it a removed device
     * stays removed for the rest of the run.
     */
    public Builder reacquire(java.util.function.Supplier<MultipathDevice> finder) {
      this.reacquire = Objects.requireNonNull(finder, "finder");
      return this;
    }

    /** How much longer an overdue request is waited for before it counts as lost (30 s). */
    public Builder grace(Duration d) {
      this.grace = positive(d, "grace");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    public ChaosRun build() {
      long need = (long) streams * regionBlocks;
      if (need > device.capacityBlocks()) {
        throw new IllegalArgumentException(streams + " regions of " + regionBlocks
            + " blocks exceed the device's " + device.capacityBlocks());
      }
      if (device.blockSize() < StampedBlock.MIN_BLOCK_SIZE) {
        throw new IllegalArgumentException("block size " + device.blockSize());
      }
      return new ChaosRun(this);
    }
  }
}
