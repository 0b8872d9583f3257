package dev.mpath.scsi.host;

import dev.mpath.PathState;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I_T nexus: a login through a transport, the commands outstanding on it, and the
 * reconnect loop after a loss (open-iscsi style: the paths report CONNECTING, so the head
 * queues, until the replacement timeout). When the replacement timeout expires, the
 * session's paths are removed from their heads (the {@link Owner} does it; a head that
 * loses its last path starts its delayed-removal window) while logins keep being tried;
 * a later login hands the LUNs back to the owner to be found again. Thread-safe.
 */
public final class ScsiSession {
  private static final Logger LOG = LoggerFactory.getLogger(ScsiSession.class);

  /** What the provider does when the session's paths must go or may come back. */
  interface Owner {
    /** The replacement timeout expired: remove the session's paths. */
    void replacementTimeoutExpired(ScsiSession s);

    /** Logged in again after its paths were removed: find these LUNs again. */
    void returned(ScsiSession s, List<Integer> luns);

    /** A path saw REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh): look at the target's LUNs again. */
    default void lunsChanged(ScsiSession s) {}
  }

  /** The nexus in one spelling (target port and initiator side): two sessions never share it. */
  final String key;
  private final Supplier<ScsiTransport> transports;
  private final Owner owner;
  private final Scheduler scheduler;
  private final ScsiHostOptions options;
  private final AtomicLong tags = new AtomicLong();
  private final Map<Long, Outstanding> pending = new ConcurrentHashMap<>();
  /** Error handling (a timed-out command's escalation) is under way: one at a time. */
  private final java.util.concurrent.atomic.AtomicBoolean recovering =
      new java.util.concurrent.atomic.AtomicBoolean();
  private boolean sweeping; // under lock

  /** A command sent and not answered yet. */
  private record Outstanding(long tag, int lun, CompletableFuture<ScsiResult> future,
      long deadline) {}
  final List<ScsiPath> paths = new CopyOnWriteArrayList<>();
  /** LUNs whose paths were removed at a replacement timeout, to find again at the next login. */
  private final List<Integer> removedLuns = new ArrayList<>(); // under lock

  private final Object lock = new Object();
  private volatile PathState state = PathState.CONNECTING;
  private volatile ScsiTransport transport;
  private volatile String address = "";
  private int epoch; // under lock
  private long lostAt; // under lock, 0 when not lost
  private boolean closed; // under lock
  private Scheduler.Cancellable retry; // under lock

  ScsiSession(String key, Supplier<ScsiTransport> transports, Owner owner, Scheduler scheduler,
      ScsiHostOptions options) {
    this.key = key;
    this.transports = transports;
    this.owner = owner;
    this.scheduler = scheduler;
    this.options = options;
  }

  /** The options the session was made with (the provider's, or its URI's). */
  ScsiHostOptions options() {
    return options;
  }

  /** The nexus state. */
  public PathState state() {
    return state;
  }

  /** Where the nexus goes. */
  public String address() {
    return address;
  }

  /** The paths (one per LU) through this nexus. */
  public List<ScsiPath> paths() {
    return List.copyOf(paths);
  }

  /** The first login. */
  CompletableFuture<Void> start() {
    startSweep();
    return login();
  }

