package dev.mpath.nvme.host;

import dev.mpath.AccessState;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.AsyncEventRequestCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.KeepAliveCommand;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host controller: an association with a target controller through one transport,
 * after the Linux NVMe host core and fabrics code.
 *
 * <p>Connect: Fabrics Connect (admin), CC.EN = 1 and wait for CSTS.RDY, Identify
 * Controller, enable ANA-change and namespace-attribute notices, Set Features Number of
 * Queues and connect that many I/O queues (one per processor by default, of the configured
 * depth within CAP.MQES),
 * read the ANA log, scan namespaces (Identify active list, Identify Namespace and its
 * identification descriptors), then LIVE: Keep Alive every KATO/2 and one Asynchronous
 * Event Request outstanding.
 *
 * <p>Errors (transport loss, Keep Alive timeout, ANATT expiry): RESETTING (every
 * outstanding command fails, I/O with a path error so the head redirects it), then
 * CONNECTING with a retry every reconnect delay until the controller loss timeout, when
 * the controller is deleted and its paths detach. After the fast I/O fail timeout its
 * paths report FAILED so the head stops queueing for them.
 *
 * <p>Threading: completions arrive on the transport's threads; state changes take
 * {@code lock}; the I/O path takes only the command table's short lock. A submission goes
 * to the I/O queue of its thread: the one the transport serves on that thread, else one
 * fixed per thread.
 */
public final class HostController {
  private static final Logger LOG = LoggerFactory.getLogger(HostController.class);
  /** Shared with {@link Association}: one rate limit for what a target can trigger at will. */
  static final RateLimitedLog RLOG = new RateLimitedLog(HostController.class, 1000);

  static final int ADMIN_QUEUE_DEPTH = 32;
  /** Most I/O queues asked for, whatever {@code nr_io_queues} says. */
  static final int MAX_IO_QUEUES = 128;
  static final int IDENTIFY_LENGTH = 4096;
  /** ANATT used when the controller reports 0. */
  static final int DEFAULT_ANATT_SECONDS = 10;

  /** What the controller needs from the provider. */
  public interface Host {
    Scheduler scheduler();

    NvmeHostOptions options();

    /** Assigns the subsystem instance the first time a subsystem is identified. */
    int subsystemInstance(String subsystemNqn, int controllerInstance);

    /** A namespace found through this controller (create or refresh its path). */
    void namespaceFound(HostController ctrl, NamespaceInfo ns);

    /** A namespace this controller no longer reports. */
    void namespaceGone(HostController ctrl, int nsid);

    /** The controller is dead (deleted). */
    void controllerDeleted(HostController ctrl);
  }

  private final Host host;
  private final int instance;
  private final String subsystemNqn;
  private final Supplier<NvmeTransport> transports;
  private final Scheduler scheduler;
  private final NvmeHostOptions opts;
  private final ControllerSetup setup;
  private final NamespaceScan namespaces;
  private final AnaStates ana;

  private final Object lock = new Object();
  private volatile ControllerState state = ControllerState.NEW;
  private volatile boolean failFast;
  private Association assoc; // under lock
  private int epoch; // under lock
  private long lossStartNanos; // under lock; 0 = not lost
  private Scheduler.Cancellable keepAliveTimer;
  private Scheduler.Cancellable anattTimer;
  private Scheduler.Cancellable reconnectTimer;

  private volatile int cntlid = -1;
  private volatile int subsysInstance = -1;
  private volatile ControllerInfo info;
  private volatile String address = "";
  final Map<Integer, NvmeNamespacePath> paths = new ConcurrentHashMap<>();
  /** Error recoveries (resets) so far. */
  private final AtomicInteger resets = new AtomicInteger();
  private volatile String lastResetReason;

