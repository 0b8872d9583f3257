package dev.mpath.nvme.host;

import dev.mpath.DeviceId;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.tcp.FabricsCommands;
import dev.mpath.nvme.tcp.NvmeTcpTransport;
import dev.mpath.spi.NetAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code connect-all}: the discovery log's NVMe subsystem entries over TCP, one controller
 * each in log order (so instances follow the log), referrals followed up to
 * {@link #MAX_REFERRAL_DEPTH} deep, each (address, port, NQN) at most once. Entries this
 * host cannot use (another transport, a required secure channel) are logged and skipped.
 * Succeeds with the devices found when at least one controller connected.
 */
final class ConnectAll {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectAll.class);
  /** Referrals followed from the first discovery controller (libnvme stops at 10). */
  static final int MAX_REFERRAL_DEPTH = 4;

  private final NvmeTcpTransport.Target root;
  private final Set<String> seen = new HashSet<>();
  private final Set<DeviceId> ids = new LinkedHashSet<>();
  private final List<String> failures = new ArrayList<>();
  private int connected;
  private int tried;

  private final Function<NvmeTcpTransport.Target, CompletableFuture<DiscoveryLogPage>> discover;
  private final Function<NvmeTcpTransport.Target, CompletableFuture<List<DeviceId>>> connect;

  /**
   * @param discover reads one discovery controller's log
   * @param connect connects one controller, completing with the devices it reached
   */
  ConnectAll(NvmeTcpTransport.Target root,
      Function<NvmeTcpTransport.Target, CompletableFuture<DiscoveryLogPage>> discover,
      Function<NvmeTcpTransport.Target, CompletableFuture<List<DeviceId>>> connect) {
    this.root = root;
    this.discover = discover;
    this.connect = connect;
  }

  CompletableFuture<List<DeviceId>> run() {
    seen.add(key(root));
    return visit(root, 0).thenCompose(v -> {
      if (connected == 0) {
        String why = tried == 0 ? "lists no NVMe/TCP subsystem this host can connect"
            : "lists " + tried + " subsystem port(s); none connected: " + String.join("; ", failures);
        return CompletableFuture.failedFuture(new IOException("discovery at "
            + root.address().hostPort() + " " + why));
      }
      return CompletableFuture.completedFuture(List.copyOf(ids));
    });
  }

  private CompletableFuture<Void> visit(NvmeTcpTransport.Target d, int depth) {
    return discover.apply(d).thenCompose(page -> {
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (DiscoveryLogPage.Entry e : page.entries()) {
        chain = chain.thenCompose(v -> entry(d, e, depth));
      }
      return chain;
    });
  }

  private CompletableFuture<Void> entry(NvmeTcpTransport.Target d, DiscoveryLogPage.Entry e,
      int depth) {
    String where = d.address().hostPort();
    if (e.subtype() == DiscoveryLogPage.SUBTYPE_CURRENT_DISCOVERY) {
      return CompletableFuture.completedFuture(null);
    }
    if (e.trtype() != DiscoveryLogPage.TRTYPE_TCP) {
      LOG.info("discovery at {}: skipping {} on transport type {} (this host speaks TCP only)",
          where, e.subnqn(), e.trtype());
      return CompletableFuture.completedFuture(null);
    }
    if ((e.treq() & DiscoveryLogPage.TREQ_SECURE_CHANNEL_MASK) == DiscoveryLogPage.TREQ_SECURE_CHANNEL_REQUIRED) {
      LOG.warn("discovery at {}: skipping {} at {}:{}: it requires a secure channel (TLS),"
          + " which this host does not offer", where, e.subnqn(), e.traddr(), e.trsvcid());
      return CompletableFuture.completedFuture(null);
    }
    NvmeTcpTransport.Target t;
    try {
      if (e.adrfam() != DiscoveryLogPage.ADRFAM_IPV4 && e.adrfam() != DiscoveryLogPage.ADRFAM_IPV6) {
        throw new IllegalArgumentException("address family " + e.adrfam());
      }
      int port = Integer.parseInt(e.trsvcid());
      boolean referral = e.subtype() == DiscoveryLogPage.SUBTYPE_REFERRAL;
      t = d.to(NetAddress.of(e.traddr(), port), referral ? FabricsCommands.DISCOVERY_NQN : e.subnqn());
    } catch (IllegalArgumentException x) { // NumberFormatException too
      LOG.warn("discovery at {}: skipping an entry with TRADDR '{}' TRSVCID '{}': {}", where,
          e.traddr(), e.trsvcid(), x.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    if (!seen.add(key(t))) {
      return CompletableFuture.completedFuture(null);
    }
    if (e.subtype() == DiscoveryLogPage.SUBTYPE_REFERRAL) {
      if (depth >= MAX_REFERRAL_DEPTH) {
        LOG.warn("discovery at {}: not following referral {} ({} referrals deep already)", where,
            t.address().hostPort(), depth);
        return CompletableFuture.completedFuture(null);
      }
      return visit(t, depth + 1).exceptionally(x -> {
        LOG.warn("discovery referral {}: {}", t.address().hostPort(), cause(x).getMessage());
        return null;
      });
    }
    if (e.subtype() != DiscoveryLogPage.SUBTYPE_NVME) {
      LOG.info("discovery at {}: skipping entry of subsystem type {}", where, e.subtype());
      return CompletableFuture.completedFuture(null);
    }
    tried++;
    return connect.apply(t).handle((list, x) -> {
      if (x != null) {
        failures.add(cause(x).getMessage());
        LOG.warn("connect-all: {}", cause(x).getMessage());
      } else {
        connected++;
        ids.addAll(list);
      }
      return null;
    });
  }

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private String key(NvmeTcpTransport.Target t) {
    return t.address().hostPort() + "/" + t.subsystemNqn();
  }
}
