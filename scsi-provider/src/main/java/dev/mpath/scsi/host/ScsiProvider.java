package dev.mpath.scsi.host;

import dev.mpath.DeviceId;
import dev.mpath.scsi.iscsi.IscsiEndpoint;
import dev.mpath.scsi.iscsi.IscsiSettings;
import dev.mpath.scsi.iscsi.IscsiTransport;
import dev.mpath.scsi.iscsi.TargetAddress;
import dev.mpath.scsi.loop.ScsiLoopTarget;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.loop.ScsiLoopTransport;
import dev.mpath.scsi.proto.BlockLimitsVpd;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.Peripheral;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.ReportLunsData;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.spi.DeviceNames;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.ReservationFanout;
import dev.mpath.spi.UriOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
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
 */
public final class ScsiProvider implements MultipathProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ScsiProvider.class);

  public static final String LOOP_SCHEME = "scsi+loop";
  static final int INQUIRY_LENGTH = 96;
  static final int VPD_LENGTH = 1024;
  static final int IDENTIFY_UA_RETRIES = 4;
  /** REPORT LUNS allocation: header plus 2047 LUNs. */
  static final int REPORT_LUNS_LENGTH = 16384;

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

  private record PathKey(String nexus, int lun) {}

  /** A shared session and its first login. */
  private record NexusSession(ScsiSession session, CompletableFuture<Void> started) {}

  /** Removes a session's paths at its replacement timeout, and finds them again after. */
  private final ScsiSession.Owner owner = new ScsiSession.Owner() {
    @Override
    public void replacementTimeoutExpired(ScsiSession s) {
      List<ScsiPath> gone = List.copyOf(s.paths);
      s.paths.removeAll(gone);
      List<Integer> luns = new ArrayList<>();
      for (ScsiPath p : gone) {
        luns.add(p.lun());
        synchronized (lock) {
          claims.remove(new PathKey(s.key, p.lun()));
        }
        p.close();
        if (p.sink() != null) {
          p.sink().detach(); // the head starts delayed removal if this was its last path
        }
      }
      s.removed(luns);
    }

    @Override
    public void returned(ScsiSession s, List<Integer> luns) {
      if (closed) {
        return;
      }
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int lun : luns) {
        PathKey key = new PathKey(s.key, lun);
        chain = chain.thenCompose(v -> {
          CompletableFuture<DeviceId> mine = new CompletableFuture<>();
          if (claim(key, mine) != null) {
            LOG.info("{} lun {} came back but is connected through another session now", s.key, lun);
            return CompletableFuture.completedFuture(null);
          }
          return identify(s, lun).thenCompose(p -> attach(s, p)).handle((p, e) -> {
            if (p == null) {
              LOG.warn("{} lun {}: not found again after the session returned ({}); connect it"
                  + " again to add it", s.address(), lun, cause(e).toString());
            } else {
              LOG.info("{} lun {}: path back after the session returned", s.address(), lun);
            }
            settle(key, mine, p, null);
            return null;
          });
        });
      }
      chain.whenComplete((v, e) -> closeIfUnused(s));
    }

    @Override
    public void lunsChanged(ScsiSession s) {
      rescan(s);
    }
  };

  /**
   * Looks at a session's LUNs again (REPORTED LUNS DATA HAS CHANGED): a path whose LUN the
   * target no longer reports is removed from its head (which starts delayed removal if it was
   * the last); on a whole-target session a new LUN becomes a path. One rescan at a time per
   * session; one asked for while another runs follows it.
   */
  private void rescan(ScsiSession s) {
    if (closed) {
      return;
    }
    s.rescanAgain.set(true);
    if (!s.rescanning.compareAndSet(false, true)) {
      return;
    }
    s.rescanAgain.set(false);
    reportLuns(s).thenCompose(list -> {
      Set<Integer> now = new java.util.HashSet<>(list);
      for (ScsiPath p : List.copyOf(s.paths)) {
        if (!now.contains(p.lun())) {
          LOG.info("{} lun {}: no longer reported by the target; removing its path",
              s.address(), p.lun());
          removePath(s, p);
        }
      }
      if (!s.wholeTarget) {
        return CompletableFuture.completedFuture(null);
      }
      Set<Integer> have = new java.util.HashSet<>();
      s.paths.forEach(p -> have.add(p.lun()));
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int lun : list) {
        if (have.contains(lun)) {
          continue;
        }
        PathKey key = new PathKey(s.key, lun);
        chain = chain.thenCompose(v -> {
          CompletableFuture<DeviceId> mine = new CompletableFuture<>();
          if (claim(key, mine) != null) {
            return CompletableFuture.completedFuture(null); // connected already, or under way
          }
          return identify(s, lun).thenCompose(p -> attach(s, p)).handle((p, e) -> {
            if (p != null) {
              LOG.info("{} lun {}: new LUN, path added", s.address(), lun);
            } else if (cause(e) instanceof NotABlockDevice) {
              LOG.info("skipping {}", cause(e).getMessage());
            } else {
              LOG.warn("{} lun {}: new LUN not usable: {}", s.address(), lun, cause(e).toString());
            }
            settle(key, mine, p, null);
            return null;
          });
        });
      }
      return chain;
    }).whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("{}: LUN rescan failed: {}", s.address(), cause(e).toString());
      }
      s.rescanning.set(false);
      if (s.rescanAgain.get()) {
        rescan(s);
      }
    });
  }

  /** Takes one path out of its session and head. */
  private void removePath(ScsiSession s, ScsiPath p) {
    s.paths.remove(p);
    synchronized (lock) {
      claims.remove(new PathKey(s.key, p.lun()));
    }
    p.close();
    if (p.sink() != null) {
      p.sink().detach(); // the head starts delayed removal if this was its last path
    }
  }

  /**
   * Closes a session that carries no path and no connect under way (a failure, every LU
   * merged elsewhere, every path gone).
   */
  private void closeIfUnused(ScsiSession s) {
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
          .thenCompose(v -> identify(s, lun)).thenCompose(p -> attach(s, p))
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
  private CompletableFuture<DeviceId> claim(PathKey key, CompletableFuture<DeviceId> mine) {
    synchronized (lock) {
      CompletableFuture<DeviceId> first = claims.putIfAbsent(key, mine);
      return first;
    }
  }

  /** Ends a claim: the path that now holds it, or none (the claim is released, the session closed). */
  private void settle(PathKey key, CompletableFuture<DeviceId> mine, ScsiPath p, ScsiSession s) {
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
        ? ns.started().thenCompose(v -> reportLuns(s))
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
        chain = chain.thenCompose(v -> identify(s, lun).thenCompose(p -> attach(s, p))
            .handle((p, e) -> {
              if (p == null) {
                if (!all) {
                  settle(pk, mine, null, null);
                  throw new CompletionException(cause(e));
                } else if (cause(e) instanceof NotABlockDevice) {
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

  /** A LUN that is not a connected direct-access block device: not a path, not an error. */
  private static final class NotABlockDevice extends IOException {
    NotABlockDevice(String message) {
      super(message);
    }
  }

  /** REPORT LUNS (SPC-4 6.33) through LUN 0: the LUN numbers a target reports, in order. */
  private CompletableFuture<List<Integer>> reportLuns(ScsiSession s) {
    ByteBuffer data = ByteBuffer.allocate(REPORT_LUNS_LENGTH);
    return command(s, 0, ReportLunsCdb.of(REPORT_LUNS_LENGTH).toBytes(), data, IDENTIFY_UA_RETRIES)
        .thenApply(r -> {
          byte[] b = slice(data, r);
          ReportLunsData d;
          try {
            d = ReportLunsData.decode(b, 0, b.length);
          } catch (RuntimeException e) {
            throw new CompletionException(new PathFailureException(s.address()
                + ": malformed REPORT LUNS data: " + e.getMessage(), e));
          }
          List<Integer> out = new ArrayList<>();
          for (Lun l : d.luns()) {
            if (l.isSimple()) {
              out.add(l.number());
            } else {
              LOG.info("{}: skipping LUN {} (address method {})", s.address(),
                  Long.toHexString(l.value()), l.addressMethod());
            }
          }
          return out;
        });
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

  private CompletableFuture<ScsiPath> attach(ScsiSession s, ScsiPath p) {
    return p.startAlua(ctx.scheduler()).thenApply(v -> {
      s.paths.add(p);
      ctx.attach(p);
      return p;
    });
  }

  /** INQUIRY, VPD 83h and READ CAPACITY (16) through a fresh nexus. */
  private CompletableFuture<ScsiPath> identify(ScsiSession s, int lun) {
    ByteBuffer inq = ByteBuffer.allocate(INQUIRY_LENGTH);
    ByteBuffer vpd = ByteBuffer.allocate(VPD_LENGTH);
    ByteBuffer cap = ByteBuffer.allocate(ReadCapacity16Data.LENGTH);
    return command(s, lun, InquiryCdb.standard(INQUIRY_LENGTH).toBytes(), inq, IDENTIFY_UA_RETRIES)
        .thenApply(r1 -> {
          // only a connected direct-access block device is a path (tgt's LUN 0, say, is a
          // storage controller LU, type 0Ch): decide before asking it anything else
          Peripheral per;
          try {
            per = StandardInquiryData.decode(slice(inq, r1)).peripheral();
          } catch (ScsiProtocolException e) {
            throw new CompletionException(e);
          }
          if (per.qualifier() != Peripheral.QUALIFIER_CONNECTED) {
            throw new CompletionException(new NotABlockDevice(s.address() + ": no logical unit " + lun));
          }
          if (per.deviceType() != Peripheral.TYPE_DIRECT_ACCESS_BLOCK) {
            throw new CompletionException(new NotABlockDevice(String.format(
                "%s: LUN %d is peripheral device type %02Xh, not a direct-access block device",
                s.address(), lun, per.deviceType())));
          }
          return r1;
        })
        .thenCompose(r1 -> command(s, lun, InquiryCdb.vpd(0x83, VPD_LENGTH).toBytes(), vpd, IDENTIFY_UA_RETRIES)
            .thenCompose(r2 -> command(s, lun, ReadCapacity16Cdb.of(ReadCapacity16Data.LENGTH).toBytes(), cap,
                IDENTIFY_UA_RETRIES)
                .thenApply(r3 -> {
                  try {
                    StandardInquiryData std = StandardInquiryData.decode(slice(inq, r1));
                    DeviceIdentificationVpd ids = DeviceIdentificationVpd.decode(
                        slice(vpd, r2), 0, r2.transferred());
                    DeviceId id = LuIdentity.of(ids.designators()).orElseThrow(() ->
                        new PathFailureException(s.address() + ": LU " + lun + " has no usable designator"));
                    ReadCapacity16Data c = ReadCapacity16Data.decode(slice(cap, r3));
                    return new ScsiPath.LuInfo(
                        id, c.returnedLba() + 1, (int) c.logicalBlockLength(),
                        ids.relativeTargetPortId().orElse(0), ids.targetPortGroupId().orElse(0),
                        std.tpgs(), std.vendorId(), std.productId(), 0);
                  } catch (ScsiProtocolException | PathFailureException e) {
                    throw new CompletionException(e);
                  }
                })))
        .thenCompose(info -> blockLimits(s, lun).thenApply(max -> new ScsiPath(s, lun, info.withMaxTransfer(max))));
  }

  /**
   * MAXIMUM TRANSFER LENGTH from VPD page B0h (SBC-3 6.5.3), in blocks; 0 when the LU does
   * not report one (the page is optional: any failure means no limit).
   */
  private CompletableFuture<Long> blockLimits(ScsiSession s, int lun) {
    ByteBuffer b0 = ByteBuffer.allocate(64);
    return command(s, lun, InquiryCdb.vpd(0xB0, 64).toBytes(), b0, IDENTIFY_UA_RETRIES)
        .thenApply(r -> {
          try {
            return BlockLimitsVpd.decode(slice(b0, r), 0, r.transferred()).maxTransferLength();
          } catch (ScsiProtocolException e) {
            return 0L;
          }
        })
        .exceptionally(e -> 0L);
  }

  private static byte[] slice(ByteBuffer b, ScsiResult r) {
    byte[] out = new byte[Math.max(0, Math.min(b.capacity(), r.transferred()))];
    b.get(0, out);
    return out;
  }

  /** A command during identification; unit attentions (power on, reset) are retried. */
  private CompletableFuture<ScsiResult> command(ScsiSession s, int lun, byte[] cdb, ByteBuffer data, int retries) {
    return s.execute(lun, cdb, data, data.capacity()).thenCompose(r -> {
      if (r.good()) {
        return CompletableFuture.completedFuture(r);
      }
      boolean ua = r.senseData().map(sd -> sd.senseKey() == SenseKey.UNIT_ATTENTION).orElse(false);
      if (ua && retries > 0) {
        return command(s, lun, cdb, data, retries - 1);
      }
      return CompletableFuture.failedFuture(ScsiClassifier.error(r, s.address()));
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

  private static Throwable cause(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
