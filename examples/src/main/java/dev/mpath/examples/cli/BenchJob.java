package dev.mpath.examples.cli;

import dev.mpath.IoCompletion;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One {@code mpath bench} job: a thread that keeps {@code iodepth} reusable
 * {@link IoRequest}s in flight on a device through {@link MultipathDevice#submit}.
 *
 * <p>Steady state allocates nothing: requests and their direct buffers are made once, the
 * completion callback only stamps the time and hands the slot number to the job thread
 * through a bounded lock-free ring (it never blocks), and the job thread measures the
 * latency, checks the data (with {@code --verify}) and resubmits. Latencies go to a
 * per-job HdrHistogram merged by {@link BenchReport}. I/O errors are counted by type and
 * do not stop the job (fio's {@code continue_on_error}).
 *
 * <p>Verify: every write carries a pattern derived from each block's LBA and a generation
 * number unique within the job; the job remembers the generation last written to each
 * {@code bs} chunk of its slice and checks reads against it. Jobs own disjoint slices of
 * the region and never have two I/Os on one chunk at a time, so the expectation is exact.
 * A chunk whose write failed is unknown until written again and is not checked.
 */
final class BenchJob implements Runnable {

  /** The workloads, fio's {@code rw=} names. */
  enum Rw {
    READ("read", false, 100),
    WRITE("write", false, 0),
    RANDREAD("randread", true, 100),
    RANDWRITE("randwrite", true, 0),
    RANDRW("randrw", true, -1);

    final String fioName;
    final boolean random;
    /** Percentage of reads; -1 = {@code --rwmixread}. */
    final int readPct;

    Rw(String fioName, boolean random, int readPct) {
      this.fioName = fioName;
      this.random = random;
      this.readPct = readPct;
    }

    boolean reads(int rwmixread) {
      return (readPct < 0 ? rwmixread : readPct) > 0;
    }

    boolean writes(int rwmixread) {
      return (readPct < 0 ? rwmixread : readPct) < 100;
    }

    static Rw parse(String s) {
      for (Rw r : values()) {
        if (r.fioName.equals(s)) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          "unknown --rw '" + s + "' (read, write, randread, randwrite, randrw)");
    }
  }

  /**
   * What one job does.
   *
   * @param firstLba first block of the job's region (its slice with --verify)
   * @param chunks number of {@code bs}-sized chunks in that region
   * @param iosLimit I/Os to issue in the timed phase (Long.MAX_VALUE: until the runtime)
   */
  record Spec(int index, Rw rw, int bs, int blockSize, int iodepth, long firstLba, long chunks,
      long iosLimit, long runtimeNanos, int rwmixread, boolean verify, long seed,
      boolean resubmitOnCompletion, long rampNanos) {
    Spec(int index, Rw rw, int bs, int blockSize, int iodepth, long firstLba, long chunks,
        long iosLimit, long runtimeNanos, int rwmixread, boolean verify, long seed) {
      this(index, rw, bs, blockSize, iodepth, firstLba, chunks, iosLimit, runtimeNanos, rwmixread,
          verify, seed, false, 0);
    }

    Spec(int index, Rw rw, int bs, int blockSize, int iodepth, long firstLba, long chunks,
        long iosLimit, long runtimeNanos, int rwmixread, boolean verify, long seed,
        boolean resubmitOnCompletion) {
      this(index, rw, bs, blockSize, iodepth, firstLba, chunks, iosLimit, runtimeNanos, rwmixread,
          verify, seed, resubmitOnCompletion, 0);
    }
  }

  /** Latency and volume of one direction. Written by the job thread only. */
  static final class Stats {
    final Histogram hist = newHistogram();
    // volatile for the progress line (single writer)
    volatile long ios;
    volatile long bytes;
    long min = Long.MAX_VALUE;
    long max;
    double sum;
    double sumSq;

    void record(long latNanos, int bytes) {
      long v = Math.max(1, latNanos);
      hist.recordValue(v);
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
      sum += v;
      sumSq += (double) v * v;
      this.bytes = this.bytes + bytes;
      ios = ios + 1;
    }

    static Histogram newHistogram() {
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
      h.setAutoResize(true);
      return h;
    }
  }

  /** The start line shared by the jobs of one run: prefill, timed phase, read-back. */
  static final class Phases {
    final CountDownLatch ready;
    final CountDownLatch go = new CountDownLatch(1);
    final CountDownLatch mainDone;
    final CountDownLatch readbackGo = new CountDownLatch(1);
    volatile long startNanos;
    /** Set when the run is abandoned: jobs stop issuing and drain. */
    volatile boolean abort;

    Phases(int jobs) {
      ready = new CountDownLatch(jobs);
      mainDone = new CountDownLatch(jobs);
    }
  }

  private static final int UNKNOWN = -1;
  private static final long MAGIC = 0x6d706174L; // "mpat"
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  /** A job that sees no completion for this long gives its in-flight I/Os up. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int MAX_REPORTED_MISMATCHES = 5;

  private enum Phase { PREFILL, MAIN, READBACK }

  private final MultipathDevice device;
  private final Spec spec;
  private final Phases phases;
  private final int blocksPerChunk;
  private final SplittableRandom rnd;

  // per slot, allocated once
  private final IoRequest[] reqs;
  private final ByteBuffer[] bufs;
  private final long[] startNanos;
  private final long[] endNanos;
  private final long[] slotChunk;
  private final int[] slotGen;
  private final boolean[] slotWrite;
  private final CompletionRing ring;

  // verify state (job thread only)
  private final int[] gen;
  private final boolean[] busy;
  private int nextGen;

  final Stats read = new Stats();
  final Stats write = new Stats();
  long errors;
  final Map<String, Long> errorTypes = new LinkedHashMap<>();
  long verifyErrors;
  long verifiedIos;
  long prefillIos;
  /** I/Os started in the ramp (--ramp-time): run, checked with --verify, not measured. */
  long rampIos;
  long abandoned;
  final List<String> mismatches = new ArrayList<>();
  volatile long endNanosMain;
  volatile Throwable failure;

  // phase state (job thread only)
  private Phase phase;
  private long issued;
  private long phaseLimit;
  private long deadline;
  private long rampEnd;
  private long seqNext;
  private int inFlight;
  private long lastProgress;
  /**
   * A thread is inside the job's state (under its monitor). The state is the job thread's,
   * or, with {@code resubmitOnCompletion}, whichever thread holds the monitor.
   */
  private boolean processing;

  BenchJob(MultipathDevice device, Spec spec, Phases phases) {
    this.device = device;
    this.spec = spec;
    this.phases = phases;
    this.blocksPerChunk = spec.bs() / spec.blockSize();
    this.rnd = new SplittableRandom(spec.seed());
    int depth = spec.iodepth();
    reqs = new IoRequest[depth];
    bufs = new ByteBuffer[depth];
    startNanos = new long[depth];
    endNanos = new long[depth];
    slotChunk = new long[depth];
    slotGen = new int[depth];
    slotWrite = new boolean[depth];
    ring = new CompletionRing(depth);
    IoCompletion done = r -> {
      int slot = (Integer) r.attachment();
      endNanos[slot] = System.nanoTime();
      if (!spec.resubmitOnCompletion() || !completeHere(slot)) {
        ring.offer(slot);
      }
    };
    byte[] noise = new byte[spec.bs()];
    rnd.split().nextBytes(noise);
    for (int i = 0; i < depth; i++) {
      // page-aligned, exactly bs long (alignedSlice rounds the capacity down to whole pages)
      int pages = (spec.bs() + 4095) / 4096;
      ByteBuffer b = ByteBuffer.allocateDirect((pages + 1) * 4096).alignedSlice(4096).limit(spec.bs()).slice();
      b.put(noise).clear();
      bufs[i] = b;
      reqs[i] = new IoRequest().completion(done).attachment(i);
    }
    if (spec.verify()) {
      gen = new int[Math.toIntExact(spec.chunks())];
      busy = new boolean[gen.length];
    } else {
      gen = null;
      busy = null;
    }
  }

  @Override
  public void run() {
    ring.consumer = Thread.currentThread();
    boolean ready = false;
    boolean mainDone = false;
    try {
      if (spec.verify() && spec.rw().reads(spec.rwmixread())) {
        runPhase(Phase.PREFILL, spec.chunks(), Long.MAX_VALUE);
      }
      phases.ready.countDown();
      ready = true;
      phases.go.await();
      long t0 = phases.startNanos;
      rampEnd = t0 + spec.rampNanos();
      runPhase(Phase.MAIN, spec.iosLimit(), rampEnd + spec.runtimeNanos());
      endNanosMain = System.nanoTime();
      phases.mainDone.countDown();
      mainDone = true;
      if (spec.verify() && !spec.rw().reads(spec.rwmixread())) {
        phases.readbackGo.await();
        long written = 0;
        for (int g : gen) {
          if (g > 0) {
            written++;
          }
        }
        seqNext = 0;
        runPhase(Phase.READBACK, written, Long.MAX_VALUE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    } catch (Throwable t) {
      failure = t;
    } finally {
      if (!ready) {
        phases.ready.countDown();
      }
      if (!mainDone) {
        if (endNanosMain == 0) {
          endNanosMain = System.nanoTime();
        }
        phases.mainDone.countDown();
      }
    }
  }

  /** Keeps the queue full until {@code limit} I/Os are issued or {@code deadline} passes. */
  private void runPhase(Phase p, long limit, long deadlineNanos) {
    phase = p;
    issued = 0;
    phaseLimit = limit;
    deadline = deadlineNanos;
    seqNext = 0;
    inFlight = 0;
    synchronized (this) {
      processing = true;
      try {
        for (int s = 0; s < reqs.length && canIssue(); s++) {
          issue(s);
        }
      } finally {
        processing = false;
      }
    }
    lastProgress = System.nanoTime();
    while (true) {
      synchronized (this) {
        if (inFlight <= 0) {
          return;
        }
        if (System.nanoTime() - lastProgress > STALL_NANOS) {
          // the head bounds every request, so this is a safety net only
          abandoned += inFlight;
          errors += inFlight;
          errorTypes.merge("Stalled", (long) inFlight, Long::sum);
          inFlight = 0;
          return;
        }
      }
      int s = ring.take(TimeUnit.MILLISECONDS.toNanos(100));
      if (s >= 0) {
        synchronized (this) {
          processing = true;
          try {
            completeAndReissue(s);
          } finally {
            processing = false;
          }
        }
      }
    }
  }

  /**
   * With {@code resubmitOnCompletion}: handles a completion on the thread that delivered it
   * (an I/O thread), so a resubmission costs no wake-up of the job thread. False when this
   * thread is already inside the job (a submission that completed at once): the ring takes
   * it, so completions never nest.
   */
  private boolean completeHere(int s) {
    synchronized (this) {
      if (processing) {
        return false;
      }
      processing = true;
      try {
        completeAndReissue(s);
        if (inFlight == 0) {
          LockSupport.unpark(ring.consumer);
        }
      } finally {
        processing = false;
      }
      return true;
    }
  }

  /** One completion: account for it, then keep the slot busy while the phase lasts. */
  private void completeAndReissue(int s) {
    lastProgress = endNanos[s];
    inFlight--;
    complete(s);
    if (canIssue()) {
      issue(s);
    }
  }

  private boolean canIssue() {
    if (issued >= phaseLimit || phases.abort) {
      return false;
    }
    return phase != Phase.MAIN || System.nanoTime() - deadline < 0;
  }

  private void issue(int s) {
    long chunk;
    boolean isWrite;
    switch (phase) {
      case PREFILL:
        chunk = seqNext++;
        isWrite = true;
        break;
      case READBACK:
        chunk = seqNext++;
        while (gen[(int) chunk] <= 0) {
          chunk = seqNext++;
        }
        isWrite = false;
        break;
      default:
        chunk = pickChunk();
        int pct = spec.rw().readPct < 0 ? spec.rwmixread() : spec.rw().readPct;
        isWrite = pct == 0 || (pct < 100 && rnd.nextInt(100) >= pct);
    }
    long lba = spec.firstLba() + chunk * blocksPerChunk;
    ByteBuffer b = bufs[s];
    IoRequest r = reqs[s];
    slotChunk[s] = chunk;
    slotWrite[s] = isWrite;
    if (spec.verify()) {
      busy[(int) chunk] = true;
      if (isWrite) {
        int g = ++nextGen;
        slotGen[s] = g;
        fill(b, lba, g);
      } else {
        slotGen[s] = gen[(int) chunk];
      }
    }
    if (isWrite) {
      r.write(lba, b);
    } else {
      r.read(lba, b);
    }
    issued++;
    inFlight++;
    startNanos[s] = System.nanoTime();
    device.submit(r);
  }

  private long pickChunk() {
    long n = spec.chunks();
    if (spec.rw().random) {
      long c = rnd.nextLong(n);
      while (busy != null && busy[(int) c]) {
        c = rnd.nextLong(n);
      }
      return c;
    }
    long c = seqNext;
    while (busy != null && busy[(int) c]) {
      c = c + 1 == n ? 0 : c + 1;
    }
    seqNext = c + 1 == n ? 0 : c + 1;
    return c;
  }

  private void complete(int s) {
    IoRequest r = reqs[s];
    Throwable e = r.error();
    int chunk = (int) slotChunk[s];
    boolean isWrite = slotWrite[s];
    if (e != null) {
      errors++;
      errorTypes.merge(e.getClass().getSimpleName(), 1L, Long::sum);
      if (spec.verify()) {
        if (isWrite) {
          gen[chunk] = UNKNOWN;
        }
        busy[chunk] = false;
      }
      return;
    }
    long lat = endNanos[s] - startNanos[s];
    switch (phase) {
      case MAIN:
        if (startNanos[s] - rampEnd >= 0) {
          (isWrite ? write : read).record(lat, spec.bs());
        } else {
          rampIos++;
        }
        break;
      case PREFILL:
        prefillIos++;
        break;
      default:
        break;
    }
    if (spec.verify()) {
      if (isWrite) {
        gen[chunk] = slotGen[s];
      } else if (slotGen[s] > 0) {
        verifiedIos++;
        check(bufs[s], spec.firstLba() + (long) chunk * blocksPerChunk, slotGen[s]);
      }
      busy[chunk] = false;
    }
  }

  // ------------------------------------------------------------------ pattern

  /** Writes the pattern of generation {@code g} for the blocks starting at {@code lba}. */
  private void fill(ByteBuffer b, long lba, int g) {
    int bsz = spec.blockSize();
    for (int k = 0; k < blocksPerChunk; k++) {
      long block = lba + k;
      int off = k * bsz;
      b.putLong(off, block);
      b.putLong(off + 8, MAGIC << 32 | (g & 0xffffffffL));
      long seed = mix(block * 31 + g);
      for (int w = 16; w < bsz; w += 8) {
        b.putLong(off + w, seed ^ (w * GOLDEN));
      }
    }
  }

  private void check(ByteBuffer b, long lba, int g) {
    int bsz = spec.blockSize();
    for (int k = 0; k < blocksPerChunk; k++) {
      long block = lba + k;
      int off = k * bsz;
      boolean ok = b.getLong(off) == block && b.getLong(off + 8) == (MAGIC << 32 | (g & 0xffffffffL));
      if (ok) {
        long seed = mix(block * 31 + g);
        for (int w = 16; w < bsz; w += 8) {
          if (b.getLong(off + w) != (seed ^ (w * GOLDEN))) {
            ok = false;
            break;
          }
        }
      }
      if (!ok) {
        verifyErrors++;
        if (mismatches.size() < MAX_REPORTED_MISMATCHES) {
          long h = b.getLong(off + 8);
          mismatches.add("verify failed at lba " + block + " (job " + spec.index() + "): expected generation "
              + g + ", found lba " + b.getLong(off) + (h >>> 32 == MAGIC ? " generation " + (int) h : " no pattern header"));
        }
        return; // one error per I/O, as fio counts
      }
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  // ------------------------------------------------------------------ completion ring

  /**
   * A bounded multi-producer, single-consumer ring of slot numbers. At most
   * {@code capacity} slots are ever outstanding (in flight or queued), so a producer always
   * finds its cell empty; offering never blocks and allocates nothing.
   */
  static final class CompletionRing {
    private final AtomicIntegerArray cells; // slot + 1; 0 = empty
    private final int mask;
    private final AtomicLong tail = new AtomicLong();
    private long head; // consumer only
    volatile Thread consumer;
    private volatile boolean waiting;

    CompletionRing(int capacity) {
      int n = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
      cells = new AtomicIntegerArray(n);
      mask = n - 1;
    }

    void offer(int slot) {
      long t = tail.getAndIncrement();
      cells.set((int) (t & mask), slot + 1);
      if (waiting) {
        LockSupport.unpark(consumer);
      }
    }

    int poll() {
      int i = (int) (head & mask);
      int v = cells.get(i);
      if (v == 0) {
        return -1;
      }
      cells.set(i, 0);
      head++;
      return v - 1;
    }

    /** The next completed slot, or -1 after {@code timeoutNanos} without one. */
    int take(long timeoutNanos) {
      int v = poll();
      if (v >= 0) {
        return v;
      }
      waiting = true;
      try {
        v = poll();
        if (v >= 0) {
          return v;
        }
        LockSupport.parkNanos(this, timeoutNanos);
        return poll();
      } finally {
        waiting = false;
      }
    }
  }
}
