package dev.mpath.scsi.host;

import dev.mpath.DeviceId;
import dev.mpath.scsi.iscsi.IscsiEndpoint;
import dev.mpath.scsi.iscsi.IscsiSettings;
import dev.mpath.scsi.iscsi.IscsiTransport;
import dev.mpath.scsi.iscsi.TargetAddress;
import dev.mpath.scsi.loop.ScsiLoopTarget;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.loop.ScsiLoopTransport;
import dev.mpath.spi.DeviceNames;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.ReservationFanout;
import dev.mpath.spi.UriOptions;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI provider: {@code scsi+loop://<target>/<target name>/<lun>} logs this host's
 * initiator port in through every target port and makes one path per nexus.
 *
 * <p>{@code ?port=1,2} limits the login to those relative target ports (to add paths
 * later, or test a subset).
 *
 * <p>A nexus is made once: connecting a LU through a target port (or iSCSI portal and
 * target) that already has a path to it, by the same URI twice or a port listed twice,
 * makes no second session (two logins of one I_T nexus would reinstate each other without
 * end); the call is merged with the first and completes with its device, and says so in
 * the log. The claim ends when the provider closes.
 *
 * <p>Identity: VPD page 83h, association logical unit, in the frozen order of
 * {@link LuIdentity}. Names: heads {@code sd<letters>} in creation order (a WWID seen
 * again keeps its name for the life of the provider), paths {@code sd<letters>:<index>}.
 * Failover style: clone (SCSI may complete partially). Reservations: per I_T nexus, so the
 * head registers through every path. ALUA through {@link dev.mpath.alua.AluaHandler} when
 * the LU reports TPGS. Path checker: TEST UNIT READY.
 *
 * <p>Its parts: {@link ScsiScan} (REPORT LUNS and the identification of a LUN) and
 * {@link SessionPaths} (a session's paths across its replacement timeout, return and LUN
 * changes); the provider keeps the URIs, the claims (one nexus and LUN is connected once),
 * the sessions and the names.
 */
public final class ScsiProvider implements MultipathProvider {
  /** The provider's log, also that of its parts ({@link ScsiScan}, {@link SessionPaths}). */
  static final Logger LOG = LoggerFactory.getLogger(ScsiProvider.class);

  public static final String LOOP_SCHEME = "scsi+loop";

  private ProviderContext ctx;
  private ScsiHostOptions options;
  private final Object lock = new Object();
  private final Map<DeviceId, String> names = new HashMap<>();
  private int nextName;
  private int nextIsid; // under lock: each iSCSI nexus gets its own ISID qualifier
  private final List<ScsiSession> sessions = new ArrayList<>();
  /** Under lock: every (nexus, LUN) connected or being connected, to its device. */
  private final Map<PathKey, CompletableFuture<DeviceId>> claims = new HashMap<>();
  /**
   * Under lock: the iSCSI session of each nexus (initiator, portal, target), with the future
   * of its first login; every URI for that nexus, with or without a LUN, shares it.
   */
  private final Map<String, NexusSession> nexusSessions = new HashMap<>();
  /** Under lock: whole-target iSCSI connects (every LUN) by nexus. */
  private final Map<String, CompletableFuture<List<DeviceId>>> wholeTargets = new HashMap<>();
  private volatile boolean closed;

  /** A claim: one LUN through one nexus. */
  record PathKey(String nexus, int lun) {}

  /** A shared session and its first login. */
  private record NexusSession(ScsiSession session, CompletableFuture<Void> started) {}

  /** Keeps each session's paths in step with the session and its target. */
  private final SessionPaths owner = new SessionPaths(this);

  /**
   * Closes a session that carries no path and no connect under way (a failure, every LU
   * merged elsewhere, every path gone).
   */
  void closeIfUnused(ScsiSession s) {
    synchronized (lock) {
      if (closed || !s.paths.isEmpty() || s.users > 0) {
        return;
      }
      sessions.remove(s);
      NexusSession ns = nexusSessions.get(s.key);
      if (ns != null && ns.session() == s) {
        nexusSessions.remove(s.key);
      }
    }
    s.close();
  }

  @Override
  public String name() {
    return "scsi";
  }

  @Override
  public boolean supports(URI uri) {
    return LOOP_SCHEME.equalsIgnoreCase(uri.getScheme())
        || IscsiTransport.SCHEME.equalsIgnoreCase(uri.getScheme());
  }

  @Override
  public FailoverStyle failoverStyle() {
    return FailoverStyle.CLONE;
  }

  @Override
  public ReservationFanout reservationFanout() {
    return ReservationFanout.PER_NEXUS;
  }

  @Override
  public void init(ProviderContext context) {
    this.ctx = context;
    this.options = ScsiHostOptions.from(context);
  }

  /** This host's initiator port name. */
  public String initiatorPort() {
    return options.initiatorPort();
  }

  @Override
  public CompletableFuture<List<DeviceId>> connect(URI given) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("provider closed"));
    }
    ScsiHostOptions opts;
    URI uri;
    try {
      UriOptions o = UriOptions.take(given, ScsiHostOptions.URI_KEYS);
      uri = o.rest();
      opts = options.with(o);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (IscsiTransport.SCHEME.equalsIgnoreCase(uri.getScheme())) {
      return connectIscsi(uri, opts);
    }
    String[] parts = uri.getPath() == null ? new String[0] : uri.getPath().split("/");
    if (uri.getAuthority() == null || parts.length != 3 || parts[1].isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "expected scsi+loop://<target>/<target name>/<lun>, got '" + uri + "'"));
    }
    int lun;
    try {
      lun = Integer.parseInt(parts[2]);
    } catch (NumberFormatException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("LUN '" + parts[2] + "' is not a number in " + uri));
    }
    ScsiLoopTarget t = ScsiLoopTargets.find(uri.getAuthority()).orElse(null);
    if (t == null || !t.target().name().equals(parts[1])) {
      return CompletableFuture.failedFuture(
          new IOException("no SCSI loop target " + uri.getAuthority() + "/" + parts[1]));
    }
    List<Integer> ports;
    try {
      ports = selectPorts(uri, t.target().ports());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    // One nexus after the other, in port order, so path indexes follow the ports.
    List<CompletableFuture<DeviceId>> found = new ArrayList<>();
    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
    for (int port : ports) {
      String key = LOOP_SCHEME + "://" + uri.getAuthority() + "/" + parts[1] + " port " + port;
      CompletableFuture<DeviceId> mine = new CompletableFuture<>();
      CompletableFuture<DeviceId> first = claim(new PathKey(key, lun), mine);
      if (first != null) {
        LOG.info("{} lun {} is already connected; merging with that path", key, lun);
        found.add(first);
        continue;
      }
      ScsiSession s = new ScsiSession(key,
          () -> new ScsiLoopTransport(t, port, options.initiatorPort()), owner, ctx.scheduler(),
          opts);
      synchronized (lock) {
        sessions.add(s);
      }
      CompletableFuture<ScsiPath> f = chain.thenCompose(v -> s.start())
          .thenCompose(v -> ScsiScan.identify(s, lun)).thenCompose(p -> attach(s, p))
          .exceptionally(e -> {
            LOG.warn("{} lun {}: {}", s.address(), lun, cause(e).toString());
            return null;
          });
      f.thenAccept(p -> settle(new PathKey(key, lun), mine, p, s));
      found.add(mine);
      chain = f;
    }
    return chain.thenCompose(v -> devices(found, () -> "no path to " + uri + " could be set up"));
  }

  /**
   * The devices of the paths found or merged, once every one has settled, in order and
   * without repeats; fails with {@code none} when there is not one.
   */
  private static CompletableFuture<List<DeviceId>> devices(
      List<CompletableFuture<DeviceId>> found, java.util.function.Supplier<String> none) {
    return CompletableFuture.allOf(found.stream().map(f -> f.handle((id, e) -> id))
            .toArray(CompletableFuture[]::new))
        .thenCompose(v -> {
          Set<DeviceId> ids = new LinkedHashSet<>();
          for (CompletableFuture<DeviceId> f : found) {
            DeviceId id = f.handle((x, e) -> x).join();
            if (id != null) {
              ids.add(id);
            }
          }
          return ids.isEmpty()
              ? CompletableFuture.<List<DeviceId>>failedFuture(new IOException(none.get()))
              : CompletableFuture.completedFuture(List.copyOf(ids));
        });
  }

  /**
   * Claims {@code key} for {@code mine}; null when the caller now owns it, else the future
   * of the connect that owns it already.
   */
  CompletableFuture<DeviceId> claim(PathKey key, CompletableFuture<DeviceId> mine) {
    synchronized (lock) {
      CompletableFuture<DeviceId> first = claims.putIfAbsent(key, mine);
      return first;
    }
  }

  /** Ends a claim: the path that now holds it, or none (the claim is released, the session closed). */
  void settle(PathKey key, CompletableFuture<DeviceId> mine, ScsiPath p, ScsiSession s) {
    if (p != null) {
      mine.complete(p.deviceId());
      return;
    }
    synchronized (lock) {
      claims.remove(key, mine);
    }
    mine.completeExceptionally(new IOException("no path through " + key + " lun " + key.lun()));
    if (s != null) {
      closeIfUnused(s);
    }
  }

  /** Ends the claim of a path that is gone. */
  void unclaim(PathKey key) {
    synchronized (lock) {
      claims.remove(key);
    }
  }

  /** Whether {@link #close} was called. */
  boolean isClosed() {
    return closed;
  }

  /**
   * {@code iscsi://[user%25secret@]host[:port][/<target iqn>[/<lun>]]}: one nexus (one iSCSI
   * session, with its own ISID) per URI and target portal. With a LUN, that LU; without
   * one, every LUN the target reports (REPORT LUNS) through the one session; without a
   * target, SendTargets discovery through that portal and then every portal of every
   * target it lists. Several URIs for the same LU through different portals make several
   * paths of one head.
   */
  private CompletableFuture<List<DeviceId>> connectIscsi(URI uri, ScsiHostOptions opts) {
    IscsiEndpoint ep;
    try {
      ep = IscsiEndpoint.parse(uri);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!ep.isDiscovery()) {
      return connectNexus(ep, opts);
    }
    return sendTargets(ep)
        .thenCompose(targets -> {
          List<IscsiEndpoint> nexuses = new ArrayList<>();
          for (Map.Entry<String, List<String>> t : targets.entrySet()) {
            List<String> portals = t.getValue().isEmpty()
                // RFC 7143 12.4: no TargetAddress means the target is at the same portal
                ? List.of(ep.portal().hostPort()) : t.getValue();
            for (String a : portals) {
              try {
                nexuses.add(ep.to(TargetAddress.parse(a).address(), t.getKey(), IscsiEndpoint.ALL_LUNS));
              } catch (IllegalArgumentException bad) {
                LOG.warn("{}: ignoring TargetAddress '{}' of {}: {}", ep.address(), a, t.getKey(),
                    bad.getMessage());
              }
            }
          }
          if (nexuses.isEmpty()) {
            return CompletableFuture.<List<DeviceId>>failedFuture(
                new IOException("SendTargets through " + ep.address() + " lists no target"));
          }
          // one after the other, as iscsiadm --login does, so path indexes follow the list
          Set<DeviceId> ids = new LinkedHashSet<>();
          CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
          for (IscsiEndpoint n : nexuses) {
            chain = chain.thenCompose(v -> connectNexus(n, opts)
                .handle((found, err) -> {
                  if (found != null) {
                    ids.addAll(found);
                  }
                  return null;
                }));
          }
          return chain.thenCompose(v -> ids.isEmpty()
              ? CompletableFuture.<List<DeviceId>>failedFuture(
                  new IOException("no portal listed by " + ep.address() + " could be logged in"))
              : CompletableFuture.completedFuture(List.copyOf(ids)));
        });
  }

  /**
   * SendTargets discovery through one portal, as {@code iscsiadm -m discovery -t st} does: a
   * Discovery session, {@code SendTargets=All}, logout.
   *
   * @param uri {@code iscsi://[user%25secret@]host[:port][?iface options]} with no target
   * @return target name to its TargetAddress values ({@code host:port,tpgt}; empty when the
   *     target is at the portal asked), in the order the target listed them; fails with
   *     {@link IllegalArgumentException} for a URI that names a target, {@link IOException}
   *     when the portal cannot be asked
   */
  public CompletableFuture<Map<String, List<String>>> discover(URI uri) {
    IscsiEndpoint ep;
    try {
      ep = IscsiEndpoint.parse(uri);
      if (!ep.isDiscovery()) {
        throw new IllegalArgumentException(uri + " names target " + ep.targetName()
            + "; discovery takes a portal only");
      }
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return sendTargets(ep);
  }

  private CompletableFuture<Map<String, List<String>>> sendTargets(IscsiEndpoint ep) {
    return IscsiTransport.sendTargets(ep, settings()).handle((targets, e) -> {
      if (e != null) {
        throw new java.util.concurrent.CompletionException(new IOException(
            "SendTargets through " + ep.address() + " failed: " + cause(e).getMessage(), cause(e)));
      }
      return targets;
    });
  }

  private IscsiSettings settings() {
    synchronized (lock) {
      return IscsiSettings.of(options.initiatorName(), IscsiSettings.isid(options.isid(), nextIsid++));
    }
  }

  /** The nexus an endpoint makes: portal and source in one spelling, and the target. */
  private static String nexusKey(IscsiEndpoint ep) {
    return IscsiTransport.SCHEME + "://" + ep.portal().normalized() + "/"
        + ep.targetName().toLowerCase(java.util.Locale.ROOT); // RFC 3722: names compare case-folded
  }

  /** One session to one portal: the endpoint's LUN, or every LUN REPORT LUNS lists. */
  private CompletableFuture<List<DeviceId>> connectNexus(IscsiEndpoint ep, ScsiHostOptions opts) {
    String key = nexusKey(ep);
    boolean all = ep.lun() == IscsiEndpoint.ALL_LUNS;
    CompletableFuture<DeviceId> mineLun = new CompletableFuture<>();
    CompletableFuture<List<DeviceId>> mineAll = new CompletableFuture<>();
    synchronized (lock) {
      if (all) {
        CompletableFuture<List<DeviceId>> first = wholeTargets.putIfAbsent(key, mineAll);
        if (first != null) {
          LOG.info("{} is already connected; merging with those paths", key);
          return first;
        }
      } else {
        CompletableFuture<DeviceId> first = claims.putIfAbsent(new PathKey(key, ep.lun()), mineLun);
        if (first != null) {
          LOG.info("{} lun {} is already connected; merging with that path", key, ep.lun());
          return first.thenApply(List::of);
        }
      }
    }
    NexusSession ns;
    boolean fresh;
    synchronized (lock) {
      ns = nexusSessions.get(key);
      fresh = ns == null;
      if (fresh) {
        IscsiSettings settings = settings().withNop(opts.nopInterval(), opts.nopTimeout());
        ScsiSession made = new ScsiSession(key, () -> new IscsiTransport(ep, settings), owner,
            ctx.scheduler(), opts);
        ns = new NexusSession(made, new CompletableFuture<>());
        nexusSessions.put(key, ns);
        sessions.add(made);
      }
      ns.session().users++;
      if (all) {
        ns.session().wholeTarget = true;
      }
    }
    ScsiSession s = ns.session();
    if (fresh) {
      NexusSession started = ns;
      s.start().whenComplete((v, e) -> {
        if (e != null) {
          synchronized (lock) {
            nexusSessions.remove(key, started);
          }
          started.started().completeExceptionally(cause(e));
        } else {
          started.started().complete(null);
        }
      });
    } else {
      LOG.info("{}: sharing the session of this nexus", ep.address());
    }
    CompletableFuture<List<Integer>> luns = all
        ? ns.started().thenCompose(v -> ScsiScan.reportLuns(s))
        : ns.started().thenApply(v -> List.of(ep.lun()));
    CompletableFuture<List<DeviceId>> result = luns.thenCompose(list -> {
      List<CompletableFuture<DeviceId>> found = new ArrayList<>();
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int lun : list) {
        PathKey pk = new PathKey(key, lun);
        CompletableFuture<DeviceId> mine = all ? new CompletableFuture<>() : mineLun;
        if (all) {
          CompletableFuture<DeviceId> first = claim(pk, mine);
          if (first != null) {
            LOG.info("{} lun {} is already connected; merging with that path", key, lun);
            found.add(first);
            continue;
          }
        }
        found.add(mine);
        chain = chain.thenCompose(v -> ScsiScan.identify(s, lun).thenCompose(p -> attach(s, p))
            .handle((p, e) -> {
              if (p == null) {
                if (!all) {
                  settle(pk, mine, null, null);
                  throw new CompletionException(cause(e));
                } else if (cause(e) instanceof ScsiScan.NotABlockDevice) {
                  LOG.info("skipping {}", cause(e).getMessage());
                } else {
                  LOG.warn("{} lun {}: {}", ep.address(), lun, cause(e).toString());
                }
              }
              settle(pk, mine, p, null);
              return null;
            }));
      }
      return chain.thenCompose(v -> devices(found,
          () -> ep.address() + ": no usable logical unit among " + list));
    }).whenComplete((ids, e) -> {
      if (e != null) {
        LOG.warn("{}: {}", ep.address(), cause(e).toString());
      }
      synchronized (lock) {
        s.users--;
      }
      closeIfUnused(s);
      if (!all && e != null) {
        settle(new PathKey(key, ep.lun()), mineLun, null, null);
      }
    });
    if (all) {
      result.whenComplete((ids, e) -> {
        if (e != null) {
          synchronized (lock) {
            wholeTargets.remove(key, mineAll);
          }
          mineAll.completeExceptionally(cause(e));
        } else {
          mineAll.complete(ids);
        }
      });
    }
    return result;
  }

  /** All target ports, or those of a {@code ?port=1,2} query. */
  static List<Integer> selectPorts(URI uri, List<Integer> all) {
    String q = uri.getQuery();
    if (q == null || q.isEmpty()) {
      return all;
    }
    if (!q.startsWith("port=")) {
      throw new IllegalArgumentException("unknown query '" + q + "' in " + uri + " (only port=N[,N])");
    }
    List<Integer> out = new ArrayList<>();
    for (String p : q.substring(5).split(",")) {
      int n;
      try {
        n = Integer.parseInt(p.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port '" + p + "' is not a number in " + uri);
      }
      if (!all.contains(n)) {
        throw new IllegalArgumentException("target has no port " + n + " (ports " + all + ")");
      }
      if (out.contains(n)) {
        LOG.info("port {} is listed twice in {}; one nexus per port", n, uri);
        continue;
      }
      out.add(n);
    }
    return out;
  }

  /** Starts ALUA on a path found and hands it to the engine. */
  CompletableFuture<ScsiPath> attach(ScsiSession s, ScsiPath p) {
    return p.startAlua(ctx.scheduler()).thenApply(v -> {
      s.paths.add(p);
      ctx.attach(p);
      return p;
    });
  }

  @Override
  public String headName(DeviceId id, ProviderPath first) {
    synchronized (lock) {
      return names.computeIfAbsent(id, k -> "sd" + DeviceNames.letters(nextName++));
    }
  }

  /** The sessions (one per nexus), in creation order. */
  public List<ScsiSession> sessions() {
    synchronized (lock) {
      return List.copyOf(sessions);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ScsiSession s : sessions()) {
      s.paths.forEach(ScsiPath::close);
      s.close();
    }
  }

  /** The cause a CompletionException wraps. */
  static Throwable cause(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
