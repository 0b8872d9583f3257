package dev.mpath.nvme.tcp;

import dev.mpath.nvme.host.NvmeTransport;
import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import com.google.common.base.Splitter;
import dev.mpath.spi.NetAddress;
import dev.mpath.spi.PathFailureException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVMe/TCP host transport ({@code nvme+tcp://HOST[:PORT]/<subsystem NQN>}): one TCP
 * connection per queue (admin, then each I/O queue), each with its own reader thread that
 * delivers the queue's completions to its {@link QueueHandler}.
 *
 * <p>Submission: write data up to the in-capsule size (8 KiB on the admin queue,
 * {@link Target#inCapsuleDataSize} on I/O queues, default 8 KiB like the listener's IOCCSZ)
 * travels in the capsule; larger writes wait for the controller's R2T and go as H2CData PDUs
 * of at most MAXH2CDATA bytes. Read data arrives as C2HData PDUs copied into the caller's
 * buffer at absolute positions (its position and limit never move); a last C2HData with
 * SUCCESS stands for a successful completion. Digests (CRC32C) are asked for with the URI
 * query {@code ?hdgst=1&ddgst=1}.
 *
 * <p>The transport's own Fabrics commands (Connect, Property Get/Set) use command ids from
 * FF00h up, out of the host controller's range. A protocol error from the controller, a
 * C2HTermReq or a dead socket end the queue's connection and report
 * {@link QueueHandler#disconnected}; after {@link #close()} nothing is reported.
 */
public final class NvmeTcpTransport implements NvmeTransport {
  private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpTransport.class);

  /** URI scheme. */
  public static final String SCHEME = "nvme+tcp";
  /** Admin queue entries asked for in Connect. */
  public static final int ADMIN_QUEUE_ENTRIES = 32;
  private static final int INTERNAL_CID_BASE = 0xFF00;
  private static final int MAX_C2H_DATA = 1 << 20;

  /**
   * Where and how to connect: the controller's address (an IP literal or a host name,
   * resolved when a queue connects, on that queue's thread) with an optional source address
   * or interface, the subsystem NQN, digests, the in-capsule data size of I/O queues and the
   * time bound of a connect.
   */
  public record Target(NetAddress address, String subsystemNqn, boolean headerDigest,
      boolean dataDigest, int inCapsuleDataSize, long connectTimeoutMillis) {
    /** The IANA port for NVMe/TCP I/O controllers (TCP transport spec 7.4.10). */
    public static final int DEFAULT_PORT = 4420;
    /** The IANA port for NVMe/TCP discovery controllers. */
    public static final int DEFAULT_DISCOVERY_PORT = 8009;

    public Target {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(subsystemNqn, "subsystemNqn");
      if (subsystemNqn.isEmpty() || subsystemNqn.getBytes(StandardCharsets.UTF_8).length > 223) {
        throw new IllegalArgumentException("subsystem NQN must be 1..223 bytes: '" + subsystemNqn + "'");
      }
      if (inCapsuleDataSize < 0 || inCapsuleDataSize > (1 << 20)) {
        throw new IllegalArgumentException("in-capsule data size " + inCapsuleDataSize);
      }
      if (connectTimeoutMillis <= 0) {
        throw new IllegalArgumentException("connect timeout " + connectTimeoutMillis + " ms");
      }
    }

    /** A target with digests off, 8 KiB of in-capsule data and a 10 s connect bound. */
    public static Target of(NetAddress address, String nqn) {
      return new Target(address, nqn, false, false, 8192, 10_000);
    }

    /** {@link #of(NetAddress, String)} for a resolved socket address (its IP literal). */
    public static Target of(InetSocketAddress address, String nqn) {
      return of(NetAddress.of(address.getAddress().getHostAddress(), address.getPort()), nqn);
    }

    /** Same target with digests as given. */
    public Target withDigests(boolean header, boolean data) {
      return new Target(address, subsystemNqn, header, data, inCapsuleDataSize,
          connectTimeoutMillis);
    }

    /** Same options, another address and subsystem (a discovery log entry's). */
    public Target to(NetAddress where, String nqn) {
      NetAddress a = address.sourceAddress() != null ? where.withSourceAddress(address.sourceAddress())
          : address.sourceInterface() != null ? where.withSourceInterface(address.sourceInterface())
          : where;
      return new Target(a, nqn, headerDigest, dataDigest, inCapsuleDataSize, connectTimeoutMillis);
    }

    /** Whether this is the discovery subsystem (a URI without a subsystem NQN). */
    public boolean isDiscovery() {
      return FabricsCommands.DISCOVERY_NQN.equals(subsystemNqn);
    }

    /**
     * Parses {@code nvme+tcp://host[:port][/<nqn>][?options]}. The host is an IPv4 or
     * bracketed IPv6 literal or a name; nothing is resolved here. Without a subsystem NQN
     * (or with the well-known discovery NQN) the URI names a discovery controller, and the
     * port defaults to 8009; otherwise to 4420. Options (nvme-cli's names):
     * {@code hdgst}/{@code hdr_digest}, {@code ddgst}/{@code data_digest} (0/1),
     * {@code icd} (in-capsule data bytes), {@code host_traddr} (source IP address),
     * {@code host_iface} (source interface). Anything else is refused.
     *
     * @throws IllegalArgumentException malformed
     */
    public static Target parse(URI uri) {
      if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("not an " + SCHEME + " URI: " + uri);
      }
      String path = uri.getPath();
      String nqn = path == null || path.length() < 2 ? FabricsCommands.DISCOVERY_NQN
          : path.substring(1);
      NetAddress address;
      try {
        address = NetAddress.parse(uri, FabricsCommands.DISCOVERY_NQN.equals(nqn)
            ? DEFAULT_DISCOVERY_PORT : DEFAULT_PORT);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expected nvme+tcp://<host>[:<port>]/<subsystem NQN>, got '"
            + uri + "': " + e.getMessage(), e);
      }
      boolean hd = false;
      boolean dd = false;
      int icd = 8192;
      String q = uri.getQuery();
      if (q != null && !q.isEmpty()) {
        for (String kv : Splitter.on('&').omitEmptyStrings().split(q)) {
          int eq = kv.indexOf('=');
          String k = eq < 0 ? kv : kv.substring(0, eq);
          String v = eq < 0 ? "1" : kv.substring(eq + 1);
          switch (k) {
            case "hdgst":
            case "hdr_digest":
              hd = flag(k, v);
              break;
            case "ddgst":
            case "data_digest":
              dd = flag(k, v);
              break;
            case "icd":
              try {
                icd = Integer.parseInt(v);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("icd must be a number of bytes: " + v);
              }
              break;
            case "host_traddr":
              address = address.withSourceAddress(v);
              break;
            case "host_iface":
              address = address.withSourceInterface(v);
              break;
            default:
              throw new IllegalArgumentException("unknown option '" + k + "' in " + uri);
          }
        }
      }
      return new Target(address, nqn, hd, dd, icd, 10_000);
    }

    private static boolean flag(String k, String v) {
      switch (v.toLowerCase(java.util.Locale.ROOT)) {
        case "1":
        case "true":
        case "on":
          return true;
        case "0":
        case "false":
        case "off":
          return false;
        default:
          throw new IllegalArgumentException(k + " must be 0/1/true/false: " + v);
      }
    }
  }

  private final Target target;
  private final Map<Integer, Conn> queues = new ConcurrentHashMap<>();
  private final AtomicInteger internalCid = new AtomicInteger();
  private volatile boolean closed;
  private volatile int cntlid = -1;
  private volatile String hostNqn;
  private volatile UUID hostId;

  public NvmeTcpTransport(Target target) {
    this.target = Objects.requireNonNull(target, "target");
  }

  @Override
  public String address() {
    return SCHEME + "://" + target.address().hostPort() + "/" + target.subsystemNqn();
  }

  /** Where and how this transport connects. */
  public Target target() {
    return target;
  }

  @Override
  public CompletableFuture<Integer> connectAdmin(
      String subsystemNqn, String hostNqn, UUID hostId, int katoMillis, QueueHandler admin) {
    this.hostNqn = hostNqn;
    this.hostId = hostId;
    return connectQueue(0, ADMIN_QUEUE_ENTRIES, katoMillis, FabricsCommands.CNTLID_DYNAMIC,
        subsystemNqn, admin)
        .thenApply(id -> {
          cntlid = id;
          return id;
        });
  }

  @Override
  public CompletableFuture<Void> connectIo(int qid, int size, QueueHandler handler) {
    if (cntlid < 0 || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    if (qid < 1 || qid > 0xFFFE || size < 2 || size > 0x10000) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("qid " + qid + " size " + size));
    }
    return connectQueue(qid, size, 0, cntlid, target.subsystemNqn(), handler)
        .thenApply(id -> null);
  }

  private CompletableFuture<Integer> connectQueue(int qid, int size, int kato, int cntlidIn,
      String nqn, QueueHandler handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": closed"));
    }
    Conn c = new Conn(qid, handler);
    if (queues.putIfAbsent(qid, c) != null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("queue " + qid + " is already connected"));
    }
    CompletableFuture<Integer> f = c.start()
        .thenCompose(v -> {
          SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
          int cid = nextInternalCid();
          FabricsCommands.connect(sqe, cid, qid, size - 1,
              FabricsCommands.CATTR_DISABLE_SQ_FLOW_CONTROL, kato);
          ByteBuffer data = FabricsCommands.connectData(hostId, cntlidIn, nqn, hostNqn);
          return c.internal(sqe, data);
        })
        .thenApply(cqe -> {
          int status = statusOf(cqe);
          if (NvmeStatus.code(status) != 0) {
            throw new CompletionException(new PathFailureException(address() + ": Connect of queue "
                + qid + " refused: " + NvmeStatus.fromField(status)
                + String.format(" (DW0 0x%08x)", ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN).getInt(0))));
          }
          c.connected = true;
          return ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xFFFF;
        });
    return bound(f, "Connect of queue " + qid).whenComplete((v, e) -> {
      if (e != null) {
        c.shutdown();
        queues.remove(qid, c);
      }
    });
  }

  private <T> CompletableFuture<T> bound(CompletableFuture<T> f, String what) {
    return f.orTimeout(target.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
        .handle((v, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(v);
          }
          Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (t instanceof TimeoutException) {
            t = new PathFailureException(address() + ": " + what + " timed out");
          } else if (!(t instanceof PathFailureException)
              && !(t instanceof IllegalArgumentException)) {
            t = new PathFailureException(address() + ": " + what + ": " + t.getMessage(), t);
          }
          return CompletableFuture.<T>failedFuture(t);
        })
        .thenCompose(x -> x);
  }

  private int nextInternalCid() {
    return INTERNAL_CID_BASE + (internalCid.getAndIncrement() & 0xFF) % 0xFF;
  }

  private static int statusOf(byte[] cqe) {
    return (ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN)
        .getShort(CompletionQueueEntry.STATUS_OFFSET) & 0xFFFF) >>> 1;
  }

  @Override
  public CompletableFuture<Long> propertyGet(int offset, int size) {
    Conn c = queues.get(0);
    if (c == null || !c.connected || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    FabricsCommands.propertyGet(sqe, nextInternalCid(), offset, size);
    return bound(c.internal(sqe, null).thenApply(cqe -> {
      int status = statusOf(cqe);
      if (NvmeStatus.code(status) != 0) {
        throw new CompletionException(new PathFailureException(String.format(
            "%s: Property Get 0x%x: %s", address(), offset, NvmeStatus.fromField(status))));
      }
      ByteBuffer b = ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN);
      return size == 8 ? b.getLong(0) : b.getInt(0) & 0xFFFF_FFFFL;
    }), "Property Get");
  }

  @Override
  public CompletableFuture<Void> propertySet(int offset, int size, long value) {
    Conn c = queues.get(0);
    if (c == null || !c.connected || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    FabricsCommands.propertySet(sqe, nextInternalCid(), offset, size, value);
    return bound(c.internal(sqe, null).thenApply(cqe -> {
      int status = statusOf(cqe);
      if (NvmeStatus.code(status) != 0) {
        throw new CompletionException(new PathFailureException(String.format(
            "%s: Property Set 0x%x: %s", address(), offset, NvmeStatus.fromField(status))));
      }
      return (Void) null;
    }), "Property Set");
  }

  @Override
  public void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data) {
    Conn c = queues.get(qid);
    if (c == null || closed) {
      return; // the association is gone; the host fails outstanding commands itself
    }
    c.submit(sqe, data);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Conn c : queues.values()) {
      c.shutdown();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  // ------------------------------------------------------------------ one queue's connection

  /** A command with data in flight: the caller's buffer and its direction. */
  private record Transfer(ByteBuffer data, boolean write) {}

  private final class Conn {
    final int qid;
    final QueueHandler handler;
    final NvmeTcpDecoder decoder = new NvmeTcpDecoder(NvmeTcpDecoder.Role.HOST, MAX_C2H_DATA);
    final Map<Integer, Transfer> transfers = new ConcurrentHashMap<>();
    final Map<Integer, CompletableFuture<byte[]>> internal = new ConcurrentHashMap<>();
    final Object writeLock = new Object();
    final AtomicBoolean dead = new AtomicBoolean();
    final CompletionQueueEntry cqe = new CompletionQueueEntry();
    final CompletionQueueEntry synthetic = CompletionQueueEntry.allocate();
    volatile SocketChannel ch;
    volatile boolean connected;
    boolean hdgst;
    boolean ddgst;
    int cpda;
    int maxH2CData;

    Conn(int qid, QueueHandler handler) {
      this.qid = qid;
      this.handler = handler;
    }

    /** Opens the socket and runs ICReq/ICResp on a new reader thread. */
    CompletableFuture<Void> start() {
      CompletableFuture<Void> ready = new CompletableFuture<>();
      Thread t = new Thread(() -> run(ready), "nvme-tcp-host-" + target.address().port()
          + "-q" + qid);
      t.setDaemon(true);
      t.start();
      return ready;
    }

    private void run(CompletableFuture<Void> ready) {
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      try {
        // resolves a name and binds the source here, on the queue's own thread
        SocketChannel s = target.address().connect(
            java.time.Duration.ofMillis(target.connectTimeoutMillis()));
        ch = s;
        if (dead.get()) {
          s.close();
          throw new IOException("closed");
        }
        write(NvmeTcpCodec.encode(new NvmeTcpPdu.IcReq(0, 0, target.headerDigest(),
            target.dataDigest(), 0), false, false));
        NvmeTcpPdu p = null;
        in.limit(0);
        while (p == null) {
          if (!in.hasRemaining()) {
            in.clear();
            if (s.read(in) < 0) {
              throw new IOException("controller closed the connection during ICReq");
            }
            in.flip();
          }
          p = decoder.next(in);
        }
        if (!(p instanceof NvmeTcpPdu.IcResp r)) {
          throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
              "expected ICResp, got PDU type " + p.type());
        }
        if (r.pfv() != 0 || r.cpda() > 31 || r.maxh2cdata() < 4096 || r.maxh2cdata() % 4 != 0
            || r.hdgst() && !target.headerDigest() || r.ddgst() && !target.dataDigest()) {
          throw new NvmeTcpProtocolException(
              NvmeTcpProtocolException.FES_UNSUPPORTED_PARAMETER, 8, "ICResp " + r);
        }
        hdgst = r.hdgst();
        ddgst = r.ddgst();
        cpda = (r.cpda() + 1) * 4;
        maxH2CData = (int) Math.min(r.maxh2cdata(), 1 << 24);
        decoder.digests(hdgst, ddgst);
        ready.complete(null);
        // the ICResp's buffer may already hold more: keep it
        while (true) {
          while ((p = decoder.next(in)) != null) {
            handle(p);
          }
          in.clear();
          if (s.read(in) < 0) {
            die("controller closed the connection");
            return;
          }
          in.flip();
        }
      } catch (NvmeTcpProtocolException e) {
        ready.completeExceptionally(new PathFailureException(address() + ": " + e.getMessage(), e));
        terminate(e);
      } catch (IOException | RuntimeException e) {
        ready.completeExceptionally(new PathFailureException(
            address() + ": queue " + qid + ": " + e.getMessage(), e));
        die("queue " + qid + ": " + e);
      }
    }

    private void handle(NvmeTcpPdu p) throws NvmeTcpProtocolException, IOException {
      if (p instanceof NvmeTcpPdu.CapsuleResp r) {
        byte[] raw = r.cqe();
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int cid = b.getShort(CompletionQueueEntry.CID_OFFSET) & 0xFFFF;
        if (cid >= INTERNAL_CID_BASE) {
          CompletableFuture<byte[]> f = internal.remove(cid);
          if (f != null) {
            f.complete(raw);
            return;
          }
        }
        transfers.remove(cid);
        if (!closed) {
          try {
            handler.completed(cqe.wrap(b, 0));
          } catch (NvmeProtocolException e) {
            throw new AssertionError(e);
          }
        }
      } else if (p instanceof NvmeTcpPdu.C2HData d) {
        Transfer t = transfers.get(d.cccid());
        if (t == null || t.write()) {
          throw new NvmeTcpProtocolException(
              NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD, 8,
              "C2HData for command " + d.cccid() + ", which reads nothing");
        }
        int n = d.data().remaining();
        if (d.datao() + n > t.data().remaining()) {
          throw new NvmeTcpProtocolException(
              NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
              "C2HData DATAO " + d.datao() + " DATAL " + n + " beyond the " + t.data().remaining()
                  + "-byte buffer of command " + d.cccid());
        }
        t.data().put(t.data().position() + (int) d.datao(), d.data(), d.data().position(), n);
        if (d.success()) {
          transfers.remove(d.cccid());
          if (!closed) {
            synthetic.clear().cid(d.cccid()).sqid(qid);
            handler.completed(synthetic);
          }
        }
      } else if (p instanceof NvmeTcpPdu.R2T r) {
        Transfer t = transfers.get(r.cccid());
        if (t == null || !t.write()) {
          throw new NvmeTcpProtocolException(
              NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD, 8,
              "R2T for command " + r.cccid() + ", which writes nothing");
        }
        long end = r.r2to() + r.r2tl();
        if (r.r2tl() == 0 || end > t.data().remaining()) {
          throw new NvmeTcpProtocolException(
              NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
              "R2T R2TO " + r.r2to() + " R2TL " + r.r2tl() + " beyond the "
                  + t.data().remaining() + "-byte buffer of command " + r.cccid());
        }
        ByteBuffer src = t.data();
        int base = src.position();
        for (long off = r.r2to(); off < end; ) {
          int n = (int) Math.min(maxH2CData, end - off);
          ByteBuffer piece = src.duplicate();
          piece.limit(base + (int) off + n).position(base + (int) off);
          boolean last = off + n == end;
          write(NvmeTcpCodec.encode(
              new NvmeTcpPdu.H2CData(r.cccid(), r.ttag(), off, last, piece), hdgst, ddgst, cpda));
          off += n;
        }
      } else if (p instanceof NvmeTcpPdu.TermReq t) {
        die(String.format("controller terminated the connection (FES 0x%x, FEI 0x%x)",
            t.fes(), t.fei()));
      } else {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
            "unexpected PDU type " + p.type());
      }
    }

    /** Sends one of the transport's own commands and returns its CQE bytes. */
    CompletableFuture<byte[]> internal(SubmissionQueueEntry sqe, ByteBuffer data) {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      internal.put(sqe.cid(), f);
      if (dead.get()) {
        internal.remove(sqe.cid());
        return CompletableFuture.failedFuture(new PathFailureException(address() + ": queue "
            + qid + " is down"));
      }
      try {
        write(NvmeTcpCodec.encode(new NvmeTcpPdu.CapsuleCmd(sqe.toBytes(), data), hdgst, ddgst,
            cpda));
      } catch (IOException e) {
        internal.remove(sqe.cid());
        shutdown();
        return CompletableFuture.failedFuture(new PathFailureException(address() + ": "
            + e.getMessage(), e));
      }
      return f;
    }

    void submit(SubmissionQueueEntry sqe, ByteBuffer data) {
      byte[] raw = sqe.toBytes();
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      SubmissionQueueEntry s;
      try {
        s = wireView(b);
      } catch (NvmeProtocolException e) {
        throw new AssertionError(e);
      }
      int dir = s.dataTransfer();
      int len = data == null ? 0 : data.remaining();
      int cid = s.cid();
      s.psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_BUFFER);
      ByteBuffer inCapsule = null;
      if (len == 0 || dir == SubmissionQueueEntry.XFER_NONE
          || dir == SubmissionQueueEntry.XFER_BIDIRECTIONAL) {
        s.sglDataBlock(0, 0, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
      } else if (dir == SubmissionQueueEntry.XFER_HOST_TO_CONTROLLER
          && len <= (qid == 0 ? NvmeTcpListener.ADMIN_IN_CAPSULE_DATA : target.inCapsuleDataSize())) {
        s.sglDataBlock(0, len, SubmissionQueueEntry.SGL_ID_DATA_BLOCK_OFFSET);
        inCapsule = data;
      } else {
        s.sglDataBlock(0, len, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
        transfers.put(cid, new Transfer(data, dir == SubmissionQueueEntry.XFER_HOST_TO_CONTROLLER));
      }
      try {
        write(NvmeTcpCodec.encode(new NvmeTcpPdu.CapsuleCmd(raw, inCapsule), hdgst, ddgst, cpda));
      } catch (IOException e) {
        // the reader sees the dead socket and reports it
        LOG.debug("{}: queue {}: write failed: {}", address(), qid, e.getMessage());
        closeSocket();
      }
    }

    private SubmissionQueueEntry wireView(ByteBuffer b) throws NvmeProtocolException {
      return new SubmissionQueueEntry().wrap(b, 0);
    }

    private void write(ByteBuffer b) throws IOException {
      SocketChannel s = ch;
      if (s == null) {
        throw new IOException("not connected");
      }
      synchronized (writeLock) {
        while (b.hasRemaining()) {
          s.write(b);
        }
      }
    }

    private void terminate(NvmeTcpProtocolException e) {
      LOG.warn("{}: queue {}: protocol error from the controller: {}", address(), qid,
          e.getMessage());
      try {
        write(NvmeTcpCodec.encode(new NvmeTcpPdu.TermReq(true, e.wireFes(), e.fei(),
            decoder.headerInError()), false, false));
      } catch (IOException | RuntimeException ex) {
        // best effort
      }
      die("protocol error: " + e.getMessage());
    }

    /** The connection is gone: report it once (unless the transport was closed). */
    void die(String reason) {
      boolean first = dead.compareAndSet(false, true);
      closeSocket();
      failInternal(reason);
      if (first && !closed && connected) {
        handler.disconnected(reason);
      }
    }

    /** Host-initiated teardown: no report. */
    void shutdown() {
      dead.set(true);
      closeSocket();
      failInternal("closed");
    }

    private void failInternal(String reason) {
      for (Integer cid : internal.keySet()) {
        CompletableFuture<byte[]> f = internal.remove(cid);
        if (f != null) {
          f.completeExceptionally(new PathFailureException(address() + ": " + reason));
        }
      }
    }

    private void closeSocket() {
      SocketChannel s = ch;
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing to do
        }
      }
    }
  }
}
