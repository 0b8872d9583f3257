package dev.mpath.testing;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathReservations;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable path for head tests. Completions run on {@code completer} (a real thread
 * pool for concurrency tests, {@code Runnable::run} for deterministic ones), or are held
 * until {@link #release()} when {@link #hold(boolean)} is on.
 */
public final class FakePath implements ProviderPath {

  /** One scripted outcome: disposition and error, consumed by the next submission. */
  public record Outcome(Disposition disposition, Throwable error) {}

  private final FakeDisk disk;
  private final String transport;
  private final Executor completer;
  private volatile PathState state = PathState.LIVE;
  private volatile AccessState access = AccessState.OPTIMIZED;
  private volatile int locality;
  private volatile boolean preferred;
  private volatile Integer priority;
  private volatile boolean hold;
  private volatile boolean checkResult = true;
  private volatile boolean checkHangs;
  private final List<CompletableFuture<Boolean>> pendingChecks =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile PathReservations reservations;
  private volatile PathSink sink;
  private final ArrayDeque<Outcome> script = new ArrayDeque<>();
  private final ArrayDeque<IoRequest> held = new ArrayDeque<>();
  private final Set<IoRequest> pending = ConcurrentHashMap.newKeySet();
  public final AtomicInteger submitted = new AtomicInteger();
  public final AtomicInteger checks = new AtomicInteger();
  /** Every attempt object this path saw (only recorded when {@link #record} is on). */
  public final List<IoRequest> seen = java.util.Collections.synchronizedList(new ArrayList<>());
  public volatile boolean record;

  public FakePath(FakeDisk disk, String transport, Executor completer) {
    this.disk = disk;
    this.transport = transport;
    this.completer = completer;
  }

  void bind(PathSink sink) {
    this.sink = sink;
  }

  public PathSink sink() {
    return sink;
  }

  // ---- scripting

  public FakePath access(AccessState s) {
    this.access = s;
    changed();
    return this;
  }

  public FakePath state(PathState s) {
    this.state = s;
    changed();
    return this;
  }

  public FakePath locality(int l) {
    this.locality = l;
    changed();
    return this;
  }

  public FakePath preferred(boolean p) {
    this.preferred = p;
    changed();
    return this;
  }

  public FakePath priority(int p) {
    this.priority = p;
    changed();
    return this;
  }

  public FakePath hold(boolean h) {
    this.hold = h;
    return this;
  }

  public FakePath checkResult(boolean ok) {
    this.checkResult = ok;
    return this;
  }

  public FakePath reservations(PathReservations r) {
    this.reservations = r;
    return this;
  }

  /** The next {@code n} submissions end with this outcome instead of doing I/O. */
  public synchronized FakePath script(int n, Disposition d, Throwable error) {
    for (int i = 0; i < n; i++) {
      script.add(new Outcome(d, error));
    }
    return this;
  }

  /** Completes every held request (normally). */
  public void release() {
    List<IoRequest> out;
    synchronized (this) {
      out = new ArrayList<>(held);
      held.clear();
    }
    out.forEach(this::finish);
  }

  public synchronized int heldCount() {
    return held.size();
  }

  /**
   * The path dies: state FAILED, everything in flight (held or queued on the completer)
   * completes with PATH_ERROR, later submissions too.
   */
  public void kill() {
    state = PathState.FAILED;
    List<IoRequest> out;
    synchronized (this) {
      out = new ArrayList<>(held);
      held.clear();
    }
    for (IoRequest r : out) {
      if (pending.remove(r)) {
        sink.complete(r, Disposition.PATH_ERROR, new java.io.IOException(transport + " died"));
      }
    }
    for (IoRequest r : new ArrayList<>(pending)) {
      if (pending.remove(r)) {
        sink.complete(r, Disposition.PATH_ERROR, new java.io.IOException(transport + " died"));
      }
    }
    changed();
  }

  private void changed() {
    PathSink s = sink;
    if (s != null) {
      s.stateChanged();
    }
  }

  // ---- ProviderPath

  @Override
  public DeviceId deviceId() {
    return disk.id;
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public int blockSize() {
    return disk.blockSize;
  }

  @Override
  public long capacityBlocks() {
    return disk.blocks;
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
  public int priority() {
    Integer p = priority;
    return p != null ? p : ProviderPath.super.priority();
  }

  @Override
  public boolean preferred() {
    return preferred;
  }

  @Override
  public int locality() {
    return locality;
  }

  @Override
  public PathReservations reservations() {
    return reservations;
  }

  @Override
  public CompletableFuture<Boolean> check() {
    checks.incrementAndGet();
    if (checkHangs) {
      CompletableFuture<Boolean> never = new CompletableFuture<>();
      pendingChecks.add(never);
      return never;
    }
    return CompletableFuture.completedFuture(checkResult && state == PathState.LIVE);
  }

  /** Checks that never answer (a hung port's TEST UNIT READY), until {@code false}. */
  public FakePath checkHangs(boolean hangs) {
    this.checkHangs = hangs;
    return this;
  }

  /** Answers the checks left hanging with {@code ok} (a late answer). */
  public void answerPendingChecks(boolean ok) {
    List<CompletableFuture<Boolean>> l;
    synchronized (pendingChecks) {
      l = new ArrayList<>(pendingChecks);
      pendingChecks.clear();
    }
    l.forEach(f -> f.complete(ok));
  }

  @Override
  public void submit(IoRequest attempt) {
    submitted.incrementAndGet();
    if (record) {
      seen.add(attempt);
    }
    Outcome o;
    synchronized (this) {
      o = script.poll();
    }
    if (o != null) {
      completer.execute(() -> sink.complete(attempt, o.disposition(), o.error()));
      return;
    }
    if (state != PathState.LIVE) {
      completer.execute(
          () -> sink.complete(attempt, Disposition.PATH_ERROR, new java.io.IOException("down")));
      return;
    }
    pending.add(attempt);
    if (hold) {
      synchronized (this) {
        held.add(attempt);
      }
      return;
    }
    completer.execute(() -> finish(attempt));
  }

  private void finish(IoRequest attempt) {
    if (!pending.remove(attempt)) {
      return; // killed meanwhile: already completed with a path error
    }
    disk.apply(attempt);
    sink.complete(attempt, Disposition.SUCCESS, null);
  }
}
