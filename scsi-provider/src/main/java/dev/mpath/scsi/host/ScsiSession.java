package dev.mpath.scsi.host;

import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.Scheduler;
import dev.mpath.spi.TagTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
  /** Commands sent and not answered yet; a command's tag is its slot's tag. */
  private final TagTable<Command> pending = new TagTable<>(16, Command::new);
  /** Error handling (a timed-out command's escalation) is under way: one at a time. */
  private final java.util.concurrent.atomic.AtomicBoolean recovering =
      new java.util.concurrent.atomic.AtomicBoolean();
  private boolean sweeping; // under lock

  /**
   * A command sent and not answered yet, in a reusable slot: who hears the answer (a path's
   * I/O attempt, or a future for everything else) and two CDB arrays a READ or WRITE is laid
   * out in, so that an I/O allocates nothing.
   */
  static final class Command extends TagTable.Slot {
    final byte[] cdb10 = new byte[10];
    final byte[] cdb16 = new byte[16];
    int lun;
    long deadline;
    CompletableFuture<ScsiResult> future;
    ScsiPath path;
    IoRequest attempt;
    int expected;

    void clear() {
      future = null;
      path = null;
      attempt = null;
    }
  }
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
    Command c = command();
    if (c == null) {
      return CompletableFuture.failedFuture(new PathFailureException(address + ": nexus not live"));
    }
    CompletableFuture<ScsiResult> f = new CompletableFuture<>();
    c.future = f;
    send(c, lun, cdb, data, dataLength);
    return f;
  }

  /**
   * A slot for one command (its CDB arrays free to fill), or null when the nexus is not
   * live. {@link #send} sends it; nothing else gives it back.
   */
  Command command() {
    if (transport == null || state != PathState.LIVE) {
      return null;
    }
    return pending.acquire();
  }

  /**
   * Sends {@code c}'s command, answered to {@code path} for {@code attempt} (the I/O path:
   * nothing allocated), which hears exactly once, also when the nexus is lost.
   */
  void send(Command c, ScsiPath path, IoRequest attempt, int expected, int lun, byte[] cdb,
      ByteBuffer data, int dataLength) {
    c.path = path;
    c.attempt = attempt;
    c.expected = expected;
    send(c, lun, cdb, data, dataLength);
  }

  private void send(Command c, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    int tag = c.tag();
    c.lun = lun;
    c.deadline = scheduler.nanoTime() + options.commandTimeout().toNanos();
    ScsiTransport t = transport;
    if (t == null || state != PathState.LIVE) { // lost meanwhile: failAll may have missed this one
      fail(tag, "nexus lost");
      return;
    }
    t.execute(tag, lun, cdb, data, dataLength);
  }

  /** Delivers the answer to command {@code tag} unless someone else ended it. */
  private void answer(long tag, int status, byte[] sense, int transferred, int residual) {
    if (tag < 0 || tag > Integer.MAX_VALUE) {
      return;
    }
    Command c = pending.claim((int) tag);
    if (c == null) {
      return;
    }
    CompletableFuture<ScsiResult> f = c.future;
    ScsiPath path = c.path;
    IoRequest attempt = c.attempt;
    int expected = c.expected;
    c.clear();
    pending.free(c); // before the answer: its completion may send the next command in this slot
    if (f != null) {
      f.complete(new ScsiResult(status, sense, transferred, residual));
    } else {
      path.completed(attempt, status, sense, transferred, residual, expected);
    }
  }

  /** Fails command {@code tag} with a path error unless someone else ended it. */
  private void fail(int tag, String why) {
    Command c = pending.claim(tag);
    if (c == null) {
      return;
    }
    CompletableFuture<ScsiResult> f = c.future;
    ScsiPath path = c.path;
    IoRequest attempt = c.attempt;
    c.clear();
    pending.free(c);
    PathFailureException e = new PathFailureException(address + ": " + why);
    if (f != null) {
      f.completeExceptionally(e);
    } else {
      path.failed(attempt, e);
    }
  }

  private final class Handler implements ResponseHandler {
    final int epoch;

    Handler(int epoch) {
      this.epoch = epoch;
    }

    @Override
    public void response(long tag, int status, byte[] sense, int transferred, int residual) {
      answer(tag, status, sense, transferred, residual);
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
    pending.forEachOutstanding(c -> fail(c.tag(), why));
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
      int[] overdue = {TagTable.FREE, 0};
      pending.forEachOutstanding(c -> {
        int tag = c.tag();
        int lun = c.lun;
        if (overdue[0] == TagTable.FREE && now - c.deadline > 0 && c.tag() == tag) {
          overdue[0] = tag;
          overdue[1] = lun;
        }
      });
      if (overdue[0] != TagTable.FREE) {
        ScsiTransport t = transport;
        int e;
        synchronized (lock) {
          e = epoch;
        }
        if (t != null && recovering.compareAndSet(false, true)) {
          recover(t, e, overdue[0], overdue[1]);
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
  private void recover(ScsiTransport t, int e, int tag, int lun) {
    LOG.warn("{}: command {} to LUN {} not answered within {} ms; ABORT TASK", address, tag,
        lun, options.commandTimeout().toMillis());
    t.abortTask(tag, lun)
        .orTimeout(options.abortTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((aborted, err) -> {
          if (Boolean.TRUE.equals(aborted)) {
            fail(tag, "command aborted (ABORT TASK) after " + options.commandTimeout().toMillis() + " ms");
            recovering.set(false);
            return;
          }
          LOG.warn("{}: ABORT TASK of command {} failed ({}); LOGICAL UNIT RESET of LUN {}",
              address, tag, err != null ? err.toString() : "not complete", lun);
          t.lunReset(lun)
              .orTimeout(options.luResetTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .whenComplete((reset, err2) -> {
                if (Boolean.TRUE.equals(reset)) {
                  pending.forEachOutstanding(x -> {
                    int xt = x.tag();
                    if (x.lun == lun) {
                      fail(xt, "command aborted by LOGICAL UNIT RESET after a command timeout");
                    }
                  });
                  recovering.set(false);
                  return;
                }
                recovering.set(false);
                lost(e, "command timeout: ABORT TASK and LOGICAL UNIT RESET of LUN " + lun
                    + " failed (" + (err2 != null ? err2.toString() : "not complete") + ")");
              });
        });
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
