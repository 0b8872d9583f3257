package dev.mpath.internal;

import dev.mpath.DeviceId;
import dev.mpath.IoOp;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.IoStats;
import dev.mpath.MpathException;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.NoPathException;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.Reservations;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.PathSelector;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The multipath head: one per WWID. Chooses a path per request from an immutable
 * {@link Snapshot} (no lock on the submit path), moves requests off failed paths, retries,
 * parks requests while no path is usable and drains them when one is, and outlives its
 * last path for the delayed-removal window.
 *
 * <p>Its parts: {@link Failover} (what an attempt that did not succeed leads to),
 * {@link NoPathQueue} (requests parked while no path is usable), {@link PathChecker} (the
 * periodic path checks), {@link CloneAttempt} (the attempt a clone-style provider is given)
 * and {@link HeadReservations}.
 *
 * <p>Locking: topology and state changes (attach, detach, refresh, fault, gate) take
 * {@code lock}, rebuild the snapshot and publish events; I/O never takes it.
 */
public final class Head implements MultipathDevice {
  /** The head's rate-limited log, shared by its parts (checker, queue). */
  static final RateLimitedLog LOG = new RateLimitedLog(Head.class, 1000);

  private final Engine engine;
  private final MultipathProvider provider;
  private final DeviceId id;
  private final String name;
  private final String alias;
  private final boolean cloneStyle;
  private final Scheduler scheduler;
  private final int blockSize;
  private final long capacityBlocks;

  private final Object lock = new Object();
  private volatile PathNode[] paths = new PathNode[0];
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile IoPolicy policy;
  private volatile PathSelector selector;
  /** Time each attempt (two clock reads per I/O) only for policies that use the latency. */
  private volatile boolean timeAttempts;
  private volatile Duration delayedRemoval;
  private volatile boolean present = true;
  private Scheduler.Cancellable removalTimer; // under lock

  private final NoPathQueue noPathQueue;
  private final Failover failover;
  final Counters counters = new Counters();
  private final HeadReservations reservations;
  private final PathChecker checker;

