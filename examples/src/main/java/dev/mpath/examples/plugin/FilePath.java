package dev.mpath.examples.plugin;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.MpathException;
import dev.mpath.PathState;
import dev.mpath.RegisteredKeys;
import dev.mpath.Reservation;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.TargetErrorException;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path to a file image, and its fault-injection handle.
 *
 * <p><b>As a {@link ProviderPath}.</b> Each path has its own single-thread executor, its
 * "queue": {@link #submit} only enqueues (it never blocks and never does I/O on the
 * caller's thread), and the queue thread does the file I/O and reports the verdict to the
 * head through the {@link PathSink}. Getters are volatile reads; no lock of this class is
 * ever held while calling the sink.
 *
 * <p><b>Exactly once.</b> Every submission becomes a {@link Command} that sits in
 * {@link #inFlight} until someone <em>claims</em> it: the queue thread when it starts the
 * I/O, or {@link #kill()}/{@link #remove()} when they fail what is outstanding. Only the
 * claimer reports it, so a request is completed once however the races fall, and a
 * request failed over by a kill is never also written by the dead path.
 *
 * <p><b>Fault injection</b> (for applications and tests; thread-safe, callable any time):
 * {@link #kill()}, {@link #revive()}, {@link #remove()}, {@link #failNext},
 * {@link #delay(Duration)}, {@link #accessState(AccessState)}, {@link #clearFaults()}.
 */
public final class FilePath implements ProviderPath {
  private static final Logger LOG = LoggerFactory.getLogger(FilePath.class);

  private final FileTarget target;
  private final int index;
  private final String transport;
  private final Scheduler scheduler;
  private final ExecutorService queue;
  private final PathReservations reservations;
  private final Set<Command> inFlight = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<Injected> injected = new ArrayDeque<>(); // guarded by itself
  private final AtomicBoolean removed = new AtomicBoolean();

  // The provider's view, read by the head at any time: plain volatile fields.
  private volatile PathState state = PathState.CONNECTING;
  private volatile AccessState access = AccessState.OPTIMIZED;
  private volatile long delayNanos;
  private volatile PathSink sink;

  /** One submission: the request and who has claimed the right to complete it. */
  private static final class Command {
    final IoRequest request;
    private final AtomicBoolean claimed = new AtomicBoolean();

    Command(IoRequest request) {
      this.request = request;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  /** A scripted verdict for the next {@code remaining} commands. */
  private static final class Injected {
    final Disposition disposition;
    final Throwable error;
    int remaining; // guarded by the injected deque

    Injected(Disposition disposition, Throwable error, int remaining) {
      this.disposition = disposition;
      this.error = error;
      this.remaining = remaining;
    }
  }

  FilePath(FileTarget target, int index, Scheduler scheduler) {
    this.target = target;
    this.index = index;
    this.transport = FileMpProvider.SCHEME + "://" + target.file() + " path " + index;
    this.scheduler = scheduler;
    this.reservations = new Reservations();
    String threadName = "filemp-" + target.file().getFileName() + "-p" + index;
    this.queue =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** This path's index within its image (0-based, as in the head's path names). */
  public int index() {
    return index;
  }

  /** The head-assigned name ({@code filemp0:1}), or the transport before attachment. */
  public String name() {
    PathSink s = sink;
    return s != null ? s.name() : transport;
  }

  // ------------------------------------------------------------------ ProviderPath

  @Override
  public DeviceId deviceId() {
    return target.deviceId();
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public int blockSize() {
    return target.image().blockSize;
  }

  @Override
  public long capacityBlocks() {
    return target.image().blocks;
  }

  @Override
  public PathState state() {
    return state;
  }

  @Override
  public AccessState accessState() {
    return access;
  }

  @Override
  public void attached(PathSink sink) {
    // Called by the head, under its lock, before the first submit: store it, nothing else.
    this.sink = sink;
  }

  @Override
  public PathReservations reservations() {
    return reservations;
  }

  @Override
  public void submit(IoRequest attempt) {
    Command c = new Command(attempt);
    inFlight.add(c);
    // Checked after publishing c: kill() sets the state before it sweeps inFlight, so
    // either it sees c or we see its state. Failing on the caller's stack is allowed.
    if (state != PathState.LIVE) {
      finish(c, Disposition.PATH_ERROR, new IOException(name() + ": path is " + state));
      return;
    }
    long delay = delayNanos;
    if (delay > 0) {
      // Through the Scheduler, never Thread.sleep: no thread waits, and tests can drive
      // the clock by hand.
      scheduler.schedule(() -> enqueue(c), delay, TimeUnit.NANOSECONDS);
    } else {
      enqueue(c);
    }
  }

  @Override
  public CompletableFuture<Boolean> check() {
    // The path checker (NVMe Keep Alive, SCSI TEST UNIT READY): a no-op command through
    // the path's own queue, so a path whose queue no longer runs fails its check.
    if (state != PathState.LIVE) {
      return CompletableFuture.completedFuture(false);
    }
    try {
      return CompletableFuture.supplyAsync(() -> state == PathState.LIVE, queue);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(false);
    }
  }

  // ------------------------------------------------------------------ the queue

  private void enqueue(Command c) {
    try {
      queue.execute(() -> execute(c));
    } catch (RejectedExecutionException e) { // the path was removed meanwhile
      finish(c, Disposition.PATH_ERROR, new IOException(name() + ": path removed"));
    }
  }

  /** Runs on the queue thread. */
  private void execute(Command c) {
    if (!c.claim()) {
      return; // kill() or remove() completed it already
    }
    inFlight.remove(c);
    Injected fault = nextInjected();
    if (fault != null) {
      sink.complete(c.request, fault.disposition, fault.error);
      return;
    }
    perform(c.request);
  }

  /**
   * Does the I/O and classifies the outcome (docs/plugins.md, "Classifying completions").
   * The head validated the request already; a provider still classifies whatever reaches
   * it.
   */
  private void perform(IoRequest r) {
    PathSink s = sink;
    if (!access.isActive()) {
      // NVMe ANA inaccessible / transition (SCT 3h), SCSI ALUA 02/04/0A: this path cannot
      // serve the device now, another may: a path error.
      s.complete(r, Disposition.PATH_ERROR, new IOException(name() + ": access " + access));
      return;
    }
    if (!target.image().permits(target.host(), r.op())) {
      // Another host's reservation: every path of this host would be refused alike, so
      // this is a target error and never a failover.
      s.complete(r, Disposition.TARGET_ERROR, new ReservationConflictException(
          name() + ": reservation conflict", FileMpProvider.PROTOCOL,
          FileMpProvider.STATUS_RESERVATION_CONFLICT));
      return;
    }
    FileImage image = target.image();
    int bs = image.blockSize;
    long blocks =
        r.op().hasData() ? r.buffer().remaining() / bs : r.op().hasRange() ? r.blocks() : 0;
    if (r.op().hasRange() && (r.lba() < 0 || blocks <= 0 || r.lba() > image.blocks - blocks)) {
      s.complete(r, Disposition.TARGET_ERROR, new TargetErrorException(
          name() + ": LBA " + r.lba() + "+" + blocks + " out of range", FileMpProvider.PROTOCOL,
          FileMpProvider.STATUS_LBA_OUT_OF_RANGE, 0));
      return;
    }
    long offset = r.lba() * bs;
    try {
      switch (r.op()) {
        // duplicate(): the SPI forbids moving the caller's position and limit
        case READ -> image.store.read(offset, r.buffer().duplicate());
        case WRITE -> image.store.write(offset, r.buffer().duplicate());
        case FLUSH -> image.store.flush();
        case WRITE_ZEROES -> image.store.zero(offset, blocks * bs);
        case DISCARD -> image.store.discard(offset, blocks * bs);
        default -> throw new IllegalArgumentException("unknown operation " + r.op());
      }
    } catch (IOException | RuntimeException e) {
      // The medium failed (or the store refused the range): every path reaches the same
      // file, so no failover. RuntimeException too: a command must never go unanswered.
      TargetErrorException err = new TargetErrorException(
          name() + ": medium error: " + e, FileMpProvider.PROTOCOL,
          FileMpProvider.STATUS_MEDIUM_ERROR, 0);
      err.initCause(e);
      s.complete(r, Disposition.TARGET_ERROR, err);
      return;
    }
    s.complete(r, Disposition.SUCCESS, null);
  }

  /** Completes {@code c} unless someone else has claimed it. */
  private void finish(Command c, Disposition d, Throwable error) {
    if (c.claim()) {
      inFlight.remove(c);
      sink.complete(c.request, d, error);
    }
  }

  /**
   * Fails every command not yet started with a path error. Claims them all first, then
   * reports: the head's failover work for the first one must not give the queue time to
   * start the others on a path that is already dead.
   */
  private void failInFlight(String why) {
    List<Command> failed = new ArrayList<>();
    for (Command c : inFlight) {
      if (c.claim()) {
        inFlight.remove(c);
        failed.add(c);
      }
    }
    for (Command c : failed) {
      sink.complete(c.request, Disposition.PATH_ERROR, new IOException(name() + ": " + why));
    }
  }

  private Injected nextInjected() {
    synchronized (injected) {
      Injected head = injected.peek();
      if (head == null) {
        return null;
      }
      if (--head.remaining == 0) {
        injected.poll();
      }
      return head;
    }
  }

  private void stateChanged() {
    PathSink s = sink;
    if (s != null) {
      s.stateChanged(); // no lock held here: the head takes its own and re-reads the getters
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /** Called by the target once the head has every path: the "connection" is up. */
  void connected() {
    if (!removed.get()) {
      state = PathState.LIVE;
      stateChanged();
    }
  }

  // ------------------------------------------------------------------ fault injection

  /**
   * The link dies: state {@link PathState#FAILED}, everything in flight (queued or
   * delayed) completes with {@link Disposition#PATH_ERROR} so the head moves it to another
   * path, and later submissions fail fast the same way. A command the queue has already
   * started still completes normally, as on a real link.
   */
  public void kill() {
    state = PathState.FAILED; // first: submit() re-checks it after publishing a command
    failInFlight("link down");
    stateChanged();
    LOG.info("{}: link killed", name());
  }

  /**
   * The path reconnects: {@link PathState#CONNECTING}, then {@link PathState#LIVE}. Going
   * through a non-live state also tells the head to drop a fault it put on the path after
   * a path error, as a real controller reset does.
   *
   * @throws IllegalStateException if the path was removed
   */
  public void revive() {
    if (removed.get()) {
      throw new IllegalStateException(name() + " was removed");
    }
    state = PathState.CONNECTING;
    stateChanged();
    state = PathState.LIVE;
    LOG.info("{}: link revived", name());
    stateChanged();
  }

  /**
   * Hot-unplugs the path for good: state {@link PathState#DELETING}, what is in flight
   * completes with a path error, then {@link PathSink#detach()} and the queue stops. When
   * the last path of an image goes, the image is released. Idempotent.
   */
  public void remove() {
    if (!removed.compareAndSet(false, true)) {
      return;
    }
    state = PathState.DELETING;
    failInFlight("path removed"); // the SPI: complete everything before detach()
    PathSink s = sink;
    if (s != null) {
      s.detach();
    }
    try {
      queue.execute(target::pathClosed); // runs after every command already queued
    } catch (RejectedExecutionException e) {
      target.pathClosed();
    }
    queue.shutdown();
  }

  /**
   * The next {@code n} commands this path services end with {@code disposition} instead of
   * doing I/O. {@code error} is what the caller would see; {@code null} picks a typical one:
   * an {@link IOException} (link failure) for {@link Disposition#PATH_ERROR}, an
   * {@link MpathException} (transient) for {@link Disposition#RETRY}, a
   * {@link TargetErrorException} with {@link FileMpProvider#STATUS_MEDIUM_ERROR} for
   * {@link Disposition#TARGET_ERROR}; the same instance is reported for each of the
   * {@code n} commands. Scripts queue up in call order.
   *
   * @throws IllegalArgumentException if {@code n < 1} or {@code disposition} is SUCCESS
   */
  public FilePath failNext(int n, Disposition disposition, Throwable error) {
    Objects.requireNonNull(disposition, "disposition");
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1: " + n);
    }
    Throwable e = error != null ? error : defaultError(disposition);
    synchronized (injected) {
      injected.add(new Injected(disposition, e, n));
    }
    return this;
  }

  private Throwable defaultError(Disposition d) {
    switch (d) {
      case PATH_ERROR:
        return new IOException(name() + ": injected link failure");
      case RETRY:
        return new MpathException(name() + ": injected transient error");
      case TARGET_ERROR:
        return new TargetErrorException(name() + ": injected medium error",
            FileMpProvider.PROTOCOL, FileMpProvider.STATUS_MEDIUM_ERROR, 0);
      default:
        throw new IllegalArgumentException("cannot inject " + d);
    }
  }

  /** Every later command waits {@code delay} before the queue services it (zero: off). */
  public FilePath delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    this.delayNanos = delay.toNanos();
    return this;
  }

  /**
   * Sets the ALUA/ANA access state and tells the head. {@link AccessState#TRANSITIONING}
   * makes the head queue rather than fail when no other path is usable.
   */
  public FilePath accessState(AccessState state) {
    this.access = Objects.requireNonNull(state, "state");
    stateChanged();
    return this;
  }

  /** Drops scripted failures and the delay (the link and access states stay). */
  public FilePath clearFaults() {
    synchronized (injected) {
      injected.clear();
    }
    delayNanos = 0;
    return this;
  }

  /** Whether {@link #remove()} was called. */
  public boolean isRemoved() {
    return removed.get();
  }

  /** Commands submitted and not yet started or failed (for tests and listings). */
  public int outstanding() {
    return inFlight.size();
  }

  @Override
  public String toString() {
    return name() + " [" + state + "/" + access + "]";
  }

  // ------------------------------------------------------------------ reservations

  /**
   * Reservation commands through this path: run on the path's queue like I/O, failing with
   * {@link PathFailureException} when the path is not live (the head then tries another
   * path) and with {@link ReservationConflictException} when the device refuses.
   */
  private final class Reservations implements PathReservations {
    private final String host = target.host();

    private <T> CompletableFuture<T> run(Callable<T> command) {
      CompletableFuture<T> f = new CompletableFuture<>();
      if (state != PathState.LIVE) {
        f.completeExceptionally(new PathFailureException(name() + ": path is " + state));
        return f;
      }
      try {
        queue.execute(
            () -> {
              if (state != PathState.LIVE) {
                f.completeExceptionally(new PathFailureException(name() + ": path is " + state));
                return;
              }
              try {
                f.complete(command.call());
              } catch (Exception e) {
                f.completeExceptionally(e);
              }
            });
      } catch (RejectedExecutionException e) {
        f.completeExceptionally(new PathFailureException(name() + ": path removed"));
      }
      return f;
    }

    @Override
    public CompletableFuture<Void> register(
        long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
      return run(() -> {
        target.image().register(host, oldKey, newKey, ignoreExisting);
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> reserve(long key, ReservationType type) {
      return run(() -> {
        target.image().reserve(host, key, type);
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> release(long key, ReservationType type) {
      return run(() -> {
        target.image().release(host, key, type);
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> preempt(
        long key, long preemptKey, ReservationType type, boolean abort) {
      return run(() -> {
        target.image().preempt(host, key, preemptKey, type);
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> clear(long key) {
      return run(() -> {
        target.image().clear(host, key);
        return null;
      });
    }

    @Override
    public CompletableFuture<RegisteredKeys> readKeys() {
      return run(() -> target.image().keys());
    }

    @Override
    public CompletableFuture<Optional<Reservation>> readReservation() {
      return run(() -> target.image().reservation());
    }
  }
}