  /** The identify fields the host uses. */
  record ControllerInfo(
      int vid, String serial, String model, int cmic, int oaes, int kas, int anatt,
      int anagrpmax, int nn, int oncs, int aerl, int[] crdt, long maxTransferBytes) {
    boolean anaReporting() {
      return (cmic & IdentifyController.CMIC_ANA_REPORTING) != 0;
    }
  }

  public HostController(
      Host host, int instance, String subsystemNqn, Supplier<NvmeTransport> transports) {
    this(host, instance, subsystemNqn, transports, host.options());
  }

  /** With options of its own (a URI's command timeouts). */
  public HostController(Host host, int instance, String subsystemNqn,
      Supplier<NvmeTransport> transports, NvmeHostOptions opts) {
    this.host = host;
    this.instance = instance;
    this.subsystemNqn = subsystemNqn;
    this.transports = transports;
    this.scheduler = host.scheduler();
    this.opts = opts;
    this.setup = new ControllerSetup(instance, subsystemNqn, opts);
    this.namespaces = new NamespaceScan(this, host);
    this.ana = new AnaStates(this);
  }

  // ------------------------------------------------------------------ accessors

  public int instance() {
    return instance;
  }

  public int cntlid() {
    return cntlid;
  }

  public int subsystemInstance() {
    return subsysInstance;
  }

  public String subsystemNqn() {
    return subsystemNqn;
  }

  public ControllerState state() {
    return state;
  }

  public String address() {
    return address;
  }

  /** Model number from Identify Controller, or empty before it. */
  public String model() {
    ControllerInfo ci = info;
    return ci == null ? "" : ci.model();
  }

  /** Serial number from Identify Controller, or empty before it. */
  public String serial() {
    ControllerInfo ci = info;
    return ci == null ? "" : ci.serial();
  }

  /** The namespace paths through this controller, by NSID. */
  public java.util.Map<Integer, NvmeNamespacePath> namespacePaths() {
    return java.util.Map.copyOf(paths);
  }

  /** The path state the controller's namespaces have now. */
  PathState pathState() {
    return state.pathState(failFast);
  }

  /** The access state of ANA group {@code grpid} through this controller. */
  AccessState accessState(int grpid) {
    return ana.accessState(grpid);
  }

  /** ANA log pages read so far. */
  public int anaLogReads() {
    return ana.reads();
  }

  /** Error recoveries so far. */
  public int resets() {
    return resets.get();
  }

  /** Why the last error recovery happened, or null before the first. */
  public String lastResetReason() {
    return lastResetReason;
  }

  /** The identify fields of the current association, or null before Identify. */
  ControllerInfo info() {
    return info;
  }

  // ------------------------------------------------------------------ connect

  /** First connect; completes when LIVE, or fails (and the controller is dead). */
  public CompletableFuture<Void> start() {
    CompletableFuture<Void> f = attempt(new int[1]);
    return f.whenComplete(
        (v, e) -> {
          if (e != null) {
            delete("initial connect failed: " + cause(e).getMessage());
          }
        });
  }