  private CompletableFuture<Void> login() {
    ScsiTransport t = transports.get();
    int e;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new PathFailureException("session closed"));
      }
      e = ++epoch;
      address = t.address();
    }
    return t.login(new Handler(e)).thenRun(() -> {
      boolean ok;
      synchronized (lock) {
        ok = e == epoch && !closed;
        if (ok) {
          transport = t;
          state = PathState.LIVE;
          lostAt = 0;
        }
      }
      if (!ok) {
        t.close();
        throw new java.util.concurrent.CompletionException(new PathFailureException("login superseded"));
      }
      LOG.info("{}: logged in", address);
      paths.forEach(ScsiPath::sessionUp);
      List<Integer> back;
      synchronized (lock) {
        back = List.copyOf(removedLuns);
        removedLuns.clear();
      }
      if (!back.isEmpty()) {
        owner.returned(this, back);
      }
    });
  }

  /** Executes one command; completes exceptionally with PathFailureException on a loss. */
  CompletableFuture<ScsiResult> execute(int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    ScsiTransport t = transport;
    if (t == null || state != PathState.LIVE) {
      return CompletableFuture.failedFuture(new PathFailureException(address + ": nexus not live"));
    }
    long tag = tags.incrementAndGet();
    CompletableFuture<ScsiResult> f = new CompletableFuture<>();
    pending.put(tag, new Outstanding(tag, lun, f,
        scheduler.nanoTime() + options.commandTimeout().toNanos()));
    if (transport != t) { // lost meanwhile: failAll may have missed this one
      Outstanding o = pending.remove(tag);
      if (o != null) {
        o.future().completeExceptionally(new PathFailureException(address + ": nexus lost"));
      }
      return f;
    }
    t.execute(tag, lun, cdb, data, dataLength);
    return f;
  }

  private final class Handler implements ResponseHandler {
    final int epoch;

    Handler(int epoch) {
      this.epoch = epoch;
    }

    @Override
    public void response(long tag, int status, byte[] sense, int transferred, int residual) {
      Outstanding o = pending.remove(tag);
      if (o != null) {
        o.future().complete(new ScsiResult(status, sense, transferred, residual));
      }
    }

    @Override
    public void disconnected(String reason) {
      lost(epoch, reason);
    }
  }

  /** The nexus is gone: fail what is outstanding and start logging in again. */
  void lost(int seen, String reason) {
    ScsiTransport t;
    synchronized (lock) {
      if (seen != epoch || closed || state != PathState.LIVE) {
        return;
      }
      t = transport;
      transport = null;
      epoch++;
      state = PathState.CONNECTING;
      lostAt = scheduler.nanoTime() | 1;
    }
    LOG.warn("{}: nexus lost ({}); logging in again", address, reason);
    if (t != null) {
      t.close();
    }
    failAll("nexus lost: " + reason);
    paths.forEach(ScsiPath::changed);
    scheduleLogin(0);
  }

  /** Drops the nexus as after a loss (test and admin hook). */
  public void drop(String reason) {
    int e;
    synchronized (lock) {
      e = epoch;
    }
    lost(e, reason);
  }

  private void failAll(String why) {
    for (Long tag : pending.keySet()) {
      Outstanding o = pending.remove(tag);
      if (o != null) {
        o.future().completeExceptionally(new PathFailureException(address + ": " + why));
      }
    }
  }

  // ------------------------------------------------------------------ command timeouts

  /**
   * Starts the periodic look for commands past the command timeout, on the shared
   * scheduler (no thread or timer per command). Idempotent.
   */
  private void startSweep() {
    synchronized (lock) {
      if (sweeping || closed) {
        return;
      }
      sweeping = true;
    }
    scheduleSweep();
  }

  private void scheduleSweep() {
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
        Math.min(TimeUnit.SECONDS.toNanos(1), options.commandTimeout().toNanos() / 20));
    scheduler.schedule(this::sweep, period, TimeUnit.NANOSECONDS);
  }

  private void sweep() {
    synchronized (lock) {
      if (closed) {
        sweeping = false;
        return;
      }
    }
    if (!recovering.get()) {
      long now = scheduler.nanoTime();
      for (Outstanding o : pending.values()) {
        if (now - o.deadline() > 0) {
          ScsiTransport t = transport;
          int e;
          synchronized (lock) {
            e = epoch;
          }
          if (t != null && recovering.compareAndSet(false, true)) {
            recover(t, e, o);
          }
          break;
        }
      }
    }
    scheduleSweep();
  }

  /**
   * The escalation for a command past its timeout, bounded at each step like Linux's SCSI
   * error handler: ABORT TASK; if that does not complete, LOGICAL UNIT RESET; if that does
   * not either, the session is dropped (every command fails over, logins start again). A
   * command given up fails with a path error, so the head clones its request onto another
   * path; nothing for it is delivered afterwards.
   */
  private void recover(ScsiTransport t, int e, Outstanding o) {
    LOG.warn("{}: command {} to LUN {} not answered within {} ms; ABORT TASK", address, o.tag(),
        o.lun(), options.commandTimeout().toMillis());
    t.abortTask(o.tag(), o.lun())
        .orTimeout(options.abortTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((aborted, err) -> {
          if (Boolean.TRUE.equals(aborted)) {
            giveUp(o, "aborted (ABORT TASK) after " + options.commandTimeout().toMillis() + " ms");
            recovering.set(false);
            return;
          }
          LOG.warn("{}: ABORT TASK of command {} failed ({}); LOGICAL UNIT RESET of LUN {}",
              address, o.tag(), err != null ? err.toString() : "not complete", o.lun());
          t.lunReset(o.lun())
              .orTimeout(options.luResetTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .whenComplete((reset, err2) -> {
                if (Boolean.TRUE.equals(reset)) {
                  for (Outstanding x : pending.values()) {
                    if (x.lun() == o.lun()) {
                      giveUp(x, "aborted by LOGICAL UNIT RESET after a command timeout");
                    }
                  }
                  recovering.set(false);
                  return;
                }
                recovering.set(false);
                lost(e, "command timeout: ABORT TASK and LOGICAL UNIT RESET of LUN " + o.lun()
                    + " failed (" + (err2 != null ? err2.toString() : "not complete") + ")");
              });
        });
  }

  private void giveUp(Outstanding o, String why) {
    if (pending.remove(o.tag(), o)) {
      o.future().completeExceptionally(new PathFailureException(address + ": command " + why));
    }
  }

  private void scheduleLogin(long delayMillis) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      retry = scheduler.schedule(this::retryLogin, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void retryLogin() {
    login().whenComplete((v, e) -> {
      if (e == null) {
        return;
      }
      boolean expired;
      synchronized (lock) {
        if (closed) {
          return;
        }
        expired = lostAt != 0
            && scheduler.nanoTime() - lostAt >= options.replacementTimeout().toNanos();
        if (expired && state != PathState.FAILED) {
          state = PathState.FAILED; // stop queueing for this nexus; keep trying to log in
        } else {
          expired = false;
        }
      }
      if (expired) {
        LOG.warn("{}: replacement timeout of {} s expired; removing its paths, still logging in",
            address, options.replacementTimeout().toSeconds());
        owner.replacementTimeoutExpired(this);
      }
      scheduleLogin(options.reconnectDelay().toMillis());
    });
  }

  /** Carries every LUN of its target (a whole-target connect): a rescan adds new LUNs. */
  volatile boolean wholeTarget;
  /** A rescan runs, and another was asked for while it ran (the provider's). */
  final java.util.concurrent.atomic.AtomicBoolean rescanning =
      new java.util.concurrent.atomic.AtomicBoolean();
  final java.util.concurrent.atomic.AtomicBoolean rescanAgain =
      new java.util.concurrent.atomic.AtomicBoolean();
  /** Connects under way through this session (the provider's, under its lock). */
  int users;

  /** A path of this session saw REPORTED LUNS DATA HAS CHANGED. */
  void lunsChanged() {
    owner.lunsChanged(this);
  }

  /** Notes LUNs whose paths were removed, to be found again at the next login. */
  void removed(List<Integer> luns) {
    synchronized (lock) {
      for (int lun : luns) {
        if (!removedLuns.contains(lun)) {
          removedLuns.add(lun);
        }
      }
    }
  }

  /** Logs out for good. */
  void close() {
    ScsiTransport t;
    synchronized (lock) {
      closed = true;
      t = transport;
      transport = null;
      state = PathState.DELETING;
      if (retry != null) {
        retry.cancel();
      }
    }
    if (t != null) {
      t.close();
    }
    failAll("session closed");
  }
}
