package dev.mpath.nvme.host;

import dev.mpath.DeviceId;
import dev.mpath.nvme.loop.LoopTarget;
import dev.mpath.nvme.loop.LoopTargets;
import dev.mpath.nvme.loop.LoopTransport;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.tcp.NvmeTcpTransport;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.ReservationFanout;
import dev.mpath.spi.Scheduler;
import dev.mpath.spi.UriOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVMe provider: {@code nvme+loop://<target>/<subsystem NQN>} connects one host
 * controller through every port of that subsystem; {@code nvme+tcp://HOST:PORT/<NQN>}
 * connects one controller through that NVMe/TCP port ({@link NvmeTcpTransport}), so
 * several URIs to one subsystem give several paths; {@code nvme+tcp://HOST[:PORT]} without
 * an NQN is a discovery controller, and connecting it connects every subsystem port its log
 * lists (like {@code nvme connect-all}; {@link #discover(URI)} only reads the log).
 *
 * <p>Heads are grouped by (subsystem NQN, NSID). A path whose NGUID, EUI-64, UUID or CSI
 * disagree with what the head's first path reported is refused, and so is a namespace
 * whose identifier another subsystem already uses (both logged as errors).
 *
 * <p>Names follow Linux: controllers {@code nvme<C>} take the smallest free instance; a
 * subsystem takes the instance of the first controller that identified it; a head
 * {@code nvme<S>n<N>} takes the smallest free head instance of its subsystem (from 1, in
 * discovery order) and keeps it for the life of the provider; paths are
 * {@code nvme<S>c<C>n<N>}. The seed topology (subsystem A through three ports with
 * namespace 1 shared and namespace 2 on the third port only, then subsystem B with one
 * port and one namespace) gives {@code nvme0n1} (paths nvme0c0n1, nvme0c1n1, nvme0c2n1),
 * {@code nvme0n2} (nvme0c2n2) and {@code nvme3n1} (nvme3c3n1).
 *
 * <p>A controller is made once per (transport address, subsystem NQN), as Linux refuses a
 * second {@code nvme connect} of the same port ({@code EALREADY}): connecting one again, by
 * the same URI twice, a loop target twice or a discovery log that repeats an entry, makes
 * no second controller and so no doubled paths. The call is merged with the first and
 * completes with its namespaces, and the log says so. The claim ends when the controller is
 * deleted.
 *
 * <p>Failover style: redirect (NVMe has no partial completion). Reservations: per host.
 */
public final class NvmeProvider implements MultipathProvider, HostController.Host {
  private static final Logger LOG = LoggerFactory.getLogger(NvmeProvider.class);

  /** In-process loop transport to a bundled subsystem emulator. */
  public static final String LOOP_SCHEME = "nvme+loop";

  /**
   * NVMe/TCP: {@code nvme+tcp://host[:port]/<NQN>} is one controller through that port;
   * {@code nvme+tcp://host[:port]} (no NQN, port 8009 by default) reads that discovery
   * controller's log and connects every subsystem port it lists.
   */
  public static final String TCP_SCHEME = NvmeTcpTransport.SCHEME;

  private record NsKey(String nqn, int nsid) {}

  private static final class Subsys {
    final int instance;
    final Map<Integer, NsRecord> namespaces = new HashMap<>();
    final BitSet headInstances = new BitSet();

    Subsys(int instance) {
      this.instance = instance;
    }
  }

  private record NsRecord(int headInstance, NamespaceInfo first) {}

  private ProviderContext ctx;
  private NvmeHostOptions options;
  private final Object lock = new Object();
  private final BitSet controllerInstances = new BitSet();
  private final List<HostController> controllers = new ArrayList<>();
  private final Map<String, Subsys> subsystems = new HashMap<>();
  private final Map<DeviceId, NsKey> idOwner = new HashMap<>();
  /** Under lock: each controller by the port and subsystem it reaches, with its first start. */
  private final Map<String, Claim> claims = new HashMap<>();
  private volatile boolean closed;

  private record Claim(HostController controller, CompletableFuture<Void> started) {}

  @Override
  public String name() {
    return "nvme";
  }

  @Override
  public boolean supports(URI uri) {
    return LOOP_SCHEME.equalsIgnoreCase(uri.getScheme())
        || TCP_SCHEME.equalsIgnoreCase(uri.getScheme());
  }

  @Override
  public FailoverStyle failoverStyle() {
    return FailoverStyle.REDIRECT;
  }

  @Override
  public ReservationFanout reservationFanout() {
    return ReservationFanout.PER_HOST;
  }

  @Override
  public void init(ProviderContext context) {
    this.ctx = context;
    this.options = NvmeHostOptions.from(context);
  }

  @Override
  public CompletableFuture<List<DeviceId>> connect(URI uri) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("provider closed"));
    }
    Tuned tuned;
    try {
      tuned = tune(uri);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    uri = tuned.uri();
    NvmeHostOptions opts = tuned.options();
    if (TCP_SCHEME.equalsIgnoreCase(uri.getScheme())) {
      return connectTcp(uri, opts);
    }
    if (uri.getQuery() != null && !uri.getQuery().isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("unknown option '"
          + uri.getQuery() + "' in " + uri + " (io_timeout_ms, admin_timeout_ms, nr_io_queues)"));
    }
    String target = uri.getAuthority();
    String path = uri.getPath();
    if (target == null || target.isEmpty() || path == null || path.length() < 2) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "expected nvme+loop://<target>/<subsystem NQN>, got '" + uri + "'"));
    }
    String nqn = path.substring(1);
    LoopTarget t = LoopTargets.find(target).orElse(null);
    if (t == null) {
      return CompletableFuture.failedFuture(
          new IOException("no NVMe loop target named '" + target + "' (" + uri + ")"));
    }
    List<Integer> ports;
    try {
      ports = t.ports(nqn);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new IOException(e.getMessage(), e));
    }
    // One controller after the other, in port order, as nvme connect-all does: instance
    // numbers and path indexes then follow the ports.
    List<HostController> started = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int port : ports) {
      String key = LOOP_SCHEME + "://" + target + "/" + nqn + " port " + port;
      chain = chain.thenCompose(v -> {
        Claim claim = claim(key, instance ->
            new HostController(this, instance, nqn, () -> new LoopTransport(t, nqn, port), opts));
        started.add(claim.controller());
        return claim.started().exceptionally(e -> null);
      });
    }
    return chain
        .thenCompose(
            v -> {
              Set<DeviceId> ids = new LinkedHashSet<>();
              for (HostController c : started) {
                c.paths.values().forEach(p -> ids.add(p.deviceId()));
              }
              boolean anyLive = started.stream().anyMatch(c -> c.state() == ControllerState.LIVE);
              if (!anyLive) {
                return CompletableFuture.failedFuture(
                    new IOException("no controller of " + nqn + " on " + target + " could connect"));
              }
              return CompletableFuture.completedFuture(List.copyOf(ids));
            });
  }

  /**
   * The controller for {@code key}: the one already made (its start is shared; the merge is
   * logged) or a new one, started now.
   */
  private Claim claim(String key, java.util.function.IntFunction<HostController> make) {
    Claim claim;
    boolean mine = false;
    synchronized (lock) {
      claim = claims.get(key);
      if (claim == null) {
        int instance = controllerInstances.nextClearBit(0);
        controllerInstances.set(instance);
        HostController c = make.apply(instance);
        controllers.add(c);
        claim = new Claim(c, new CompletableFuture<>());
        claims.put(key, claim);
        mine = true;
      }
    }
    if (!mine) {
      LOG.info("{} is already connected as nvme{}; merging, no second controller", key,
          claim.controller().instance());
      return claim;
    }
    Claim c = claim;
    c.controller().start().whenComplete((v, e) -> {
      if (e != null) {
        c.started().completeExceptionally(e);
      } else {
        c.started().complete(null);
      }
    });
    return c;
  }

  /**
   * {@code nvme+tcp://host:port/<nqn>}: one controller through one listener; a discovery URI
   * (no NQN): every subsystem port its log lists, like {@code nvme connect-all}.
   */
  private CompletableFuture<List<DeviceId>> connectTcp(URI uri, NvmeHostOptions opts) {
    NvmeTcpTransport.Target t;
    try {
      t = NvmeTcpTransport.Target.parse(uri);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (t.isDiscovery()) {
      return new ConnectAll(t, this::discover, e -> connectController(e, opts)).run();
    }
    return connectController(t, opts);
  }

  /**
   * Reads the discovery log of a discovery controller, as {@code nvme discover} does
   * (Connect without Keep Alive, Identify, Get Log Page 70h until GENCTR holds still,
   * disconnect). Bounded by the connect timeout of the URI's target.
   *
   * @param uri {@code nvme+tcp://host[:port][?options]} (port 8009 by default)
   * @return the log; fails with {@link IllegalArgumentException} for a URI that is not a
   *     discovery URI, {@link IOException} when the controller cannot be read
   */
  public CompletableFuture<DiscoveryLogPage> discover(URI uri) {
    NvmeTcpTransport.Target t;
    try {
      t = NvmeTcpTransport.Target.parse(uri);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!t.isDiscovery()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(uri
          + " names subsystem " + t.subsystemNqn() + ", not a discovery controller"));
    }
    return discover(t);
  }

  private CompletableFuture<DiscoveryLogPage> discover(NvmeTcpTransport.Target t) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("provider closed"));
    }
    return new DiscoveryClient(new NvmeTcpTransport(t), ctx.scheduler())
        .fetch(t.subsystemNqn(), options.hostNqn(), options.hostId(), 3 * t.connectTimeoutMillis());
  }

  private static Throwable cause(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** One controller through one NVMe/TCP port. */
  private CompletableFuture<List<DeviceId>> connectController(NvmeTcpTransport.Target t,
      NvmeHostOptions opts) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("provider closed"));
    }
    String what = NvmeTcpTransport.SCHEME + "://" + t.address().hostPort() + "/" + t.subsystemNqn();
    // Linux matches traddr, trsvcid, host_traddr, host_iface and subsysnqn (the host NQN is
    // the provider's own); digests and queue sizes do not make another controller
    String key = NvmeTcpTransport.SCHEME + "://" + t.address().normalized() + "/" + t.subsystemNqn();
    Claim claim = claim(key,
        instance -> new HostController(this, instance, t.subsystemNqn(), () -> new NvmeTcpTransport(t),
            opts));
    HostController c = claim.controller();
    return claim.started().handle((v, e) -> {
      if (c.state() != ControllerState.LIVE) {
        String why = e == null ? "" : cause(e).getMessage();
        // transport messages already start with the address
        return CompletableFuture.<List<DeviceId>>failedFuture(new IOException("cannot connect "
            + (why.startsWith(what) ? why : what + (why.isEmpty() ? "" : ": " + why)), e));
      }
      Set<DeviceId> ids = new LinkedHashSet<>();
      c.paths.values().forEach(p -> ids.add(p.deviceId()));
      return CompletableFuture.completedFuture(List.copyOf(ids));
    }).thenCompose(x -> x);
  }

  /** A URI without mpath's own options, and the options they make. */
  private record Tuned(URI uri, NvmeHostOptions options) {}

  /**
   * Takes {@code io_timeout_ms}, {@code admin_timeout_ms} and {@code nr_io_queues} out of a
   * URI's query: they override the provider's for the controllers the URI makes.
   */
  private Tuned tune(URI uri) {
    UriOptions o = UriOptions.take(uri,
        java.util.Set.of("io_timeout_ms", "admin_timeout_ms", "nr_io_queues"));
    return new Tuned(o.rest(), options.withUri(o.duration("io_timeout_ms").orElse(null),
        o.duration("admin_timeout_ms").orElse(null), o.count("nr_io_queues").orElse(null)));
  }

  @Override
  public String headName(DeviceId id, ProviderPath first) {
    return ((NvmeNamespacePath) first).headName();
  }

  @Override
  public String pathName(String headName, int index, ProviderPath path) {
    return ((NvmeNamespacePath) path).name();
  }

  /** The host controllers, in creation order. */
  public List<HostController> controllers() {
    synchronized (lock) {
      return List.copyOf(controllers);
    }
  }

  /** This host's NQN. */
  public String hostNqn() {
    return options.hostNqn();
  }

  /** This host's identifier. */
  public java.util.UUID hostId() {
    return options.hostId();
  }

  @Override
  public void close() {
    closed = true;
    for (HostController c : controllers()) {
      c.delete("provider closed");
    }
  }

  // ------------------------------------------------------------------ HostController.Host

  @Override
  public Scheduler scheduler() {
    return ctx.scheduler();
  }

  @Override
  public NvmeHostOptions options() {
    return options;
  }

  @Override
  public int subsystemInstance(String nqn, int controllerInstance) {
    synchronized (lock) {
      return subsystems.computeIfAbsent(nqn, k -> new Subsys(controllerInstance)).instance;
    }
  }

  @Override
  public void namespaceFound(HostController ctrl, NamespaceInfo ns) {
    String nqn = ctrl.subsystemNqn();
    NsKey key = new NsKey(nqn, ns.nsid());
    int s;
    int n;
    synchronized (lock) {
      Subsys sub = subsystems.get(nqn);
      NsRecord rec = sub.namespaces.get(ns.nsid());
      if (rec == null) {
        NsKey owner = idOwner.get(ns.id());
        if (owner != null && !owner.equals(key)) {
          LOG.error("refusing namespace {} of {}: identifier {} is already used by namespace {} of {}",
              ns.nsid(), nqn, ns.id(), owner.nsid(), owner.nqn());
          return;
        }
        int head = sub.headInstances.nextClearBit(1);
        sub.headInstances.set(head);
        rec = new NsRecord(head, ns);
        sub.namespaces.put(ns.nsid(), rec);
        idOwner.put(ns.id(), key);
      } else if (!rec.first().sameIdentity(ns)) {
        LOG.error("refusing path nvme{}c{}n{}: namespace {} of {} reports identifiers that disagree"
                + " with its head's", sub.instance, ctrl.instance(), rec.headInstance(), ns.nsid(), nqn);
        return;
      }
      s = sub.instance;
      n = rec.headInstance();
    }
    NvmeNamespacePath existing = ctrl.paths.get(ns.nsid());
    if (existing != null) {
      existing.update(ns);
      return;
    }
    NvmeNamespacePath p =
        new NvmeNamespacePath(ctrl, ns, "nvme" + s + "n" + n, "nvme" + s + "c" + ctrl.instance() + "n" + n);
    ctrl.paths.put(ns.nsid(), p);
    try {
      ctx.attach(p);
    } catch (RuntimeException e) {
      ctrl.paths.remove(ns.nsid());
      LOG.error("cannot attach {}: {}", p.name(), e.getMessage());
    }
  }

  @Override
  public void namespaceGone(HostController ctrl, int nsid) {
    NvmeNamespacePath p = ctrl.paths.remove(nsid);
    if (p != null && p.sink() != null) {
      p.sink().detach();
    }
  }

  @Override
  public void controllerDeleted(HostController ctrl) {
    synchronized (lock) {
      claims.values().removeIf(c -> c.controller() == ctrl);
      controllers.remove(ctrl);
      controllerInstances.clear(ctrl.instance());
    }
  }
}