  /** One association attempt; {@code epochOut[0]} gets the epoch it runs under. */
  private CompletableFuture<Void> attempt(int[] epochOut) {
    Association a;
    synchronized (lock) {
      if (state == ControllerState.DELETING || state == ControllerState.DEAD) {
        return CompletableFuture.failedFuture(new PathFailureException("controller deleted"));
      }
      a = new Association(this, ++epoch, transports.get(), scheduler, opts);
      epochOut[0] = a.epoch;
      assoc = a;
      a.timer.start();
      state = ControllerState.CONNECTING;
      address = a.transport.address();
    }
    notifyPaths();
    NvmeTransport t = a.transport;
    return t.connectAdmin(subsystemNqn, opts.hostNqn(), opts.hostId(), opts.katoMillis(), a.adminHandler)
        .thenCompose(id -> {
          cntlid = id;
          return ControllerEnable.enable(t, scheduler, scheduler.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        })
        .thenAccept(cap -> a.cap = cap)
        .thenCompose(v -> setup.identifyController(a, ci -> info = ci))
        .thenRun(() -> subsysInstance = host.subsystemInstance(subsystemNqn, instance))
        .thenCompose(v -> setup.enableNotices(a))
        .thenCompose(c -> setup.negotiateQueueCount(a))
        .thenCompose(n -> a.connectIoQueues(n, setup.ioQueueDepth(a.cap)))
        .thenCompose(v -> info.anaReporting() ? ana.read(a) : CompletableFuture.completedFuture(null))
        .thenCompose(v -> namespaces.scan(a))
        .thenRun(() -> goLive(a))
        .whenComplete((v, e) -> {
          if (e != null) {
            a.close();
          }
        });
  }

  /** I/O queues connected now (0 before LIVE). */
  public int ioQueueCount() {
    Association a = assoc;
    return a == null ? 0 : a.ioQueues.length;
  }

  /** Commands issued on each I/O queue of the current association, qid 1 first. */
  public long[] ioQueueCommands() {
    Association a = assoc;
    if (a == null) {
      return new long[0];
    }
    Association.IoQueue[] qs = a.ioQueues;
    long[] n = new long[qs.length];
    for (int i = 0; i < qs.length; i++) {
      n[i] = qs[i].table.issued();
    }
    return n;
  }

  /** Entries of each I/O queue (0 before LIVE). */
  public int ioQueueEntries() {
    Association a = assoc;
    return a == null || a.ioQueues.length == 0 ? 0 : a.ioQueues[0].table.size();
  }

  private void goLive(Association a) {
    synchronized (lock) {
      if (a.epoch != epoch || state != ControllerState.CONNECTING) {
        throw new CompletionException(new PathFailureException("association replaced"));
      }
      state = ControllerState.LIVE;
      failFast = false;
      lossStartNanos = 0;
      if (opts.katoMillis() > 0) {
        scheduleKeepAlive(a);
      }
    }
    submitAer(a);
    notifyPaths();
    LOG.info("nvme{}: live, cntlid {} via {}", instance, cntlid, address);
  }

  // ------------------------------------------------------------------ ANA

  /** The current association while LIVE, else null. */
  Association liveAssociation() {
    Association a;
    synchronized (lock) {
      a = assoc;
    }
    if (a == null || state != ControllerState.LIVE) {
      return null;
    }
    return a;
  }

  /**
   * An ANA log page was applied ({@link AnaStates}): the ANATT timer runs while a group is in
   * change (for the association that read it, if still current); the paths look again.
   */
  void anaApplied(Association a, boolean inChange) {
    synchronized (lock) {
      if (inChange && anattTimer == null && a.epoch == epoch) {
        int anatt = info.anatt() > 0 ? info.anatt() : DEFAULT_ANATT_SECONDS;
        anattTimer = scheduler.schedule(() -> anattExpired(a), anatt, TimeUnit.SECONDS);
      } else if (!inChange && anattTimer != null) {
        anattTimer.cancel();
        anattTimer = null;
      }
    }
    notifyPaths();
  }

  private void anattExpired(Association a) {
    synchronized (lock) {
      anattTimer = null;
    }
    if (ana.inChange()) {
      LOG.warn("nvme{}: ANA group still in change after ANATT: resetting", instance);
      error(a, "ANATT expired");
    }
  }

  // ------------------------------------------------------------------ keep alive and AEN

  private void scheduleKeepAlive(Association a) {
    long interval = Math.max(1, opts.katoMillis() / 2);
    keepAliveTimer = scheduler.schedule(() -> keepAlive(a), interval, TimeUnit.MILLISECONDS);
  }

  private void keepAlive(Association a) {
    synchronized (lock) {
      if (a.epoch != epoch || state != ControllerState.LIVE) {
        return;
      }
      long since = a.keepAliveSince;
      if (since != 0 && scheduler.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(opts.katoMillis())) {
        keepAliveTimer = null;
      } else {
        scheduleKeepAlive(a);
        if (since == 0) {
          a.keepAliveSince = scheduler.nanoTime() | 1;
          a.admin(sqe -> KeepAliveCommand.fill(sqe, sqe.cid()), null)
              .whenComplete((c, e) -> a.keepAliveSince = 0);
        }
        return;
      }
    }
    error(a, "keep alive timeout");
  }

  private void submitAer(Association a) {
    a.admin(sqe -> AsyncEventRequestCommand.fill(sqe, sqe.cid()), null)
        .whenComplete(
            (c, e) -> {
              if (e != null || NvmeStatus.code(c.statusField()) != 0) {
                return; // aborted with the association, or refused: no more events
              }
              AsyncEvent ev = AsyncEvent.fromDw0(c.dw0());
              submitAer(a);
              if (ev.type() == AsyncEvent.TYPE_NOTICE && ev.info() == AsyncEvent.NOTICE_ANA_CHANGE) {
                ana.scheduleRead();
              } else if (ev.type() == AsyncEvent.TYPE_NOTICE
                  && ev.info() == AsyncEvent.NOTICE_NAMESPACE_ATTRIBUTE_CHANGED) {
                namespaces.rescan(a);
              }
            });
  }

  /** Path checker: the controller is live and its keep alive is not overdue. */
  CompletableFuture<Boolean> check() {
    return CompletableFuture.completedFuture(state == ControllerState.LIVE);
  }

  // ------------------------------------------------------------------ errors and reconnect

  /** The association failed: reset, fail what is outstanding, and reconnect. */
  void error(Association a, String reason) {
    synchronized (lock) {
      if (a.epoch != epoch || (state != ControllerState.LIVE && state != ControllerState.CONNECTING)) {
        return;
      }
      state = ControllerState.RESETTING;
      assoc = null;
      epoch++;
      cancelTimers();
      if (lossStartNanos == 0) {
        lossStartNanos = scheduler.nanoTime() | 1;
      }
    }
    resets.incrementAndGet();
    lastResetReason = reason;
    LOG.warn("nvme{}: {}; resetting", instance, reason);
    a.close();
    a.failAll();
    notifyPaths();
    scheduleReconnect(0);
  }

  private void cancelTimers() {
    for (Scheduler.Cancellable c : new Scheduler.Cancellable[] {keepAliveTimer, anattTimer, reconnectTimer}) {
      if (c != null) {
        c.cancel();
      }
    }
    keepAliveTimer = null;
    anattTimer = null;
    reconnectTimer = null;
  }

  private void scheduleReconnect(long delayMillis) {
    synchronized (lock) {
      if (state == ControllerState.DELETING || state == ControllerState.DEAD) {
        return;
      }
      state = ControllerState.CONNECTING;
      reconnectTimer = scheduler.schedule(this::reconnect, delayMillis, TimeUnit.MILLISECONDS);
    }
    notifyPaths();
  }

  private void reconnect() {
    synchronized (lock) {
      reconnectTimer = null;
      if (state != ControllerState.CONNECTING) {
        return;
      }
    }
    int[] mine = new int[1];
    attempt(mine).whenComplete(
        (v, e) -> {
          if (e == null) {
            return;
          }
          long lost;
          synchronized (lock) {
            if (epoch != mine[0] || state != ControllerState.CONNECTING) {
              // a newer association owns recovery now (it may even be live): this failure
              // of an older one must neither delete the controller nor start a second
              // reconnect chain
              return;
            }
            lost = lossStartNanos == 0 ? 0 : scheduler.nanoTime() - lossStartNanos;
          }
          Duration loss = opts.ctrlLossTimeout();
          if (loss != null && lost >= loss.toNanos()) {
            delete("controller loss timeout (" + loss.toSeconds() + " s) expired");
            return;
          }
          Duration fast = opts.fastIoFailTimeout();
          if (fast != null && lost >= fast.toNanos() && !failFast) {
            failFast = true;
            notifyPaths();
          }
          LOG.info("nvme{}: reconnect failed ({}); next try in {} ms",
              instance, cause(e).getMessage(), opts.reconnectDelay().toMillis());
          scheduleReconnect(opts.reconnectDelay().toMillis());
        });
  }

  /** Deletes the controller: its paths detach. Idempotent. */
  public void delete(String reason) {
    Association a;
    synchronized (lock) {
      if (state == ControllerState.DELETING || state == ControllerState.DEAD) {
        return;
      }
      state = ControllerState.DELETING;
      a = assoc;
      assoc = null;
      epoch++;
      cancelTimers();
    }
    LOG.info("nvme{}: deleting: {}", instance, reason);
    if (a != null) {
      a.close();
      a.failAll();
    }
    notifyPaths();
    for (Integer nsid : new ArrayList<>(paths.keySet())) {
      host.namespaceGone(this, nsid);
    }
    synchronized (lock) {
      state = ControllerState.DEAD;
    }
    host.controllerDeleted(this);
  }

  /** Resets the association as after an error (test and admin hook). */
  public void reset(String reason) {
    Association a;
    synchronized (lock) {
      a = assoc;
    }
    if (a != null) {
      error(a, reason);
    }
  }

  private void notifyPaths() {
    for (NvmeNamespacePath p : paths.values()) {
      p.changed();
    }
  }

  // ------------------------------------------------------------------ I/O

  /** Issues a block request on the path's namespace; completes it through the path's sink. */
  void submitIo(NvmeNamespacePath p, IoRequest r) {
    Association a = assoc;
    if (a == null || state != ControllerState.LIVE) {
      p.sink().complete(r, Disposition.PATH_ERROR, new PathFailureException(p.name() + ": controller not live"));
      return;
    }
    a.submitIo(p, r);
  }

  /** Issues a reservation command on the path's namespace. */
  CompletableFuture<CommandTable.Completion> submitCommand(
      Function<CommandTable.Slot, ByteBuffer> fill) {
    Association a = assoc;
    if (a == null || state != ControllerState.LIVE) {
      return CompletableFuture.failedFuture(new PathFailureException("nvme" + instance + ": controller not live"));
    }
    return a.command(fill);
  }

  /** Command Retry Delay of a status's CRD field, in milliseconds (CRDT is in 100 ms). */
  long retryDelayMillis(int statusField) {
    int crd = NvmeStatus.crd(statusField);
    ControllerInfo ci = info;
    return crd == 0 || ci == null ? 0 : 100L * ci.crdt()[crd - 1];
  }

  void completeIo(NvmeNamespacePath p, IoRequest r, int status) {
    Disposition d = NvmeClassifier.classify(status);
    switch (d) {
      case SUCCESS:
        p.sink().complete(r, Disposition.SUCCESS, null);
        return;
      case PATH_ERROR:
        if (NvmeStatus.isAnaError(status)) {
          p.anaPending = true; // not used until the ANA log is read again (NVME_NS_ANA_PENDING)
          p.changed();
          ana.scheduleRead();
        }
        p.sink().complete(r, Disposition.PATH_ERROR, NvmeClassifier.error(status, p.name()));
        return;
      case RETRY:
        p.sink().retry(r, NvmeClassifier.error(status, p.name()), retryDelayMillis(status),
            TimeUnit.MILLISECONDS);
        return;
      case TARGET_ERROR:
      default:
        p.sink().complete(r, Disposition.TARGET_ERROR, NvmeClassifier.error(status, p.name()));
    }
  }

  // ------------------------------------------------------------------ helpers

  static Throwable cause(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String toString() {
    return "nvme" + instance + " [" + state + ", cntlid " + cntlid + ", " + address + "]";
  }
}
