package dev.mpath.nvme.tcp;

import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.CompletionSink;
import dev.mpath.nvme.target.NvmeConnectException;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.target.DiscoveryService;
import dev.mpath.nvme.target.FabricsController;
import dev.mpath.nvme.target.TargetController;
import dev.mpath.spi.NetAddress;
import dev.mpath.spi.TcpServer;
import dev.mpath.wire.IoEngine;
import dev.mpath.wire.WireListener;
import dev.mpath.spi.RateLimitedLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NVMe/TCP listener serving one port of an {@link NvmeSubsystem}: every TCP connection is
 * one queue (ICReq/ICResp, then a Fabrics Connect of the admin queue, which creates a
 * controller, or of an I/O queue of a controller created through this listener). Loopback
 * addresses only.
 *
 * <p>Connections live on the event loops of an {@link IoEngine} (the shared one unless
 * given): no thread per connection or per listener. The subsystem's executor, which delivers
 * completions, hands them to the connection's loop and never touches a socket. Write data
 * arrives in the capsule (up to the subsystem's {@link NvmeSubsystem.Builder#inCapsuleDataSize}, the IOCCSZ its
 * controllers report) or after an R2T as
 * H2CData PDUs of at most MAXH2CDATA bytes; read data goes out as C2HData PDUs of at most
 * {@link Builder#c2hChunk} bytes, the last one with SUCCESS when the host disabled SQ flow
 * control and the command succeeded with DW0 = DW1 = 0 (no CapsuleResp follows then).
 *
 * <p>A host that breaks the protocol gets a C2HTermReq and loses its connection; losing the
 * admin queue's connection disconnects its controller, losing an I/O queue's disconnects
 * that queue. Log lines about misbehaving hosts are rate limited.
 */
public final class NvmeTcpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpListener.class);

  /** The IANA port of NVMe/TCP I/O controllers (the default is an ephemeral port). */
  public static final int IANA_PORT = 4420;
  /** Admin queue in-capsule data (NVMe/TCP: 8 KiB). */
  public static final int ADMIN_IN_CAPSULE_DATA = 8192;

  private final NvmeSubsystem subsystem;
  private final int portId;
  final int inCapsule;
  final int maxH2CData;
  final int c2hChunk;
  final int maxTransfer;
  private final int maxConnections;
  final long setupTimeoutMillis;
  private final WireListener server;
  private final String advertise; // null: the bound address
  final DiscoveryService discovery; // null: no discovery controller on this port
  private final Set<NvmeTcpTargetQueue> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private NvmeTcpListener(Builder b) throws IOException {
    this.subsystem = b.subsystem;
    this.portId = b.portId;
    this.inCapsule = b.subsystem.inCapsuleDataSize();
    this.maxH2CData = b.maxH2CData;
    this.c2hChunk = b.c2hChunk;
    this.maxTransfer = b.maxTransfer;
    this.maxConnections = b.maxConnections;
    this.setupTimeoutMillis = b.setupTimeoutMillis;
    this.advertise = b.advertise;
    this.discovery = b.discovery;
    this.server = WireListener.start(b.engine != null ? b.engine : IoEngine.shared(),
        "NVMe/TCP listener", new InetSocketAddress(b.address, b.tcpPort), maxConnections,
        TcpServer.connections(connections, c -> c.controller == null && !c.closing.get(),
            c -> c.seq,
            c -> c.close("the port is full and this connection has not connected a queue")),
        (ch, n) -> {
          NvmeTcpTargetQueue q = new NvmeTcpTargetQueue(this, ch, n);
          connections.add(q);
          ch.pipeline().addLast(q);
        });
    LOG.info("NVMe/TCP listener for {} port {} on {}", subsystem.nqn(), portId, address());
  }

  /** A builder serving port {@code portId} of {@code subsystem}. */
  public static Builder builder(NvmeSubsystem subsystem, int portId) {
    return new Builder(subsystem, portId);
  }

  /** Starts a listener on 127.0.0.1 and an ephemeral TCP port with the defaults. */
  public static NvmeTcpListener start(NvmeSubsystem subsystem, int portId) throws IOException {
    return builder(subsystem, portId).start();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return server.address();
  }

  /** The bound TCP port. */
  public int tcpPort() {
    return address().getPort();
  }

  /** The subsystem port id this listener serves. */
  public int portId() {
    return portId;
  }

  /** The subsystem served. */
  public NvmeSubsystem subsystem() {
    return subsystem;
  }

  /**
   * Where hosts are told to connect: the advertised host (or the bound address) and the
   * bound port. This is what the discovery log reports for this port.
   */
  public NetAddress advertisedAddress() {
    return TcpServer.advertised(advertise, address());
  }

  /** {@code nvme+tcp://<advertised host>:<port>/<subsystem NQN>}. */
  public URI uri() {
    return URI.create(NvmeTcpTransport.SCHEME + "://" + advertisedAddress().hostPort() + "/"
        + subsystem.nqn());
  }

  /** Open connections (queues). */
  public int connectionCount() {
    return connections.size();
  }

  /** Drops every open connection (a link failure); the listener keeps accepting. */
  public void closeConnections() {
    for (NvmeTcpTargetQueue c : connections) {
      c.close("connections dropped by the listener");
    }
  }

  /** Stops listening and drops every connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    closeConnections();
  }

  /** A connection has closed (or is closing): it no longer counts. */
  void removed(NvmeTcpTargetQueue q) {
    connections.remove(q);
  }

  /** Listener settings. */
  public static final class Builder {
    private final NvmeSubsystem subsystem;
    private final int portId;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private String advertise;
    private DiscoveryService discovery;
    private int tcpPort;
    private int maxH2CData = 128 * 1024;
    private int c2hChunk = 32 * 1024;
    private int maxTransfer = 1 << 20;
    private int maxConnections = 256;
    private long setupTimeoutMillis = 10_000;
    private IoEngine engine;

    private Builder(NvmeSubsystem subsystem, int portId) {
      this.subsystem = Objects.requireNonNull(subsystem, "subsystem");
      if (!subsystem.ports().contains(portId)) {
        throw new IllegalArgumentException(subsystem.nqn() + " has no port " + portId);
      }
      this.portId = portId;
    }

    /** The address to bind (default 127.0.0.1; a wildcard address listens on every interface). */
    public Builder bind(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The host (an IP literal or a name) that discovery reports for this port, for clients
     * that reach it through another address (NAT, port forwarding); default: the bound
     * address. Only the host: the port reported is the bound one.
     */
    public Builder advertise(String host) {
      this.advertise = host == null ? null : NetAddress.of(host, 1).host();
      return this;
    }

    /**
     * Serves the well-known discovery NQN on this port too: a Connect to it gets a
     * discovery controller of {@code service} (default: none, and such a Connect is refused).
     */
    public Builder discovery(DiscoveryService service) {
      this.discovery = service;
      return this;
    }

    /** The TCP port (default 0: ephemeral). */
    public Builder tcpPort(int port) {
      if (port < 0 || port > 0xFFFF) {
        throw new IllegalArgumentException("TCP port " + port);
      }
      this.tcpPort = port;
      return this;
    }

    /** MAXH2CDATA (default 128 KiB; at least 4096, a multiple of 4). */
    public Builder maxH2CData(int bytes) {
      if (bytes < 4096 || bytes % 4 != 0 || bytes > (1 << 24)) {
        throw new IllegalArgumentException("MAXH2CDATA " + bytes);
      }
      this.maxH2CData = bytes;
      return this;
    }

    /** Largest C2HData PDU sent (default 32 KiB). */
    public Builder c2hChunk(int bytes) {
      if (bytes < 512 || bytes > (1 << 24)) {
        throw new IllegalArgumentException("C2HData size " + bytes);
      }
      this.c2hChunk = bytes;
      return this;
    }

    /** Largest data transfer of one command (default 1 MiB, the emulator's default MDTS). */
    public Builder maxTransfer(int bytes) {
      if (bytes < 4096 || bytes > (1 << 28)) {
        throw new IllegalArgumentException("max transfer " + bytes);
      }
      this.maxTransfer = bytes;
      return this;
    }

    /** Most simultaneous connections (default 256). */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max connections " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /** Time a connection has from accept to a successful Connect (default 10 s). */
    public Builder setupTimeout(java.time.Duration d) {
      this.setupTimeoutMillis = Math.max(1, d.toMillis());
      return this;
    }

    /** The engine whose event loops serve the connections (default: the shared one). */
    public Builder engine(IoEngine e) {
      this.engine = Objects.requireNonNull(e, "engine");
      return this;
    }

    /** Binds and starts accepting. */
    public NvmeTcpListener start() throws IOException {
      return new NvmeTcpListener(this);
    }
  }
}
