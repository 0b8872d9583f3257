package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AnaGroupDescriptor;
import dev.mpath.nvme.proto.AnaLogPage;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.spi.Scheduler;
import dev.mpath.spi.SerialExecutor;
import dev.mpath.store.BackingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An emulated NVMe subsystem after QEMU's {@code nvme-subsys} and Linux nvmet: one NQN,
 * numbered ports, namespaces (shared or private, attached per controller), ANA groups with a
 * state per (group, port), dynamic controllers created by {@link #connect}, reservations per
 * host identifier, and fault injection per port ({@link #faults}).
 *
 * <p>All timing (KATO, ANA transitions, injected delays) goes through the {@link Scheduler}
 * given to {@link #builder}; command execution runs on per-controller serial executors over
 * a small shared pool (see {@link Builder#executor}). Thread-safe.
 *
 * <pre>{@code
 * NvmeSubsystem subsys = NvmeSubsystem.builder("nqn.2014-08.dev.mpath:demo", scheduler)
 *     .ports(3)
 *     .namespace(NamespaceSpec.of(1, 1 << 20))
 *     .namespace(NamespaceSpec.builder(2).blocks(1 << 16).ports(3).build())
 *     .build();
 * TargetController c = subsys.connect(1, hostNqn, hostId, 5000, adminSink);
 * }</pre>
 */
public final class NvmeSubsystem implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NvmeSubsystem.class);

  /** Highest dynamic controller id (FFF0h..FFFFh are reserved). */
  public static final int MAX_CNTLID = 0xFFEF;

  private static final int DNR = NvmeStatus.DNR_BIT;
  /** Tasks a controller runs per hop before its pool thread serves another controller. */
  private static final int CONTROLLER_BATCH = 64;

  // ---- identity and limits (immutable) ----
  final String nqn;
  final Scheduler scheduler;
  final String serial;
  final String model;
  final String firmware;
  final int vendorId;
  final int mdts;
  final long maxTransferBytes;
  final int anatt;
  final int maxIoQueues;
  final int maxQueueEntries;
  final int nn;
  final int inCapsuleDataSize;
  final int anaGroupMax;
  private final int portCount;
  private final Faults[] faults;
  private final NavigableMap<Integer, Namespace> namespaces;
  private final NavigableMap<Integer, AnaGroup> groups;
  private final Executor executor;
  private final ExecutorService ownedExecutor;

  // ---- topology (guarded by this) ----
  private final TreeMap<Integer, TargetController> controllers = new TreeMap<>();
  private volatile List<TargetController> controllerSnapshot = List.of();
  private int nextCntlid = 1;
  private boolean closed;
  private volatile long anaChangeCount;

  private NvmeSubsystem(Builder b) {
    this.nqn = b.nqn;
    this.scheduler = b.scheduler;
    this.serial = b.serial != null ? b.serial : defaultSerial(b.nqn);
    this.model = b.model;
    this.firmware = b.firmware;
    this.vendorId = b.vendorId;
    this.mdts = b.mdts;
    this.maxTransferBytes = b.mdts == 0 ? Integer.MAX_VALUE : Math.min(Integer.MAX_VALUE, 4096L << b.mdts);
    this.anatt = b.anatt;
    this.maxIoQueues = b.maxIoQueues;
    this.maxQueueEntries = b.maxQueueEntries;
    this.inCapsuleDataSize = b.inCapsuleDataSize;
    this.portCount = b.ports;
    this.faults = new Faults[portCount + 1];
    for (int p = 1; p <= portCount; p++) {
      faults[p] = new Faults(this, p);
    }

    // ANA groups: declared ones plus any a namespace names.
    this.groups = AnaGroup.of(b.groups, b.namespaces.values(), portCount);
    this.anaGroupMax = groups.lastKey();

    TreeMap<Integer, Namespace> nss = new TreeMap<>(Integer::compareUnsigned);
    int maxNsid = 0;
    for (NamespaceSpec s : b.namespaces.values()) {
      nss.put(s.nsid(), Namespace.of(nqn, s, ports(), groups.get(s.anaGroup())));
      if (Integer.compareUnsigned(s.nsid(), maxNsid) > 0) {
        maxNsid = s.nsid();
      }
    }
    this.namespaces = Collections.unmodifiableNavigableMap(nss);
    this.nn = b.maxNamespaces != 0 ? b.maxNamespaces : maxNsid == 0 ? 1 : maxNsid;

    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      int threads = b.threads > 0
          ? b.threads
          : Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
      this.ownedExecutor = Executors.newFixedThreadPool(threads, threadFactory(nqn));
      this.executor = ownedExecutor;
    }
  }

  /** A builder for a subsystem named {@code nqn} whose timers run on {@code scheduler}. */
  public static Builder builder(String nqn, Scheduler scheduler) {
    return new Builder(nqn, scheduler);
  }

  // ---------------------------------------------------------------- identity

  /** In-capsule data bytes the I/O queues accept (IOCCSZ less the 64-byte SQE). */
  public int inCapsuleDataSize() {
    return inCapsuleDataSize;
  }

  /** The subsystem NQN. */
  public String nqn() {
    return nqn;
  }

  /** Port ids, 1..n. */
  public List<Integer> ports() {
    List<Integer> out = new ArrayList<>(portCount);
    for (int p = 1; p <= portCount; p++) {
      out.add(p);
    }
    return Collections.unmodifiableList(out);
  }

  /** Serial number (Identify Controller SN). */
  public String serial() {
    return serial;
  }

  /** Model number (Identify Controller MN). */
  public String model() {
    return model;
  }

  /** The NSIDs of the subsystem's namespaces, increasing. */
  public List<Integer> namespaceIds() {
    return List.copyOf(namespaces.keySet());
  }

  /** The spec a namespace was built from. */
  public NamespaceSpec namespaceSpec(int nsid) {
    return requireNamespace(nsid).spec;
  }

  /** The medium of a namespace (for tests that check data behind the controllers' backs). */
  public BackingStore store(int nsid) {
    return requireNamespace(nsid).store;
  }

  /** The ANA group ids, increasing. */
  public List<Integer> anaGroups() {
    return List.copyOf(groups.keySet());
  }

  // ---------------------------------------------------------------- connect

  /**
   * Fabrics Connect on the admin queue through {@code port}: creates a controller with the
   * next free dynamic controller id (1, 2, ...; never reused while live) for this host. The
   * namespaces whose ports include {@code port} are attached to it (a private namespace only
   * if no other controller has it). The host then enables it with Property Set CC.EN = 1.
   *
   * @param katoMillis keep-alive timeout in ms; 0 disables it
   * @param adminSink where the admin queue's completions go
   * @throws NvmeConnectException unknown port, port killed, subsystem closed, no free id
   */
  public TargetController connect(
      int port, String hostNqn, UUID hostId, int katoMillis, CompletionSink adminSink)
      throws NvmeConnectException {
    Objects.requireNonNull(hostNqn, "hostNqn");
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(adminSink, "adminSink");
    if (katoMillis < 0) {
      throw new IllegalArgumentException("negative KATO " + katoMillis);
    }
    TargetController c;
    synchronized (this) {
      if (closed) {
        throw new NvmeConnectException(
            NvmeConnectException.Reason.SUBSYSTEM_CLOSED, nqn + " is closed");
      }
      if (port < 1 || port > portCount) {
        throw new NvmeConnectException(
            NvmeConnectException.Reason.UNKNOWN_PORT, nqn + " has no port " + port);
      }
      if (faults[port].isKilled()) {
        throw new NvmeConnectException(
            NvmeConnectException.Reason.PORT_DISABLED, nqn + " port " + port + " is down");
      }
      int cntlid = allocateCntlid();
      c = new TargetController(this, cntlid, port, hostNqn, hostId, katoMillis, adminSink,
          faults[port], SerialExecutor.dropping(executor, nqn + " ctrl " + cntlid, CONTROLLER_BATCH));
      controllers.put(cntlid, c);
      for (Namespace ns : namespaces.values()) {
        if (ns.autoPorts.contains(port) && (ns.shared || ns.attached.isEmpty())) {
          ns.attached.add(cntlid);
        }
      }
      c.setAttached(attachedTo(cntlid));
      publishControllers();
    }
    c.start();
    LOG.info("{}: controller {} connected through port {} for {} (kato {} ms)",
        nqn, c.cntlid(), port, hostNqn, katoMillis);
    return c;
  }

  private int allocateCntlid() throws NvmeConnectException {
    for (int i = 0; i < MAX_CNTLID; i++) {
      int id = nextCntlid;
      nextCntlid = id >= MAX_CNTLID ? 1 : id + 1;
      if (!controllers.containsKey(id)) {
        return id;
      }
    }
    throw new NvmeConnectException(
        NvmeConnectException.Reason.NO_CONTROLLER_ID, nqn + ": every controller id is in use");
  }

  /** Live controllers, by controller id. */
  public List<TargetController> controllers() {
    return controllerSnapshot;
  }

  /** The live controller {@code cntlid}, if any. */
  public Optional<TargetController> controller(int cntlid) {
    synchronized (this) {
      return Optional.ofNullable(controllers.get(cntlid));
    }
  }

  /** Fault injection for {@code port}. */
  public Faults faults(int port) {
    checkPort(port);
    return faults[port];
  }

  // ---------------------------------------------------------------- ANA

  /** The ANA state of group {@code grpid} through {@code port}. */
  public AnaState anaState(int grpid, int port) {
    checkPort(port);
    return requireGroup(grpid).state(port);
  }

  /** The change count of the ANA log page header (bumped on every ANA or attachment change). */
  public long anaChangeCount() {
    return anaChangeCount;
  }

  /**
   * Sets the ANA state of {@code grpid} on {@code port} at once (cancelling a transition in
   * progress there) and raises the ANA change notice on the port's controllers. Setting the
   * current state again changes nothing.
   */
  public void setAnaState(int grpid, int port, AnaState state) {
    Objects.requireNonNull(state, "state");
    checkPort(port);
    AnaGroup g = requireGroup(grpid);
    synchronized (this) {
      g.newTransition(port);
      applyAna(g, port, state);
    }
  }

  /**
   * Moves {@code grpid} on {@code port} to ANA Change (0Fh) now and to {@code target} after
   * {@code changeTime} on the scheduler; the ANA change notice is raised at both steps. A
   * later {@link #setAnaState} or transition on the same group and port supersedes it.
   */
  public void transitionAna(int grpid, int port, AnaState target, Duration changeTime) {
    Objects.requireNonNull(target, "target");
    if (changeTime.isNegative()) {
      throw new IllegalArgumentException("negative change time " + changeTime);
    }
    checkPort(port);
    AnaGroup g = requireGroup(grpid);
    synchronized (this) {
      long seq = g.newTransition(port);
      applyAna(g, port, AnaState.CHANGE);
      g.pending(port, scheduler.schedule(
          () -> finishTransition(g, port, seq, target), changeTime.toNanos(),
          TimeUnit.NANOSECONDS));
    }
  }

  private synchronized void finishTransition(AnaGroup g, int port, long seq, AnaState target) {
    if (closed || !g.endTransition(port, seq)) {
      return;
    }
    applyAna(g, port, target);
  }

  /** Under the lock. */
  private void applyAna(AnaGroup g, int port, AnaState state) {
    if (!g.setState(port, state)) {
      return;
    }
    anaChangeCount++;
    LOG.debug("{}: ANA group {} on port {} is now {}", nqn, g.id, port, state);
    for (TargetController c : controllers.values()) {
      if (c.port() == port) {
        c.anaChanged();
      }
    }
  }

  /** The ANA log page as controller {@code c} sees it (groups with c's attached NSIDs). */
  synchronized AnaLogPage anaLog(int port, NavigableMap<Integer, Namespace> attached) {
    List<AnaGroupDescriptor> descriptors = new ArrayList<>(groups.size());
    for (AnaGroup g : groups.values()) {
      List<Integer> nsids = new ArrayList<>();
      for (Namespace ns : attached.values()) {
        if (ns.anaGroup == g.id) {
          nsids.add(ns.nsid);
        }
      }
      descriptors.add(g.descriptor(port, nsids));
    }
    return new AnaLogPage(anaChangeCount, descriptors);
  }

  int anaGroupCount() {
    return groups.size();
  }

  // ---------------------------------------------------------------- attachment

  /**
   * Attaches namespace {@code nsid} to controller {@code cntlid} (what Namespace Attachment
   * does): the controller gets a Namespace Attribute Changed notice and the NSID in its
   * Changed Namespace List log.
   *
   * @throws IllegalArgumentException unknown namespace or controller
   * @throws IllegalStateException already attached, or a private namespace attached elsewhere
   */
  public void attach(int nsid, int cntlid) {
    check(changeAttachment(nsid, List.of(cntlid), true), nsid);
  }

  /**
   * Detaches namespace {@code nsid} from controller {@code cntlid}, with the notice and log
   * entry as for {@link #attach}.
   *
   * @throws IllegalArgumentException unknown namespace or controller
   * @throws IllegalStateException not attached
   */
  public void detach(int nsid, int cntlid) {
    check(changeAttachment(nsid, List.of(cntlid), false), nsid);
  }

  /** Detaches {@code nsid} from every controller and from every port's connect-time set. */
  public void detachEverywhere(int nsid) {
    Namespace ns = requireNamespace(nsid);
    synchronized (this) {
      ns.autoPorts.clear();
      if (!ns.attached.isEmpty()) {
        check(changeAttachment(nsid, new ArrayList<>(ns.attached), false), nsid);
      }
    }
  }

  /**
   * Adds {@code ports} to the connect-time set of {@code nsid} and attaches it to the live
   * controllers of those ports that lack it.
   *
   * @throws IllegalStateException a private namespace would be attached twice
   */
  public void attachPorts(int nsid, Set<Integer> ports) {
    Namespace ns = requireNamespace(nsid);
    ports.forEach(this::checkPort);
    synchronized (this) {
      List<Integer> ids = new ArrayList<>();
      for (TargetController c : controllers.values()) {
        if (ports.contains(c.port()) && !ns.attached.contains(c.cntlid())) {
          ids.add(c.cntlid());
        }
      }
      if (!ids.isEmpty()) {
        check(changeAttachment(nsid, ids, true), nsid);
      }
      ns.autoPorts.addAll(ports);
    }
  }

  /**
   * Removes {@code ports} from the connect-time set of {@code nsid} and detaches it from the
   * live controllers of those ports.
   */
  public void detachPorts(int nsid, Set<Integer> ports) {
    Namespace ns = requireNamespace(nsid);
    ports.forEach(this::checkPort);
    synchronized (this) {
      ns.autoPorts.removeAll(ports);
      List<Integer> ids = new ArrayList<>();
      for (TargetController c : controllers.values()) {
        if (ports.contains(c.port()) && ns.attached.contains(c.cntlid())) {
          ids.add(c.cntlid());
        }
      }
      if (!ids.isEmpty()) {
        check(changeAttachment(nsid, ids, false), nsid);
      }
    }
  }

  /** The controllers {@code nsid} is attached to, increasing. */
  public synchronized List<Integer> attachedControllers(int nsid) {
    return List.copyOf(requireNamespace(nsid).attached);
  }

  private static void check(int status, int nsid) {
    if (status == 0) {
      return;
    }
    NvmeStatus s = NvmeStatus.fromField(status);
    if (s.is(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT) || s.is(NvmeStatus.CONTROLLER_LIST_INVALID)) {
      throw new IllegalArgumentException("namespace " + Integer.toUnsignedString(nsid) + ": " + s);
    }
    throw new IllegalStateException("namespace " + Integer.toUnsignedString(nsid) + ": " + s);
  }

  /**
   * Attaches or detaches {@code nsid} to or from every controller in {@code cntlids}, all or
   * nothing (Namespace Attachment semantics).
   *
   * @return 0 or the status field of the failure (DNR set)
   */
  int changeAttachment(int nsid, List<Integer> cntlids, boolean attach) {
    List<TargetController> affected = new ArrayList<>(cntlids.size());
    synchronized (this) {
      Namespace ns = namespaces.get(nsid);
      if (ns == null) {
        return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
      }
      if (cntlids.isEmpty() || new HashSet<>(cntlids).size() != cntlids.size()) {
        return NvmeStatus.CONTROLLER_LIST_INVALID.field() | DNR;
      }
      for (int id : cntlids) {
        TargetController c = controllers.get(id);
        if (c == null) {
          return NvmeStatus.CONTROLLER_LIST_INVALID.field() | DNR;
        }
        affected.add(c);
      }
      int status = attach ? ns.attach(cntlids) : ns.detach(cntlids);
      if (status != 0) {
        return status;
      }
      for (TargetController c : affected) {
        c.setAttached(attachedTo(c.cntlid()));
      }
      anaChangeCount++;
    }
    LOG.debug("{}: namespace {} {} controllers {}", nqn, Integer.toUnsignedString(nsid),
        attach ? "attached to" : "detached from", cntlids);
    for (TargetController c : affected) {
      c.namespaceChanged(nsid);
    }
    return 0;
  }

  /** Under the lock. */
  private NavigableMap<Integer, Namespace> attachedTo(int cntlid) {
    TreeMap<Integer, Namespace> m = new TreeMap<>(Integer::compareUnsigned);
    for (Namespace ns : namespaces.values()) {
      if (ns.attached.contains(cntlid)) {
        m.put(ns.nsid, ns);
      }
    }
    return Collections.unmodifiableNavigableMap(m);
  }

  /** Controller ids attached to {@code nsid} at or above {@code from}; null if no such nsid. */
  synchronized List<Integer> attachedControllerIds(int nsid, int from) {
    Namespace ns = namespaces.get(nsid);
    if (ns == null) {
      return null;
    }
    List<Integer> out = new ArrayList<>();
    for (int id : ns.attached) {
      if (id >= from) {
        out.add(id);
      }
    }
    return out;
  }

  /** Every controller id at or above {@code from}. */
  synchronized List<Integer> controllerIds(int from) {
    return new ArrayList<>(controllers.tailMap(from, true).keySet());
  }

  /** The namespace {@code nsid} (attached or not), or null. */
  Namespace namespace(int nsid) {
    return namespaces.get(nsid);
  }

  // ---------------------------------------------------------------- lifecycle

  /** A controller is gone (failed or disconnected by the host): forget it. */
  void removed(TargetController c) {
    synchronized (this) {
      if (!controllers.remove(c.cntlid(), c)) {
        return;
      }
      for (Namespace ns : namespaces.values()) {
        ns.attached.remove(c.cntlid());
      }
      publishControllers();
    }
  }

  void killPort(int port, String reason) {
    List<TargetController> victims = new ArrayList<>();
    synchronized (this) {
      for (TargetController c : controllers.values()) {
        if (c.port() == port) {
          victims.add(c);
        }
      }
    }
    LOG.info("{}: {} ({} controllers)", nqn, reason, victims.size());
    for (TargetController c : victims) {
      c.fail(reason);
    }
  }

  void portResumed(int port) {
    for (TargetController c : controllerSnapshot) {
      if (c.port() == port) {
        c.resumed();
      }
    }
  }

  private void publishControllers() {
    controllerSnapshot = List.copyOf(controllers.values());
  }

  /**
   * Closes the subsystem: every controller fails with "subsystem closed" (sinks get
   * {@link CompletionSink#disconnected}), timers are cancelled, connects are refused, the
   * executor the subsystem made is shut down and the namespaces' stores are closed.
   * Idempotent.
   */
  @Override
  public void close() {
    List<TargetController> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(controllers.values());
      for (AnaGroup g : groups.values()) {
        for (int p = 1; p <= portCount; p++) {
          g.newTransition(p);
        }
      }
    }
    for (TargetController c : all) {
      c.fail("subsystem closed");
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    for (Namespace ns : namespaces.values()) {
      try {
        ns.store.close();
      } catch (IOException e) {
        LOG.warn("{}: closing the store of {} failed", nqn, ns, e);
      }
    }
    LOG.info("{}: closed", nqn);
  }

  /** Whether {@link #close()} was called. */
  public synchronized boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- helpers

  private void checkPort(int port) {
    if (port < 1 || port > portCount) {
      throw new IllegalArgumentException(nqn + " has no port " + port);
    }
  }

  private AnaGroup requireGroup(int grpid) {
    AnaGroup g = groups.get(grpid);
    if (g == null) {
      throw new IllegalArgumentException(nqn + " has no ANA group " + Integer.toUnsignedString(grpid));
    }
    return g;
  }

  private Namespace requireNamespace(int nsid) {
    Namespace ns = namespaces.get(nsid);
    if (ns == null) {
      throw new IllegalArgumentException(nqn + " has no namespace " + Integer.toUnsignedString(nsid));
    }
    return ns;
  }

  private static String defaultSerial(String nqn) {
    UUID u = UUID.nameUUIDFromBytes(nqn.getBytes(StandardCharsets.UTF_8));
    return u.toString().replace("-", "").substring(0, 20).toUpperCase(java.util.Locale.ROOT);
  }

  private static ThreadFactory threadFactory(String nqn) {
    AtomicInteger n = new AtomicInteger();
    String tag = nqn.length() > 24 ? nqn.substring(nqn.length() - 24) : nqn;
    return r -> {
      Thread t = new Thread(r, "nvmet-" + tag + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "NvmeSubsystem[" + nqn + " ports=" + portCount + " namespaces=" + namespaces.keySet()
        + " controllers=" + controllerSnapshot.size() + "]";
  }

  // ---------------------------------------------------------------- builder

  /** Builder of an {@link NvmeSubsystem}. */
  public static final class Builder {
    private final String nqn;
    private final Scheduler scheduler;
    private String serial;
    private String model = "mpath NVMe emulator";
    private String firmware = "0.1";
    private int ports = 1;
    private final Map<Integer, Map<Integer, AnaState>> groups = new LinkedHashMap<>();
    private final Map<Integer, NamespaceSpec> namespaces = new LinkedHashMap<>();
    private int vendorId;
    private int mdts = 8;
    private int anatt = 10;
    private int maxIoQueues = 64;
    private int maxQueueEntries = 1024;
    private int maxNamespaces;
    private int inCapsuleDataSize = 8192;
    private Executor executor;
    private int threads;

    private Builder(String nqn, Scheduler scheduler) {
      Objects.requireNonNull(nqn, "nqn");
      Objects.requireNonNull(scheduler, "scheduler");
      int len = nqn.getBytes(StandardCharsets.UTF_8).length;
      if (len == 0 || len > 223) {
        throw new IllegalArgumentException("an NQN is 1..223 bytes: " + nqn);
      }
      this.nqn = nqn;
      this.scheduler = scheduler;
    }

    /** Serial number, at most 20 printable ASCII characters (default: derived from the NQN). */
    public Builder serial(String serial) {
      this.serial = ascii("serial", serial, 20);
      return this;
    }

    /** Model number, at most 40 printable ASCII characters. */
    public Builder model(String model) {
      this.model = ascii("model", model, 40);
      return this;
    }

    /** Firmware revision, at most 8 printable ASCII characters. */
    public Builder firmware(String firmware) {
      this.firmware = ascii("firmware", firmware, 8);
      return this;
    }

    /** Number of ports; their ids are 1..n (default 1). */
    public Builder ports(int n) {
      if (n < 1 || n > 0xFFFF) {
        throw new IllegalArgumentException("ports must be 1..65535: " + n);
      }
      this.ports = n;
      return this;
    }

    /** Declares ANA group {@code grpid}, OPTIMIZED on every port unless set otherwise. */
    public Builder anaGroup(int grpid) {
      if (grpid == 0) {
        throw new IllegalArgumentException("ANAGRPID 0 is not a group");
      }
      groups.computeIfAbsent(grpid, g -> new LinkedHashMap<>());
      return this;
    }

    /** Declares ANA group {@code grpid} if needed and sets its initial state on {@code port}. */
    public Builder anaState(int grpid, int port, AnaState state) {
      anaGroup(grpid);
      groups.get(grpid).put(port, Objects.requireNonNull(state, "state"));
      return this;
    }

    /** Adds a namespace. */
    public Builder namespace(NamespaceSpec spec) {
      if (namespaces.putIfAbsent(spec.nsid(), spec) != null) {
        throw new IllegalArgumentException("namespace " + Integer.toUnsignedString(spec.nsid())
            + " given twice");
      }
      return this;
    }

    /** PCI vendor id reported as VID and SSVID (default 0, as nvmet). */
    public Builder vendorId(int vid) {
      if (vid < 0 || vid > 0xFFFF) {
        throw new IllegalArgumentException("VID is 16 bits: " + vid);
      }
      this.vendorId = vid;
      return this;
    }

    /** MDTS: largest transfer is 4 KiB x 2^mdts; 0 = no limit (default 8, 1 MiB). */
    public Builder mdts(int mdts) {
      if (mdts < 0 || mdts > 19) {
        throw new IllegalArgumentException("MDTS must be 0..19: " + mdts);
      }
      this.mdts = mdts;
      return this;
    }

    /** ANATT in seconds, reported in Identify Controller (default 10). Not enforced here. */
    public Builder anatt(int seconds) {
      if (seconds < 1 || seconds > 255) {
        throw new IllegalArgumentException("ANATT must be 1..255: " + seconds);
      }
      this.anatt = seconds;
      return this;
    }

    /** Most I/O queues per controller; qids 1..n (default 64). */
    public Builder maxIoQueues(int n) {
      if (n < 1 || n > 0xFFFE) {
        throw new IllegalArgumentException("I/O queues must be 1..65534: " + n);
      }
      this.maxIoQueues = n;
      return this;
    }

    /** Most entries per queue, CAP.MQES + 1 (default 1024). */
    public Builder maxQueueEntries(int n) {
      if (n < 2 || n > 0x10000) {
        throw new IllegalArgumentException("queue entries must be 2..65536: " + n);
      }
      this.maxQueueEntries = n;
      return this;
    }

    /** NN (default: the highest NSID given). */
    public Builder maxNamespaces(int nn) {
      if (nn < 1) {
        throw new IllegalArgumentException("NN must be positive: " + nn);
      }
      this.maxNamespaces = nn;
      return this;
    }

    /**
     * In-capsule data bytes the I/O queues accept (IOCCSZ less the SQE; default 8192), which
     * the controllers report and the NVMe/TCP listener enforces.
     */
    public Builder inCapsuleDataSize(int bytes) {
      if (bytes < 0 || bytes % 16 != 0 || bytes > 0xFFFF * 16 - 64) {
        throw new IllegalArgumentException("in-capsule data must be a multiple of 16: " + bytes);
      }
      this.inCapsuleDataSize = bytes;
      return this;
    }

    /**
     * The executor that runs the controllers' work (each controller serializes its own tasks
     * on it). It must not run tasks on the caller's stack. Default: a small pool of daemon
     * threads that {@link NvmeSubsystem#close()} shuts down. Tests may pass an executor they
     * drain by hand.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Threads of the default pool (default: 2..4 by processor count). */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be positive: " + n);
      }
      this.threads = n;
      return this;
    }

    /** Builds the subsystem. */
    public NvmeSubsystem build() {
      for (Map.Entry<Integer, Map<Integer, AnaState>> g : groups.entrySet()) {
        for (int p : g.getValue().keySet()) {
          if (p < 1 || p > ports) {
            throw new IllegalStateException("ANA group " + g.getKey() + ": no port " + p);
          }
        }
      }
      int maxNsid = 0;
      for (NamespaceSpec s : namespaces.values()) {
        for (int p : s.ports().orElse(Set.of())) {
          if (p < 1 || p > ports) {
            throw new IllegalStateException(s + ": no port " + p);
          }
        }
        if (Integer.compareUnsigned(s.nsid(), maxNsid) > 0) {
          maxNsid = s.nsid();
        }
      }
      if (maxNamespaces != 0 && Integer.compareUnsigned(maxNsid, maxNamespaces) > 0) {
        throw new IllegalStateException(
            "NSID " + Integer.toUnsignedString(maxNsid) + " exceeds NN " + maxNamespaces);
      }
      return new NvmeSubsystem(this);
    }

    private static String ascii(String field, String v, int max) {
      Objects.requireNonNull(v, field);
      if (v.length() > max || !v.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
        throw new IllegalArgumentException(field + " must be at most " + max
            + " printable ASCII characters: " + v);
      }
      return v;
    }
  }
}
