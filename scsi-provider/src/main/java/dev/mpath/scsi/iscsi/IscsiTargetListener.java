package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.NetAddress;
import dev.mpath.spi.TcpServer;
import dev.mpath.wire.IoEngine;
import dev.mpath.wire.WireListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An iSCSI target portal (RFC 7143, ErrorRecoveryLevel 0, one connection per session) serving
 * one target port of a {@link ScsiTarget}: each logged-in Normal session is one I_T nexus
 * ({@link ScsiTarget#login} with the initiator port {@code <InitiatorName>,i,0x<ISID>} and this
 * listener's relative target port). Loopback addresses only.
 *
 * <p>Login: security stage with AuthMethod None, or CHAP (MD5, one-way) when {@link
 * Builder#chap} is set (a wrong CHAP_N/CHAP_R, no CHAP offered, or a skipped security stage is
 * refused with 0201h); operational stage answering the initiator's keys as RFC 7143 section 13
 * says (digests None or CRC32C as both allow, MaxRecvDataSegmentLength declared both ways,
 * MaxBurstLength / FirstBurstLength the minimum, InitialR2T OR, ImmediateData AND,
 * MaxOutstandingR2T 1, DataPDUInOrder / DataSequenceInOrder Yes, ErrorRecoveryLevel 0,
 * MaxConnections 1); keys the initiator does not offer keep their RFC defaults (the listener
 * proposes none of its own). TargetPortalGroupTag is the port's ALUA target port group. An
 * unknown TargetName is refused with 0203h, a killed port or closed target with 0301h, a
 * non-zero TSIH (adding a connection) with 020Ah. A login with the ISID of a live session
 * reinstates it: the old session's connection is dropped. Discovery sessions answer
 * SendTargets with every portal of the target that is listening in this JVM.
 *
 * <p>Full feature phase: SCSI commands within the CmdSN window (queue depth {@link
 * Builder#queueDepth}; a non-immediate command out of order or beyond MaxCmdSN is a protocol
 * error, since with one connection and ErrorRecoveryLevel 0 it can never be filled in); write
 * data from immediate data, unsolicited Data-Out and R2T-solicited Data-Out (bursts of at most
 * MaxBurstLength, one R2T outstanding per task); read data as Data-In PDUs of at most the
 * initiator's MaxRecvDataSegmentLength (F at every MaxBurstLength boundary); GOOD status rides
 * in the last Data-In (S bit), anything else comes in a SCSI Response with the sense data and
 * the residual (O/U). NOP-Out is answered with NOP-In, Logout with a Logout Response (then the
 * connection closes), Text Request (SendTargets) in both session types. Task management:
 * ABORT TASK and LOGICAL UNIT RESET end the tasks they name without an answer (on the
 * emulator too: a held command never runs, a late answer is dropped; a task answered first
 * keeps its answer, which goes out before the function's); ABORT TASK SET, CLEAR ACA, CLEAR
 * TASK SET, TARGET WARM/COLD RESET are answered FUNCTION COMPLETE without any effect on the
 * emulator (a COLD RESET also drops the connection); TASK REASSIGN gets 04h (ERL 0),
 * anything else 05h. SNACK is rejected (reason 04h). The
 * listener does not send NOP-In pings of its own.
 *
 * <p>Bounds: every PDU is checked by {@link PduDecoder} before anything is allocated (our
 * MaxRecvDataSegmentLength, 8 KiB during login); a task moves at most {@link
 * Builder#maxTransfer} bytes (else CHECK CONDITION, INVALID FIELD IN CDB) and a connection
 * holds at most {@link Builder#connectionBuffer} bytes of task buffers (else TASK SET FULL);
 * a peer that does not read its answers, does not finish its login within {@link
 * Builder#loginTimeout}, or breaks the protocol loses its connection (and its session), and
 * nothing else. Log lines about misbehaving peers are rate limited.
 *
 * <p>Threads: none of its own. Each connection ({@link TargetConnection}, its tasks in {@link
 * TargetTasks}) lives on an event loop of an {@link IoEngine} (the shared one unless given),
 * which runs the login, the PDU decoding and task bookkeeping and writes every PDU to the
 * initiator (with the StatSN it consumes). A command runs on that loop when its logical unit
 * is idle (no hand-off per command), else on the LU's executor, whose answer is only queued
 * to the loop.
 */
public final class IscsiTargetListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTargetListener.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Listeners alive in this JVM, per target, for SendTargets. */
  private static final Map<ScsiTarget, Set<IscsiTargetListener>> PORTALS = new ConcurrentHashMap<>();

  private final ScsiTarget target;
  private final int port;
  private final int tpgt;
  private final String chapUser;
  private final byte[] chapSecret;
  private final boolean digests;
  private final int maxRecvDataSegmentLength;
  private final int maxBurstLength;
  private final int firstBurstLength;
  private final boolean initialR2T;
  private final boolean immediateData;
  private final int queueDepth;
  private final int maxTransfer;
  private final long connectionBuffer;
  private final int maxConnections;
  private final long loginTimeoutMillis;
  private final WireListener server;
  private final String advertise; // null: the bound address
  private final Set<TargetConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger tsihs = new AtomicInteger(RANDOM.nextInt(0x8000));
  private final IscsiTargetLogin.Policy loginPolicy;
  private volatile boolean closed;

  private IscsiTargetListener(Builder b) throws IOException {
    this.target = b.target;
    this.port = b.port;
    this.tpgt = target.portGroupOf(port);
    this.chapUser = b.chapUser;
    this.chapSecret = b.chapSecret == null ? null : b.chapSecret.getBytes(StandardCharsets.UTF_8);
    this.digests = b.digests;
    this.maxRecvDataSegmentLength = b.mrdsl;
    this.maxBurstLength = b.maxBurst;
    this.firstBurstLength = b.firstBurst;
    this.initialR2T = b.initialR2T;
    this.immediateData = b.immediateData;
    this.queueDepth = b.queueDepth;
    this.maxTransfer = b.maxTransfer;
    this.connectionBuffer = b.connectionBuffer;
    this.maxConnections = b.maxConnections;
    this.loginTimeoutMillis = b.loginTimeoutMillis;
    this.advertise = b.advertise;
    this.loginPolicy = new IscsiTargetLogin.Policy(target.name(), tpgt, chapUser, chapSecret, digests,
        maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, initialR2T, immediateData);
    this.server = WireListener.start(b.engine != null ? b.engine : IoEngine.shared(),
        "iSCSI listener", new InetSocketAddress(b.address, b.tcpPort), maxConnections,
        TcpServer.connections(connections, c -> !c.fullFeature && !c.closing.get(), c -> c.seq,
            c -> c.abort("the portal is full and this connection has not logged in")),
        (ch, n) -> {
          TargetConnection c = new TargetConnection(this, ch, n);
          connections.add(c);
          ch.pipeline().addLast(c.conn);
          c.start();
        });
    PORTALS.compute(target, (k, set) -> {
      Set<IscsiTargetListener> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(this);
      return s;
    });
    LOG.info("iSCSI portal for {} port {} (TPGT {}) on {}", target.name(), port, tpgt, targetAddress());
  }

  /** A builder serving relative target port {@code relativeTargetPort} of {@code target}. */
  public static Builder builder(ScsiTarget target, int relativeTargetPort) {
    return new Builder(target, relativeTargetPort);
  }

  /** Starts a listener on 127.0.0.1 and an ephemeral TCP port with the defaults. */
  public static IscsiTargetListener start(ScsiTarget target, int relativeTargetPort) throws IOException {
    return builder(target, relativeTargetPort).start();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return server.address();
  }

  /** The bound TCP port. */
  public int tcpPort() {
    return server.port();
  }

  /** The relative target port this portal serves. */
  public int relativeTargetPort() {
    return port;
  }

  /** The TargetPortalGroupTag (the port's target port group). */
  public int portalGroupTag() {
    return tpgt;
  }

  /** The target served. */
  public ScsiTarget target() {
    return target;
  }

  /**
   * The TargetAddress SendTargets reports for this portal: the advertised host (or the bound
   * address), the bound port and the portal group tag.
   */
  public TargetAddress targetAddress() {
    return new TargetAddress(TcpServer.advertised(advertise, address()), tpgt);
  }

  private String hostPort() {
    return targetAddress().address().hostPort();
  }

  /** {@code iscsi://host:port/<target name>/<lun>} (without credentials). */
  public URI uri(int lun) {
    return URI.create(IscsiTransport.SCHEME + "://" + hostPort() + "/" + target.name() + "/" + lun);
  }

  /** One URI per LUN of the target, ascending. */
  public List<URI> uris() {
    List<URI> out = new ArrayList<>();
    for (int lun : target.luns()) {
      out.add(uri(lun));
    }
    return out;
  }

  /** Open connections (logged in or logging in). */
  public int connectionCount() {
    return connections.size();
  }

  /** Drops every open connection (a link failure); the listener keeps accepting. */
  public void closeConnections() {
    for (TargetConnection c : connections) {
      c.abort("connections dropped by the listener");
    }
  }

  /** Stops listening and drops every connection (their sessions end). Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    PORTALS.computeIfPresent(target, (k, set) -> {
      set.remove(this);
      return set.isEmpty() ? null : set;
    });
    server.close();
    closeConnections();
  }

  @Override
  public String toString() {
    return "IscsiTargetListener[" + target.name() + " port " + port + " on " + hostPort() + "]";
  }

  // ------------------------------------------------------------------ for its connections

  int queueDepth() {
    return queueDepth;
  }

  int maxTransfer() {
    return maxTransfer;
  }

  long connectionBuffer() {
    return connectionBuffer;
  }

  long loginTimeoutMillis() {
    return loginTimeoutMillis;
  }

  int maxRecvDataSegmentLength() {
    return maxRecvDataSegmentLength;
  }

  IscsiTargetLogin.Policy loginPolicy() {
    return loginPolicy;
  }

  /** A connection is gone. */
  void forget(TargetConnection c) {
    connections.remove(c);
  }

  /** The TargetAddress of every portal of the target listening in this JVM, in relative port order (SendTargets). */
  List<TargetAddress> portalAddresses() {
    return PORTALS.getOrDefault(target, Set.of(this)).stream()
        .sorted(java.util.Comparator.comparingInt(IscsiTargetListener::relativeTargetPort))
        .map(IscsiTargetListener::targetAddress).toList();
  }

  int nextTsih() {
    int t;
    do {
      t = tsihs.incrementAndGet() & 0xFFFF;
    } while (t == 0);
    return t;
  }

  /** Listener settings. */
  public static final class Builder {
    private final ScsiTarget target;
    private final int port;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private String advertise;
    private int tcpPort;
    private String chapUser;
    private String chapSecret;
    private boolean digests = true;
    private int mrdsl = 262144;
    private int maxBurst = 1 << 20;
    private int firstBurst = 65536;
    private boolean initialR2T;
    private boolean immediateData = true;
    private int queueDepth = 64;
    private int maxTransfer = 8 << 20;
    private long connectionBuffer = 64L << 20;
    private int maxConnections = 256;
    private long loginTimeoutMillis = 15_000;
    private IoEngine engine;

    private Builder(ScsiTarget target, int port) {
      this.target = Objects.requireNonNull(target, "target");
      if (!target.ports().contains(port)) {
        throw new IllegalArgumentException(target.name() + " has no port " + port + " (ports " + target.ports() + ")");
      }
      this.port = port;
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

    /** The TCP port (default 0: ephemeral). */
    public Builder tcpPort(int p) {
      if (p < 0 || p > 0xFFFF) {
        throw new IllegalArgumentException("TCP port " + p);
      }
      this.tcpPort = p;
      return this;
    }

    /** Requires one-way CHAP (MD5) with this user name and secret. */
    public Builder chap(String user, String secret) {
      if (user == null || user.isEmpty() || secret == null || secret.isEmpty()) {
        throw new IllegalArgumentException("CHAP needs a user and a secret");
      }
      this.chapUser = user;
      this.chapSecret = secret;
      return this;
    }

    /** Whether CRC32C digests are accepted when the initiator offers them (default true). */
    public Builder digests(boolean allow) {
      this.digests = allow;
      return this;
    }

    /** Our MaxRecvDataSegmentLength (default 256 KiB). */
    public Builder maxRecvDataSegmentLength(int bytes) {
      if (bytes < 512 || bytes > Pdu.MAX_DSL_FIELD) {
        throw new IllegalArgumentException("MaxRecvDataSegmentLength " + bytes);
      }
      this.mrdsl = bytes;
      return this;
    }

    /** Bursts: FirstBurstLength and MaxBurstLength we accept at most (defaults 64 KiB, 1 MiB). */
    public Builder bursts(int first, int max) {
      if (first < 512 || max < 512 || first > max || max > Pdu.MAX_DSL_FIELD) {
        throw new IllegalArgumentException("bursts " + first + "/" + max);
      }
      this.firstBurst = first;
      this.maxBurst = max;
      return this;
    }

    /** Our InitialR2T (default No) and ImmediateData (default Yes). */
    public Builder unsolicited(boolean initialR2T, boolean immediateData) {
      this.initialR2T = initialR2T;
      this.immediateData = immediateData;
      return this;
    }

    /** Commands per session in the CmdSN window (default 64). */
    public Builder queueDepth(int n) {
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("queue depth " + n);
      }
      this.queueDepth = n;
      return this;
    }

    /** Most bytes one task moves (default 8 MiB, the emulator's MAXIMUM TRANSFER LENGTH). */
    public Builder maxTransfer(int bytes) {
      if (bytes < 512) {
        throw new IllegalArgumentException("max transfer " + bytes);
      }
      this.maxTransfer = bytes;
      return this;
    }

    /** Most bytes of task buffers one connection holds (default 64 MiB). */
    public Builder connectionBuffer(long bytes) {
      if (bytes < 512) {
        throw new IllegalArgumentException("connection buffer " + bytes);
      }
      this.connectionBuffer = bytes;
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

    /** Time from accept to the full feature phase (default 15 s). */
    public Builder loginTimeout(Duration d) {
      this.loginTimeoutMillis = Math.max(1, d.toMillis());
      return this;
    }

    /** The engine whose event loops serve the connections (default: the shared one). */
    public Builder engine(IoEngine e) {
      this.engine = java.util.Objects.requireNonNull(e, "engine");
      return this;
    }

    /** Binds and starts accepting. */
    public IscsiTargetListener start() throws IOException {
      return new IscsiTargetListener(this);
    }
  }
}
