package dev.mpath.nvme.host;

import dev.mpath.AccessState;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.nvme.proto.AbortCommand;
import dev.mpath.nvme.proto.ActiveNamespaceList;
import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.AnaGroupDescriptor;
import dev.mpath.nvme.proto.AnaLogPage;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.AsyncEventRequestCommand;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.DatasetManagementCommand;
import dev.mpath.nvme.proto.DsmRange;
import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.FlushCommand;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.KeepAliveCommand;
import dev.mpath.nvme.proto.NamespaceIdDescriptorList;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.proto.WriteZeroesCommand;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
  private static final RateLimitedLog RLOG = new RateLimitedLog(HostController.class, 1000);

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
  private final Map<Integer, AnaState> anaStates = new ConcurrentHashMap<>();
  private final AtomicBoolean anaReadPending = new AtomicBoolean();
  private final AtomicBoolean anaReadAgain = new AtomicBoolean();
  /** ANA log pages read (for tests and listings). */
  final AtomicInteger anaLogReads = new AtomicInteger();
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
    ControllerInfo ci = info;
    if (ci == null || !ci.anaReporting() || grpid == 0) {
      return AccessState.OPTIMIZED;
    }
    AnaState s = anaStates.get(grpid);
    return s == null ? AccessState.UNAVAILABLE : s.toAccessState();
  }

  /** ANA log pages read so far. */
  public int anaLogReads() {
    return anaLogReads.get();
  }

  /** Error recoveries so far. */
  public int resets() {
    return resets.get();
  }

  /** Why the last error recovery happened, or null before the first. */
  public String lastResetReason() {
    return lastResetReason;
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
      a = new Association(++epoch, transports.get());
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
        .thenCompose(v -> identifyController(a))
        .thenCompose(v -> a.admin(
            sqe -> FeatureCommand.setFeatures(
                sqe, sqe.cid(), 0, FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION, false,
                FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES
                    | FeatureCommand.AEC_ANA_CHANGE_NOTICES),
            null))
        .thenCompose(c -> negotiateQueueCount(a))
        .thenCompose(n -> a.connectIoQueues(n, ioQueueDepth(a.cap)))
        .thenCompose(v -> info.anaReporting() ? readAnaLog(a) : CompletableFuture.completedFuture(null))
        .thenCompose(v -> scanNamespaces(a))
        .thenRun(() -> goLive(a))
        .whenComplete((v, e) -> {
          if (e != null) {
            a.close();
          }
        });
  }

  private CompletableFuture<Void> identifyController(Association a) {
    ByteBuffer buf = ByteBuffer.allocate(IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.controller(sqe, sqe.cid()), buf)
        .thenApply(
            c -> {
              try {
                IdentifyController id = IdentifyController.decode(buf);
                int[] crdt = {id.crdt(1), id.crdt(2), id.crdt(3)};
                // MDTS is a power of two in units of the minimum page size, CAP.MPSMIN (3.1.1)
                long page = ControllerEnable.minPageSize(a.cap);
                long maxTransfer = id.mdts() == 0 ? Long.MAX_VALUE : page << id.mdts();
                info = new ControllerInfo(
                    id.vid(), id.sn().trim(), id.mn().trim(), id.cmic(), id.oaes(), id.kas(),
                    id.anatt(), id.anagrpmax(), id.nn(), id.oncs(), id.aerl(), crdt, maxTransfer);
                if (!id.subnqn().isEmpty() && !id.subnqn().equals(subsystemNqn)) {
                  throw new CompletionException(new PathFailureException(
                      "controller reports subsystem " + id.subnqn() + ", expected " + subsystemNqn));
                }
                // Fabrics 1.1 5.2: IOCCSZ counts 16-byte units of SQE plus in-capsule data
                a.transport.ioCapsuleDataSize(
                    Math.max(0, id.ioccsz() * 16 - SubmissionQueueEntry.LENGTH));
                subsysInstance = host.subsystemInstance(subsystemNqn, instance);
                return null;
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  /**
   * Set Features Number of Queues (NVMe base 5.27.1.5): asks for {@code nr_io_queues} (by
   * default one per processor) and returns what the controller grants, at least one (a
   * Fabrics controller always has an I/O queue; a refusal leaves one, as Linux falls back).
   */
  private CompletableFuture<Integer> negotiateQueueCount(Association a) {
    int want = opts.nrIoQueues() > 0 ? opts.nrIoQueues()
        : Runtime.getRuntime().availableProcessors();
    int n = Math.max(1, Math.min(want, MAX_IO_QUEUES));
    return a.admin(sqe -> FeatureCommand.setFeatures(sqe, sqe.cid(), 0,
            FeatureCommand.FID_NUMBER_OF_QUEUES, false, FeatureCommand.numberOfQueues(n, n)), null)
        .thenApply(c -> {
          if (NvmeStatus.code(c.statusField()) != 0) {
            RLOG.warn("nvme{}: Set Features Number of Queues: {}; using one I/O queue",
                instance, NvmeStatus.fromField(c.statusField()));
            return 1;
          }
          // Dword 0: NSQA in 15:0, NCQA in 31:16, both 0's based
          int granted = Math.min(c.dw0() & 0xFFFF, c.dw0() >>> 16) + 1;
          return Math.max(1, Math.min(n, granted));
        });
  }

  /** I/O queue entries: the configured depth within CAP.MQES (0's based, bits 15:0). */
  private int ioQueueDepth(long cap) {
    int mqes = (int) (cap & 0xFFFF) + 1;
    return Math.max(2, Math.min(opts.ioQueueDepth(), mqes));
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

  // ------------------------------------------------------------------ namespaces

  private CompletableFuture<Void> scanNamespaces(Association a) {
    return activeNamespaces(a, 0, new ArrayList<>())
        .thenCompose(
            nsids -> {
              CompletableFuture<List<NamespaceInfo>> chain =
                  CompletableFuture.completedFuture(new ArrayList<>());
              for (int nsid : nsids) {
                chain = chain.thenCompose(
                    list -> identifyNamespace(a, nsid).thenApply(ns -> {
                      if (ns != null) {
                        list.add(ns);
                      }
                      return list;
                    }));
              }
              return chain;
            })
        .thenAccept(
            found -> {
              Set<Integer> seen = new TreeSet<>();
              for (NamespaceInfo ns : found) {
                seen.add(ns.nsid());
                host.namespaceFound(this, ns);
              }
              for (Integer nsid : new ArrayList<>(paths.keySet())) {
                if (!seen.contains(nsid)) {
                  host.namespaceGone(this, nsid);
                }
              }
            });
  }

  private CompletableFuture<List<Integer>> activeNamespaces(Association a, int after, List<Integer> acc) {
    ByteBuffer buf = ByteBuffer.allocate(IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.activeNamespaces(sqe, sqe.cid(), after), buf)
        .thenCompose(
            c -> {
              List<Integer> page;
              try {
                page = ActiveNamespaceList.decode(buf).nsids();
              } catch (NvmeProtocolException e) {
                return CompletableFuture.failedFuture(e);
              }
              acc.addAll(page);
              if (page.size() == ActiveNamespaceList.MAX_ENTRIES) {
                return activeNamespaces(a, page.get(page.size() - 1), acc);
              }
              return CompletableFuture.completedFuture(acc);
            });
  }

  private CompletableFuture<NamespaceInfo> identifyNamespace(Association a, int nsid) {
    ByteBuffer nsBuf = ByteBuffer.allocate(IDENTIFY_LENGTH);
    ByteBuffer descBuf = ByteBuffer.allocate(IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.namespace(sqe, sqe.cid(), nsid), nsBuf)
        .thenCompose(c -> a.admin(sqe -> IdentifyCommand.namespaceIdDescriptors(sqe, sqe.cid(), nsid), descBuf))
        .thenApply(
            c -> {
              try {
                IdentifyNamespace id = IdentifyNamespace.decode(nsBuf);
                if (id.nsze() == 0) {
                  return null; // inactive
                }
                NamespaceIdDescriptorList descs =
                    NvmeStatus.code(c.statusField()) == 0
                        ? NamespaceIdDescriptorList.decode(descBuf)
                        : new NamespaceIdDescriptorList(List.of());
                ControllerInfo ci = info;
                return NamespaceInfo.of(nsid, id, descs, ci.vid(), ci.serial(), ci.model());
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  /** Rescan after a namespace attribute notice; errors reset the controller. */
  private void rescan(Association a) {
    ByteBuffer log = ByteBuffer.allocate(4096);
    a.admin(sqe -> GetLogPageCommand.changedNamespaceList(sqe, sqe.cid(), false), log)
        .thenCompose(c -> scanNamespaces(a))
        .whenComplete((v, e) -> {
          if (e != null) {
            LOG.warn("nvme{}: namespace rescan failed: {}", instance, cause(e).toString());
          }
        });
  }

  // ------------------------------------------------------------------ ANA

  private CompletableFuture<Void> readAnaLog(Association a) {
    ControllerInfo ci = info;
    long len = Math.min(AnaLogPage.maxLength(ci.anagrpmax(), ci.nn(), false), 1 << 20);
    len = Math.max(4, (len + 3) & ~3L);
    ByteBuffer buf = ByteBuffer.allocate((int) len);
    final long length = len;
    anaLogReads.incrementAndGet();
    return a.admin(sqe -> GetLogPageCommand.anaLog(sqe, sqe.cid(), length, false, false), buf)
        .thenAccept(
            c -> {
              if (NvmeStatus.code(c.statusField()) != 0) {
                throw new CompletionException(new PathFailureException(
                    "ANA log read failed: " + NvmeStatus.fromField(c.statusField())));
              }
              try {
                applyAna(a, AnaLogPage.decode(buf));
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  private void applyAna(Association a, AnaLogPage page) {
    boolean inChange = false;
    for (AnaGroupDescriptor g : page.groups()) {
      anaStates.put(g.anaGroupId(), g.state());
      inChange |= g.state() == AnaState.CHANGE;
    }
    for (NvmeNamespacePath p : paths.values()) {
      p.anaPending = false;
    }
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
    if (anaStates.containsValue(AnaState.CHANGE)) {
      LOG.warn("nvme{}: ANA group still in change after ANATT: resetting", instance);
      error(a, "ANATT expired");
    }
  }

  /** Re-reads the ANA log after an ANA status or notice; coalesces overlapping requests. */
  void scheduleAnaRead() {
    Association a;
    synchronized (lock) {
      a = assoc;
    }
    if (a == null || state != ControllerState.LIVE) {
      return;
    }
    if (!anaReadPending.compareAndSet(false, true)) {
      anaReadAgain.set(true);
      return;
    }
    readAnaLog(a).whenComplete(
        (v, e) -> {
          anaReadPending.set(false);
          if (e != null) {
            LOG.warn("nvme{}: ANA log read failed: {}", instance, cause(e).toString());
          } else if (anaReadAgain.getAndSet(false)) {
            scheduleAnaRead();
          }
        });
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
                scheduleAnaRead();
              } else if (ev.type() == AsyncEvent.TYPE_NOTICE
                  && ev.info() == AsyncEvent.NOTICE_NAMESPACE_ATTRIBUTE_CHANGED) {
                rescan(a);
              }
            });
  }

  /** Path checker: the controller is live and its keep alive is not overdue. */
  CompletableFuture<Boolean> check() {
    return CompletableFuture.completedFuture(state == ControllerState.LIVE);
  }

  // ------------------------------------------------------------------ errors and reconnect

  private void error(Association a, String reason) {
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

  // ------------------------------------------------------------------ association

  /** One association: transport, queues, outstanding commands. */
  private final class Association {
    final int epoch;
    final NvmeTransport transport;
    final CommandTable admin = new CommandTable(ADMIN_QUEUE_DEPTH);
    /** The I/O queues, qid 1 first; set once before LIVE. */
    volatile IoQueue[] ioQueues = new IoQueue[0];
    volatile long keepAliveSince;
    volatile boolean closed;
    volatile long cap;
    final QueueHandler adminHandler = new Handler(admin, null);
    final CommandTimer timer;

    /** One I/O queue: its commands, the requests beyond its depth, its completions. */
    final class IoQueue {
      final int qid;
      final CommandTable table;
      final ArrayDeque<Object[]> waiting = new ArrayDeque<>(); // beyond the queue depth
      final QueueHandler handler;

      IoQueue(int qid, int depth) {
        this.qid = qid;
        this.table = new CommandTable(depth);
        this.handler = new Handler(table, this);
      }
    }

    Association(int epoch, NvmeTransport transport) {
      this.epoch = epoch;
      this.transport = transport;
      this.timer = new CommandTimer("nvme" + instance, scheduler, new CommandTimer.Queues() {
        @Override
        public CommandTable adminTable() {
          return admin;
        }

        @Override
        public int ioQueueCount() {
          return ioQueues.length;
        }

        @Override
        public CommandTable ioTable(int index) {
          return ioQueues[index].table;
        }

        @Override
        public CompletableFuture<Boolean> abort(int index, int cid) {
          int qid = ioQueues[index].qid;
          return admin(sqe -> AbortCommand.fill(sqe, sqe.cid(), qid, cid), null)
              .thenApply(c -> NvmeStatus.code(c.statusField()) == 0 && (c.dw0() & 1) == 0);
        }

        @Override
        public void reset(String reason) {
          error(Association.this, reason);
        }

        @Override
        public boolean closed() {
          return closed;
        }
      }, opts.ioTimeout(), opts.adminTimeout());
    }

    /** Connects I/O queues 1..n of {@code depth} entries each. */
    CompletableFuture<Void> connectIoQueues(int n, int depth) {
      IoQueue[] qs = new IoQueue[n];
      CompletableFuture<?>[] connects = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        qs[i] = new IoQueue(i + 1, depth);
        connects[i] = transport.connectIo(i + 1, depth, qs[i].handler);
      }
      return CompletableFuture.allOf(connects).thenRun(() -> ioQueues = qs);
    }

    /**
     * The queue a submission from this thread goes to: the one served on this thread (an
     * event loop of the transport), else one fixed per thread, as Linux maps CPUs to queues.
     */
    IoQueue pick() {
      IoQueue[] qs = ioQueues;
      int n = qs.length;
      if (n <= 1) {
        return n == 0 ? null : qs[0];
      }
      int q = transport.queueOfThisThread();
      if (q >= 1 && q <= n) {
        return qs[q - 1];
      }
      return qs[(int) (Thread.currentThread().getId() % n)];
    }

    final class Handler implements QueueHandler {
      final CommandTable table;
      final IoQueue queue; // null: the admin queue

      Handler(CommandTable table, IoQueue queue) {
        this.table = table;
        this.queue = queue;
      }

      @Override
      public void completed(CompletionQueueEntry cqe) {
        CommandTable.Slot s = table.slot(cqe.cid());
        if (s == null || !s.claim()) {
          RLOG.warn("nvme{}: completion for unknown cid {} on queue {} (dropped)", instance,
              cqe.cid(), queue == null ? 0 : queue.qid);
          return;
        }
        int status = cqe.statusField();
        if (s.aborting && status != 0) {
          // aborted after its timeout: the path failed it, whatever the status says (0/07h
          // Command Abort Requested is no reason to retry on the stalled queue)
          status = NvmeStatus.COMMAND_ABORTED_BY_HOST.field();
        }
        int dw0 = cqe.dw0();
        IoRequest r = s.io;
        NvmeNamespacePath p = s.path;
        SplitIo split = s.split;
        CompletableFuture<CommandTable.Completion> f = s.future;
        table.release(s);
        if (r != null || split != null) {
          if (split != null) {
            split.pieceDone(status);
          } else {
            completeIo(p, r, status);
          }
          if (queue != null) {
            drainWaiting(queue);
          }
        } else if (f != null) {
          f.complete(new CommandTable.Completion(status, dw0));
        }
      }

      @Override
      public void disconnected(String reason) {
        error(Association.this, "transport disconnected: " + reason);
      }
    }

    CompletableFuture<CommandTable.Completion> admin(Consumer<SubmissionQueueEntry> fill, ByteBuffer data) {
      return issue(admin, 0, s -> {
        fill.accept(s.sqe.cid(s.cid));
        return data;
      });
    }

    CompletableFuture<CommandTable.Completion> command(Function<CommandTable.Slot, ByteBuffer> fill) {
      IoQueue q = pick();
      if (q == null) {
        return CompletableFuture.failedFuture(new PathFailureException("no I/O queue"));
      }
      return issue(q.table, q.qid, fill);
    }

    /** Issues a command; {@code fill} writes the SQE and returns the data buffer (or null). */
    private CompletableFuture<CommandTable.Completion> issue(
        CommandTable table, int qid, Function<CommandTable.Slot, ByteBuffer> fill) {
      if (closed) {
        return CompletableFuture.failedFuture(new PathFailureException("association closed"));
      }
      CommandTable.Slot s = table.acquire();
      if (s == null) {
        return CompletableFuture.failedFuture(new PathFailureException("queue " + qid + " full"));
      }
      CompletableFuture<CommandTable.Completion> f = new CompletableFuture<>();
      ByteBuffer data;
      try {
        s.sqe.clear();
        data = fill.apply(s);
        s.sqe.cid(s.cid);
      } catch (RuntimeException e) {
        table.release(s);
        return CompletableFuture.failedFuture(e);
      }
      s.future = f;
      s.deadline = qid != 0 ? timer.ioDeadline()
          : s.sqe.opcode() == AdminOpcode.ASYNC_EVENT_REQUEST ? 0 : timer.adminDeadline();
      s.arm();
      transport.submit(qid, s.sqe, data);
      return f;
    }

    void submitIo(NvmeNamespacePath p, IoRequest r) {
      int max = maxBlocks(p, r);
      if (r.blocks() > max) {
        SplitIo split = new SplitIo(HostController.this, p, r, max);
        split.start((lba, n, data) -> issuePiece(split, lba, n, data));
        return;
      }
      IoQueue q = pick();
      CommandTable.Slot s = q.table.acquire();
      if (s == null) {
        synchronized (q.waiting) {
          q.waiting.add(new Object[] {p, r});
        }
        drainWaiting(q); // a slot may have freed meanwhile
        return;
      }
      issueIo(q, s, p, r);
    }

    private void drainWaiting(IoQueue q) {
      while (true) {
        Object[] w;
        CommandTable.Slot s;
        synchronized (q.waiting) {
          if (q.waiting.isEmpty()) {
            return;
          }
          s = q.table.acquire();
          if (s == null) {
            return;
          }
          w = q.waiting.poll();
        }
        if (w[0] instanceof SplitIo) {
          long[] range = (long[]) w[1];
          issuePiece(q, s, (SplitIo) w[0], range[0], (int) range[1], (ByteBuffer) w[2]);
        } else {
          issueIo(q, s, (NvmeNamespacePath) w[0], (IoRequest) w[1]);
        }
      }
    }

    /** Blocks one command may carry: MDTS for data, 65536 (16-bit NLB) for all. */
    private int maxBlocks(NvmeNamespacePath p, IoRequest r) {
      int nlbLimit = ReadWriteCommand.MAX_BLOCKS;
      if (!r.op().hasData()) {
        return r.op() == dev.mpath.IoOp.WRITE_ZEROES ? nlbLimit : Integer.MAX_VALUE;
      }
      long byMdts = info.maxTransferBytes() / p.blockSize();
      return (int) Math.max(1, Math.min(nlbLimit, byMdts));
    }

    /** Issues one piece of a split request (split.complete is told the status). */
    void issuePiece(SplitIo split, long lba, int blocks, ByteBuffer data) {
      IoQueue q = pick();
      CommandTable.Slot s = q.table.acquire();
      if (s == null) {
        synchronized (q.waiting) {
          q.waiting.add(new Object[] {split, new long[] {lba, blocks}, data});
        }
        drainWaiting(q);
        return;
      }
      issuePiece(q, s, split, lba, blocks, data);
    }

    private void issuePiece(IoQueue q, CommandTable.Slot s, SplitIo split, long lba, int blocks,
        ByteBuffer data) {
      int nsid = split.path.nsid();
      switch (split.request.op()) {
        case READ:
          ReadWriteCommand.read(s.sqe, s.cid, nsid, lba, blocks);
          break;
        case WRITE:
          ReadWriteCommand.write(s.sqe, s.cid, nsid, lba, blocks, false);
          break;
        default:
          WriteZeroesCommand.fill(s.sqe, s.cid, nsid, lba, blocks, false, false);
      }
      s.split = split;
      s.path = split.path;
      s.deadline = timer.ioDeadline();
      s.arm();
      if (closed && s.claim()) {
        q.table.release(s);
        split.pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
        return;
      }
      transport.submit(q.qid, s.sqe, data);
    }

    private void issueIo(IoQueue q, CommandTable.Slot s, NvmeNamespacePath p, IoRequest r) {
      SubmissionQueueEntry sqe = s.sqe;
      ByteBuffer data;
      int nsid = p.nsid();
      switch (r.op()) {
        case READ:
          ReadWriteCommand.read(sqe, s.cid, nsid, r.lba(), r.blocks());
          data = r.buffer();
          break;
        case WRITE:
          ReadWriteCommand.write(sqe, s.cid, nsid, r.lba(), r.blocks(), false);
          data = r.buffer();
          break;
        case FLUSH:
          FlushCommand.fill(sqe, s.cid, nsid);
          data = null;
          break;
        case WRITE_ZEROES:
          WriteZeroesCommand.fill(sqe, s.cid, nsid, r.lba(), r.blocks(), false, false);
          data = null;
          break;
        case DISCARD:
          DatasetManagementCommand.fill(sqe, s.cid, nsid, 1, DatasetManagementCommand.ATTR_AD);
          s.scratch.clear();
          new DsmRange(0, r.blocks(), r.lba()).encode(s.scratch);
          s.scratch.flip();
          data = s.scratch;
          break;
        default:
          throw new AssertionError(r.op());
      }
      s.io = r;
      s.path = p;
      s.deadline = timer.ioDeadline();
      s.arm();
      if (closed && s.claim()) {
        q.table.release(s);
        p.sink().complete(r, Disposition.PATH_ERROR, new PathFailureException("association closed"));
        return;
      }
      transport.submit(q.qid, sqe, data);
    }

    void close() {
      closed = true;
      transport.close();
    }

    /** Fails every outstanding command after the association is gone. */
    void failAll() {
      IoQueue[] qs = ioQueues;
      CommandTable[] tables = new CommandTable[qs.length + 1];
      tables[0] = admin;
      for (int i = 0; i < qs.length; i++) {
        tables[i + 1] = qs[i].table;
      }
      for (CommandTable table : tables) {
        for (int cid = 0; cid < table.size(); cid++) {
          CommandTable.Slot s = table.slot(cid);
          if (!s.claim()) {
            continue;
          }
          IoRequest r = s.io;
          NvmeNamespacePath p = s.path;
          SplitIo split = s.split;
          CompletableFuture<CommandTable.Completion> f = s.future;
          table.release(s);
          if (split != null) {
            split.pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
          } else if (r != null) {
            p.sink().complete(r, Disposition.PATH_ERROR,
                NvmeClassifier.error(NvmeStatus.COMMAND_ABORTED_BY_HOST.field(), p.name()));
          } else if (f != null) {
            f.completeExceptionally(new PathFailureException("nvme" + instance + ": association lost"));
          }
        }
      }
      List<Object[]> parked = new ArrayList<>();
      for (IoQueue q : qs) {
        synchronized (q.waiting) {
          parked.addAll(q.waiting);
          q.waiting.clear();
        }
      }
      for (Object[] w : parked) {
        if (w[0] instanceof SplitIo) {
          ((SplitIo) w[0]).pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
          continue;
        }
        NvmeNamespacePath p = (NvmeNamespacePath) w[0];
        p.sink().complete((IoRequest) w[1], Disposition.PATH_ERROR,
            new PathFailureException(p.name() + ": association lost"));
      }
    }
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
          scheduleAnaRead();
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

  private static <T> void complete(CompletableFuture<T> f, T v, Throwable e) {
    if (e != null) {
      f.completeExceptionally(cause(e));
    } else {
      f.complete(v);
    }
  }

  @Override
  public String toString() {
    return "nvme" + instance + " [" + state + ", cntlid " + cntlid + ", " + address + "]";
  }
}