  Head(Engine engine, MultipathProvider provider, DeviceId id, String name, String alias,
      ProviderPath first, HeadConfig config) {
    this.engine = engine;
    this.provider = provider;
    this.id = id;
    this.name = name;
    this.alias = alias;
    this.cloneStyle = provider.failoverStyle() == FailoverStyle.CLONE;
    this.scheduler = engine.scheduler();
    this.blockSize = first.blockSize();
    this.capacityBlocks = first.capacityBlocks();
    this.failover = new Failover(this, scheduler, config.maxRetries());
    this.noPathQueue = new NoPathQueue(this, scheduler, config.queueTimeout().toNanos());
    this.delayedRemoval = config.delayedRemoval();
    this.policy = config.ioPolicy();
    this.selector = policy.newSelector(scheduler);
    this.timeAttempts = policy.usesLatency();
    this.reservations = new HeadReservations(this, provider.reservationFanout(), scheduler);
    this.checker = new PathChecker(this, reservations, scheduler, config.checkInterval().toNanos(),
        config.checkTimeout());
    if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
      throw new IllegalStateException(
          "path " + first.transport() + " reports block size " + blockSize);
    }
  }

  // ------------------------------------------------------------------ submit path

  @Override
  public void submit(IoRequest r) {
    Objects.requireNonNull(r, "request");
    IoOp op = r.op();
    if (op == null) {
      throw new IllegalArgumentException("request has no operation");
    }
    if (r.completion() == null) {
      throw new IllegalArgumentException("request has no completion");
    }
    int blocks = r.blocks();
    if (op.hasData()) {
      int bytes = r.buffer().remaining();
      if (bytes == 0 || (bytes & (blockSize - 1)) != 0) {
        throw new IllegalArgumentException(
            "buffer of " + bytes + " bytes is not a positive multiple of the block size "
                + blockSize);
      }
      blocks = bytes / blockSize;
      RequestState.setBlocks(r, blocks);
    }
    if (op.hasRange() && (r.lba() > capacityBlocks - blocks)) {
      throw new IllegalArgumentException(
          "blocks " + r.lba() + "+" + blocks + " beyond the device's " + capacityBlocks);
    }
    RequestState st = RequestState.of(r);
    if (st.inFlight) {
      throw new IllegalStateException("request is still in flight");
    }
    st.inFlight = true;
    st.head = this;
    st.retries = 0;
    st.failovers = 0;
    st.exhausted = 0;
    st.path = null;
    RequestState.setError(r, null);
    dispatch(r, st);
  }

  /** Sends {@code r} to a usable path, or parks or fails it. */
  void dispatch(IoRequest r, RequestState st) {
    if (!present) {
      fail(r, st, new NoPathException(name + ": device removed"));
      return;
    }
    PathTier tier = snapshot.best();
    int n = tier.size();
    if (n == 0) {
      noPathQueue.park(r, st);
      return;
    }
    int i = n == 1 ? 0 : selector.select(tier, r);
    start(tier.node(i < 0 || i >= n ? 0 : i), r, st);
  }

  /** Hands an attempt of {@code r} to {@code p}. */
  void start(PathNode p, IoRequest r, RequestState st) {
    st.path = p;
    p.inFlight.incrementAndGet();
    st.attemptStartNanos = timeAttempts ? scheduler.nanoTime() : 0L;
    IoRequest attempt = cloneStyle ? CloneAttempt.of(r, st) : r;
    try {
      p.path.submit(attempt);
    } catch (RuntimeException e) {
      onComplete(p, attempt, Disposition.PATH_ERROR, e, 0L);
    }
  }

  /** Every attempt of this head ends here (PathSink.complete / retry). */
  void onComplete(PathNode p, IoRequest attempt, Disposition d, Throwable error, long delayNanos) {
    RequestState ast = RequestState.of(attempt);
    IoRequest r = ast.parent != null ? ast.parent : attempt;
    RequestState st = RequestState.of(r);
    if (st.path != p || !st.inFlight) {
      LOG.warn("{}: ignoring a completion of {} from {} that does not own it", name, r, p.name);
      return;
    }
    st.path = null;
    if (d == Disposition.SUCCESS) {
      if (st.attemptStartNanos != 0L) {
        p.recordLatency(scheduler.nanoTime() - st.attemptStartNanos);
      }
      long bytes = r.op().hasData() ? (long) r.blocks() * blockSize : 0L;
      p.counters.success(bytes);
      counters.success(bytes);
      p.inFlight.decrementAndGet(); // after counting: in flight 0 means every I/O is counted
      finish(r, st, null);
      return;
    }
    p.inFlight.decrementAndGet();
    failover.failed(p, r, st, d, error, delayNanos);
  }

  /** Whether requests wait for a path while none may become usable (delayed removal is on). */
  boolean queueIfNoPath() {
    return !delayedRemoval.isZero();
  }

  /** Ends {@code r} for want of a path (counted as such). */
  void fail(IoRequest r, RequestState st, MpathException e) {
    counters.noPath.increment();
    finish(r, st, e);
  }

  /** Ends {@code r}: its completion runs, with {@code error} or none. */
  void finish(IoRequest r, RequestState st, Throwable error) {
    st.inFlight = false;
    st.path = null;
    RequestState.setError(r, error);
    try {
      r.completion().onComplete(r);
    } catch (RuntimeException e) {
      LOG.warn("{}: completion callback of {} threw {}", name, r, e.toString());
    }
  }

  // ------------------------------------------------------------------ topology

  /** Adds a path (called by the engine); cancels a pending delayed removal. */
  PathNode addPath(ProviderPath p) {
    PathNode node;
    synchronized (lock) {
      if (!present) {
        throw new IllegalStateException(name + " was removed");
      }
      if (p.blockSize() != blockSize) {
        throw new IllegalStateException(
            "path " + p.transport() + " reports block size " + p.blockSize() + " but "
                + name + " has " + blockSize);
      }
      int index = freeIndex();
      node = new PathNode(this, p, index, provider.pathName(name, index, p));
      p.attached(node);
      PathNode[] next = Arrays.copyOf(paths, paths.length + 1);
      next[next.length - 1] = node;
      Arrays.sort(next, Comparator.comparingInt(x -> x.index));
      paths = next;
      if (removalTimer != null) {
        removalTimer.cancel();
        removalTimer = null;
      }
      if (node.reportedUsable()) {
        reservations.gateIfNeeded(node);
      }
      rebuild();
      checker.ensure();
    }
    engine.publish(new MultipathEvent.PathAdded(this, node));
    return node;
  }

  private int freeIndex() {
    int i = 0;
    for (PathNode p : paths) {
      if (p.index != i) {
        break;
      }
      i++;
    }
    return i;
  }

  /** The provider reports a change: re-read its view of the path. */
  void refresh(PathNode node) {
    List<MultipathEvent> events = new ArrayList<>(2);
    synchronized (lock) {
      if (node.detached) {
        return;
      }
      boolean wasUsable = node.reportedUsable();
      var oldState = node.state;
      var oldAccess = node.access;
      node.state = node.path.state();
      node.access = node.path.accessState();
      node.priority = node.path.priority();
      node.preferred = node.path.preferred();
      if (oldState != node.state) {
        events.add(new MultipathEvent.PathStateChanged(this, node, oldState, node.state));
      }
      if (oldAccess != node.access) {
        events.add(new MultipathEvent.AccessStateChanged(this, node, oldAccess, node.access));
      }
      if (!wasUsable && node.reportedUsable()) {
        if (node.faulted) {
          node.faulted = false; // the provider brought it back: trust the new state
          events.add(new MultipathEvent.PathFaulted(this, node, false));
        }
        reservations.gateIfNeeded(node);
      }
      rebuild();
    }
    events.forEach(engine::publish);
  }

  /** Marks a path failed after an I/O path error; the checker reinstates it. */
  void fault(PathNode node, Throwable cause) {
    synchronized (lock) {
      if (node.faulted || node.detached) {
        return;
      }
      node.faulted = true;
      rebuild();
    }
    LOG.infoFor(node.name, "{}: path {} faulted: {}", name, node.name, String.valueOf(cause));
    engine.publish(new MultipathEvent.PathFaulted(this, node, true));
  }

  void detach(PathNode node) {
    boolean removeNow = false;
    synchronized (lock) {
      if (node.detached) {
        return;
      }
      node.detached = true;
      List<PathNode> rest = new ArrayList<>(Arrays.asList(paths));
      rest.remove(node);
      if (rest.isEmpty()) {
        // Settle the head's fate before anyone can see it without paths.
        checker.stop();
        Duration delay = delayedRemoval;
        if (delay.isZero()) {
          present = false;
          removeNow = true;
        } else {
          removalTimer =
              scheduler.schedule(this::expire, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
      }
      paths = rest.toArray(new PathNode[0]);
      rebuild();
    }
    engine.publish(new MultipathEvent.PathRemoved(this, node));
    if (removeNow) {
      removed();
    }
  }

  private void expire() {
    synchronized (lock) {
      if (paths.length > 0 || !present) {
        return;
      }
      present = false;
      removalTimer = null;
    }
    LOG.info("{}: no path returned within delayed removal of {} s; removing the head",
        name, delayedRemoval.toSeconds());
    removed();
  }

  private void removed() {
    engine.removed(this);
    noPathQueue.failAll();
  }

  /** Closes the head at shutdown: it is removed, queued I/O fails. */
  void close() {
    synchronized (lock) {
      if (!present) {
        return;
      }
      present = false;
      if (removalTimer != null) {
        removalTimer.cancel();
      }
      checker.stop();
    }
    removed();
  }

  /** Rebuilds the snapshot from the paths; under lock. */
  void rebuild() {
    List<PathNode> opt = new ArrayList<>();
    List<PathNode> nonOpt = new ArrayList<>();
    boolean may = false;
    for (PathNode p : paths) {
      if (p.usable()) {
        (p.access == dev.mpath.AccessState.OPTIMIZED ? opt : nonOpt).add(p);
      } else if (p.state.mayRecover()
          || (p.state == PathState.LIVE
              && (p.access.mayBecomeActive()
                  || (p.access.isActive() && (p.faulted || p.gated))
                  || (p.access == dev.mpath.AccessState.STANDBY && !p.faulted
                      && p.path.canActivate())))) {
        may = true;
      }
    }
    Comparator<PathNode> order =
        Comparator.<PathNode>comparingInt(p -> p.preferred ? 0 : 1)
            .thenComparing(Comparator.<PathNode>comparingInt(p -> p.priority).reversed())
            .thenComparingInt(p -> p.index);
    opt.sort(order);
    nonOpt.sort(order);
    Snapshot s =
        new Snapshot(
            opt.isEmpty() ? PathTier.EMPTY : new PathTier(opt.toArray(new PathNode[0])),
            nonOpt.isEmpty() ? PathTier.EMPTY : new PathTier(nonOpt.toArray(new PathNode[0])),
            may);
    snapshot = s;
    selector.pathsChanged(s.optimized, s.nonOptimized);
    activateStandbyPaths(s);
    noPathQueue.changed(); // drains to the new paths, or fails what can no longer wait
  }

  /**
   * With no usable path, asks live standby paths to activate (once per episode, like
   * dm-multipath's pg_init); under lock, the calls themselves run on the scheduler.
   */
  private void activateStandbyPaths(Snapshot s) {
    for (PathNode p : paths) {
      if (s.hasUsable() || p.access != dev.mpath.AccessState.STANDBY) {
        p.activationRequested = false;
      } else if (p.state == PathState.LIVE && !p.faulted && !p.detached && !p.activationRequested) {
        p.activationRequested = true;
        scheduler.schedule(
            () -> {
              try {
                p.path.activate();
              } catch (RuntimeException e) {
                LOG.warn("{}: activating {} failed: {}", name, p.name, e.toString());
              }
            },
            0, TimeUnit.NANOSECONDS);
      }
    }
  }

  // ------------------------------------------------------------------ for HeadReservations, PathChecker, NoPathQueue

  Object lock() {
    return lock;
  }

  PathNode[] pathNodes() {
    return paths;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  void publish(MultipathEvent e) {
    engine.publish(e);
  }

  // ------------------------------------------------------------------ MultipathDevice

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<String> alias() {
    return Optional.ofNullable(alias);
  }

  @Override
  public DeviceId id() {
    return id;
  }

  @Override
  public String protocol() {
    return provider.name();
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long capacityBlocks() {
    return capacityBlocks;
  }

  @Override
  public List<PathInfo> paths() {
    return List.of(paths);
  }

  @Override
  public boolean isPresent() {
    return present;
  }

  @Override
  public IoPolicy ioPolicy() {
    return policy;
  }

  @Override
  public void ioPolicy(IoPolicy newPolicy) {
    Objects.requireNonNull(newPolicy, "policy");
    PathSelector next = newPolicy.newSelector(scheduler);
    synchronized (lock) {
      Snapshot s = snapshot;
      next.pathsChanged(s.optimized, s.nonOptimized);
      policy = newPolicy;
      timeAttempts = newPolicy.usesLatency();
      selector = next; // submitters pick it up on their next request
    }
  }

  @Override
  public Duration delayedRemoval() {
    return delayedRemoval;
  }

  @Override
  public void delayedRemoval(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delayed removal: " + delay);
    }
    synchronized (lock) {
      delayedRemoval = delay;
      noPathQueue.changed(); // queue-if-no-path may just have been turned off
    }
  }

  @Override
  public int queued() {
    return noPathQueue.size();
  }

  @Override
  public IoStats stats() {
    return counters.snapshot();
  }

  @Override
  public Reservations reservations() {
    return reservations;
  }

  @Override
  public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
    return async(new IoRequest().read(lba, dst));
  }

  @Override
  public CompletableFuture<Void> write(long lba, ByteBuffer src) {
    return async(new IoRequest().write(lba, src));
  }

  @Override
  public CompletableFuture<Void> flush() {
    return async(new IoRequest().flush());
  }

  @Override
  public CompletableFuture<Void> writeZeroes(long lba, int blocks) {
    return async(new IoRequest().writeZeroes(lba, blocks));
  }

  @Override
  public CompletableFuture<Void> discard(long lba, int blocks) {
    return async(new IoRequest().discard(lba, blocks));
  }

  private CompletableFuture<Void> async(IoRequest r) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    r.completion(
        done -> {
          Throwable e = done.error();
          if (e == null) {
            f.complete(null);
          } else {
            f.completeExceptionally(e);
          }
        });
    try {
      submit(r);
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public String toString() {
    return name + " (" + id + ")";
  }
}
