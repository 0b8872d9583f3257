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
 * <p>Per connection a reader thread decodes PDUs and a writer thread sends them, so the
 * subsystem's executor (which delivers completions) never blocks on a socket. Write data
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
  private final int inCapsule;
  private final int maxH2CData;
  private final int c2hChunk;
  private final int maxTransfer;
  private final int maxConnections;
  private final long setupTimeoutMillis;
  private final TcpServer server;
  private final String advertise; // null: the bound address
  private final DiscoveryService discovery; // null: no discovery controller on this port
  private final ScheduledExecutorService timer;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private static final RateLimitedLog RLOG = new RateLimitedLog(NvmeTcpListener.class, 1000);
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
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nvme-tcp-listener-timer");
      t.setDaemon(true);
      return t;
    });
    try {
      this.server = TcpServer.start("NVMe/TCP listener", new InetSocketAddress(b.address, b.tcpPort),
          maxConnections,
          TcpServer.connections(connections, c -> c.controller == null && !c.closing.get(), c -> c.seq,
              c -> c.close("the port is full and this connection has not connected a queue")), (ch, n) -> {
            Connection c = new Connection(ch, n);
            connections.add(c);
            c.start();
          });
    } catch (IOException | RuntimeException e) {
      timer.shutdownNow();
      throw e;
    }
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
    for (Connection c : connections) {
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
    timer.shutdownNow();
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private static final Object CLOSE = new Object();

  /** A completion waiting for the writer (the data a read filled, or null). */
  private record Completion(byte[] cqe, ByteBuffer data) {}

  /** A write waiting for its H2CData. */
  private static final class PendingWrite {
    final int cid;
    final ByteBuffer sqe;
    final ByteBuffer buf;
    int received;

    PendingWrite(int cid, ByteBuffer sqe, ByteBuffer buf) {
      this.cid = cid;
      this.sqe = sqe;
      this.buf = buf;
    }
  }

  /** One TCP connection: one queue. */
  private final class Connection implements CompletionSink {
    final int seq;
    final SocketChannel ch;
    final String name;
    final NvmeTcpDecoder decoder;
    final LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
    final Map<Integer, ByteBuffer> reads = new ConcurrentHashMap<>();
    final Map<Integer, PendingWrite> writes = new ConcurrentHashMap<>();
    final AtomicBoolean closing = new AtomicBoolean();
    final Thread reader;
    final Thread writer;
    volatile boolean hdgst;
    volatile boolean ddgst;
    volatile int hostPda;
    volatile boolean sqFlowDisabled;
    volatile FabricsController controller;
    volatile int qid = -1;
    volatile int queueEntries;
    int nextTtag;

    Connection(SocketChannel ch, int n) throws IOException {
      this.seq = n;
      this.ch = ch;
      this.name = "nvme-tcp-" + tcpPort() + "-c" + n;
      this.decoder = new NvmeTcpDecoder(NvmeTcpDecoder.Role.CONTROLLER,
          Math.max(Math.max(inCapsule, ADMIN_IN_CAPSULE_DATA), maxH2CData));
      this.reader = new Thread(this::readLoop, name + "-rx");
      this.writer = new Thread(this::writeLoop, name + "-tx");
      reader.setDaemon(true);
      writer.setDaemon(true);
    }

    void start() {
      writer.start();
      reader.start();
      try {
        timer.schedule(() -> {
          if (controller == null) {
            close("no Connect within " + setupTimeoutMillis + " ms");
          }
        }, setupTimeoutMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        close("listener closed");
      }
    }

    // ------------------------------------------------------------------ reader

    private void readLoop() {
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      try {
        while (!closing.get()) {
          in.clear();
          if (ch.read(in) < 0) {
            close("host closed the connection");
            return;
          }
          in.flip();
          NvmeTcpPdu p;
          while ((p = decoder.next(in)) != null) {
            handle(p);
          }
        }
      } catch (NvmeTcpProtocolException e) {
        terminate(e);
      } catch (IOException e) {
        close("read failed: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{}: unexpected error", name, e);
        close("internal error: " + e);
      }
    }

    private void handle(NvmeTcpPdu p) throws NvmeTcpProtocolException {
      if (p instanceof NvmeTcpPdu.IcReq r) {
        if (qid != -1) {
          throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
              "a second ICReq");
        }
        icReq(r);
      } else if (qid == -1) {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
            "PDU type " + p.type() + " before ICReq");
      } else if (p instanceof NvmeTcpPdu.CapsuleCmd c) {
        command(c);
      } else if (p instanceof NvmeTcpPdu.H2CData h) {
        h2cData(h);
      } else if (p instanceof NvmeTcpPdu.TermReq t) {
        RLOG.warn("{}: host terminated the connection: FES {} FEI {}", name, t.fes(), t.fei());
        close("H2CTermReq");
      }
    }

    private void icReq(NvmeTcpPdu.IcReq r) throws NvmeTcpProtocolException {
      if (r.pfv() != 0) {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_UNSUPPORTED_PARAMETER, 8,
            "PFV " + r.pfv());
      }
      if (r.hpda() > 31) {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
            10, "HPDA " + r.hpda());
      }
      hostPda = (r.hpda() + 1) * 4;
      send(NvmeTcpCodec.encode(
          new NvmeTcpPdu.IcResp(0, 0, r.hdgst(), r.ddgst(), maxH2CData), false, false));
      hdgst = r.hdgst();
      ddgst = r.ddgst();
      decoder.digests(hdgst, ddgst);
      qid = -2; // initialized, not connected
    }

    private void command(NvmeTcpPdu.CapsuleCmd c) throws NvmeTcpProtocolException {
      ByteBuffer raw = ByteBuffer.wrap(c.sqe()).order(ByteOrder.LITTLE_ENDIAN);
      SubmissionQueueEntry sqe;
      try {
        sqe = new SubmissionQueueEntry().wrap(raw, 0);
      } catch (NvmeProtocolException e) {
        throw new AssertionError(e);
      }
      int cid = sqe.cid();
      int opc = sqe.opcode();
      boolean fabrics = opc == FabricsCommands.OPCODE;
      boolean connect = fabrics && FabricsCommands.fctype(sqe) == FabricsCommands.FCTYPE_CONNECT;
      ByteBuffer data = c.data();
      int icd = data == null ? 0 : data.remaining();
      if (controller == null) {
        if (connect) {
          connect(sqe, data);
        } else {
          respond(cid, NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | NvmeStatus.DNR_BIT, 0);
        }
        return;
      }
      if (connect) {
        respond(cid, NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      int icdLimit = qid == 0 ? ADMIN_IN_CAPSULE_DATA : inCapsule;
      if (icd > icdLimit) {
        throw new NvmeTcpProtocolException(
            NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 0,
            icd + " bytes of in-capsule data, at most " + icdLimit + " accepted");
      }
      int dir = fabrics ? SubmissionQueueEntry.XFER_NONE : sqe.dataTransfer();
      long len = sqe.sglLength();
      int sglId = sqe.sglIdentifier();
      if (dir == SubmissionQueueEntry.XFER_NONE || len == 0) {
        submit(cid, sqe, null);
        return;
      }
      if (dir == SubmissionQueueEntry.XFER_BIDIRECTIONAL) {
        respond(cid, NvmeStatus.INVALID_FIELD.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      if (dir == SubmissionQueueEntry.XFER_HOST_TO_CONTROLLER
          && sglId == SubmissionQueueEntry.SGL_ID_DATA_BLOCK_OFFSET) {
        if (icd != len || sqe.sglAddress() != 0) {
          respond(cid, NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT, 0);
          return;
        }
        submit(cid, sqe, data);
        return;
      }
      if (sglId != SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK) {
        respond(cid, NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      if (len > maxTransfer) {
        respond(cid, NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      if (reads.size() + writes.size() >= queueEntries) {
        throw new NvmeTcpProtocolException(
            NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 0,
            "more data transfers outstanding than the queue's " + queueEntries + " entries");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) len);
      if (dir == SubmissionQueueEntry.XFER_CONTROLLER_TO_HOST) {
        if (reads.putIfAbsent(cid, buf) != null) {
          respond(cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
          return;
        }
        submit(cid, sqe, buf);
        return;
      }
      // host to controller beyond the capsule: ask for it
      int ttag = nextTtag;
      nextTtag = (nextTtag + 1) & 0x7FFF;
      if (writes.putIfAbsent(ttag, new PendingWrite(cid, raw, buf)) != null) {
        respond(cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      send(NvmeTcpCodec.encode(new NvmeTcpPdu.R2T(cid, ttag, 0, len), hdgst, ddgst));
    }

    private void h2cData(NvmeTcpPdu.H2CData h) throws NvmeTcpProtocolException {
      PendingWrite w = writes.get(h.ttag());
      if (w == null) {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
            10, "unknown TTAG " + h.ttag());
      }
      if (w.cid != h.cccid()) {
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
            8, "CCCID " + h.cccid() + " for TTAG " + h.ttag() + " of command " + w.cid);
      }
      int n = h.data().remaining();
      if (n > maxH2CData) {
        throw new NvmeTcpProtocolException(
            NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 16,
            "DATAL " + n + " beyond MAXH2CDATA " + maxH2CData);
      }
      if (h.datao() != w.received || h.datao() + n > w.buf.capacity()) {
        throw new NvmeTcpProtocolException(
            NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
            "DATAO " + h.datao() + " DATAL " + n + ": expected offset " + w.received + " of "
                + w.buf.capacity());
      }
      w.buf.put(w.received, h.data(), h.data().position(), n);
      w.received += n;
      if (w.received == w.buf.capacity()) {
        writes.remove(h.ttag());
        try {
          submit(w.cid, new SubmissionQueueEntry().wrap(w.sqe, 0), w.buf);
        } catch (NvmeProtocolException e) {
          throw new AssertionError(e);
        }
      }
    }

    private void submit(int cid, SubmissionQueueEntry sqe, ByteBuffer data) {
      FabricsController c = controller;
      try {
        c.submit(qid, sqe, data);
      } catch (IllegalStateException | IllegalArgumentException e) {
        reads.remove(cid);
        respond(cid, NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | NvmeStatus.DNR_BIT, 0);
      }
    }

    private void connect(SubmissionQueueEntry sqe, ByteBuffer data) {
      int cid = sqe.cid();
      if (data == null || data.remaining() != FabricsCommands.CONNECT_DATA_LENGTH
          || sqe.sglLength() != FabricsCommands.CONNECT_DATA_LENGTH) {
        respond(cid, NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      int recfmt = sqe.cdw10() & 0xFFFF;
      int q = sqe.cdw10() >>> 16;
      int sqsize = sqe.cdw11() & 0xFFFF;
      int cattr = sqe.cdw11() >>> 16 & 0xFF;
      int kato = sqe.cdw12();
      if (recfmt != 0) {
        respond(cid, FabricsCommands.connectStatus(FabricsCommands.SC_CONNECT_INCOMPATIBLE_FORMAT),
            0);
        return;
      }
      UUID hostId = FabricsCommands.hostId(data);
      int cntlid = FabricsCommands.cntlid(data);
      String subNqn = FabricsCommands.nqn(data, FabricsCommands.CD_SUBNQN);
      String hostNqn = FabricsCommands.nqn(data, FabricsCommands.CD_HOSTNQN);
      boolean toDiscovery = FabricsCommands.DISCOVERY_NQN.equals(subNqn) && discovery != null;
      if (subNqn == null || !subNqn.equals(subsystem.nqn()) && !toDiscovery) {
        invalidParameter(cid, true, FabricsCommands.CD_SUBNQN, "unknown subsystem " + subNqn);
        return;
      }
      if (hostNqn == null || hostNqn.isEmpty()) {
        invalidParameter(cid, true, FabricsCommands.CD_HOSTNQN, "no host NQN");
        return;
      }
      if (kato < 0) {
        invalidParameter(cid, false, 48, "KATO " + Integer.toUnsignedString(kato));
        return;
      }
      FabricsController c;
      if (toDiscovery && q != 0) {
        invalidParameter(cid, false, 42, "a discovery controller has no I/O queues");
        return;
      }
      if (q == 0) {
        if (cntlid != FabricsCommands.CNTLID_DYNAMIC) {
          invalidParameter(cid, true, FabricsCommands.CD_CNTLID,
              "CNTLID " + cntlid + " (only the dynamic model, FFFFh, is served)");
          return;
        }
        if (sqsize < 1 || sqsize >= TargetController.ADMIN_QUEUE_ENTRIES) {
          invalidParameter(cid, false, 44, "admin SQSIZE " + sqsize);
          return;
        }
        try {
          c = toDiscovery ? discovery.connect(portId, hostNqn, hostId, kato, this)
              : subsystem.connect(portId, hostNqn, hostId, kato, this);
        } catch (NvmeConnectException e) {
          LOG.info("{}: Connect refused: {}", name, e.getMessage());
          respond(cid, FabricsCommands.connectStatus(
              e.reason() == NvmeConnectException.Reason.UNKNOWN_PORT
                  ? FabricsCommands.SC_CONNECT_INVALID_PARAMETERS
                  : FabricsCommands.SC_CONNECT_CONTROLLER_BUSY), 0);
          return;
        }
      } else {
        c = subsystem.controller(cntlid).orElse(null);
        if (c == null || c.port() != portId) {
          invalidParameter(cid, true, FabricsCommands.CD_CNTLID,
              "no controller " + cntlid + " on port " + portId);
          return;
        }
        if (!c.hostNqn().equals(hostNqn) || !c.hostId().equals(hostId)) {
          invalidParameter(cid, true, FabricsCommands.CD_HOSTNQN,
              "controller " + cntlid + " belongs to another host");
          return;
        }
        try {
          c.connectIoQueue(q, sqsize + 1, this);
        } catch (IllegalArgumentException | IllegalStateException e) {
          invalidParameter(cid, false, 42, e.getMessage());
          return;
        }
      }
      queueEntries = sqsize + 1;
      sqFlowDisabled = (cattr & FabricsCommands.CATTR_DISABLE_SQ_FLOW_CONTROL) != 0;
      qid = q;
      controller = c;
      respond(cid, 0, c.cntlid());
      if (closing.get()) {
        release(c, q);
      }
    }

    private void invalidParameter(int cid, boolean inData, int offset, String why) {
      RLOG.info("{}: Connect refused: {}", name, why);
      respond(cid, FabricsCommands.connectStatus(FabricsCommands.SC_CONNECT_INVALID_PARAMETERS),
          FabricsCommands.invalidParameter(inData, offset));
    }

    private void respond(int cid, int status, int dw0) {
      CompletionQueueEntry cqe = CompletionQueueEntry.allocate();
      cqe.dw0(dw0).sqid(Math.max(qid, 0)).cid(cid).statusField(status);
      out.add(new Completion(cqe.toBytes(), null));
    }

    private void send(ByteBuffer pdu) {
      out.add(pdu);
    }

    // ------------------------------------------------------------------ completion sink

    @Override
    public void complete(CompletionQueueEntry cqe) {
      ByteBuffer data = reads.remove(cqe.cid());
      out.add(new Completion(cqe.toBytes(), data));
    }

    @Override
    public void disconnected(String reason) {
      close("controller gone: " + reason);
    }

    // ------------------------------------------------------------------ writer

    private void writeLoop() {
      try {
        while (true) {
          Object o = out.take();
          if (o == CLOSE) {
            break;
          }
          if (o instanceof ByteBuffer b) {
            write(b);
          } else {
            Completion c = (Completion) o;
            writeCompletion(c);
          }
        }
      } catch (IOException e) {
        close("write failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        closeQuietly(ch);
      }
    }

    private void writeCompletion(Completion c) throws IOException {
      ByteBuffer cqe = ByteBuffer.wrap(c.cqe()).order(ByteOrder.LITTLE_ENDIAN);
      int status = (cqe.getShort(CompletionQueueEntry.STATUS_OFFSET) & 0xFFFF) >>> 1;
      int cid = cqe.getShort(CompletionQueueEntry.CID_OFFSET) & 0xFFFF;
      boolean ok = NvmeStatus.code(status) == 0;
      if (c.data() != null && ok) {
        boolean success = sqFlowDisabled && cqe.getInt(0) == 0 && cqe.getInt(4) == 0;
        ByteBuffer d = c.data();
        int total = d.capacity();
        for (int off = 0; off < total; off += c2hChunk) {
          int n = Math.min(c2hChunk, total - off);
          boolean last = off + n == total;
          ByteBuffer piece = d.duplicate().limit(off + n).position(off);
          write(NvmeTcpCodec.encode(new NvmeTcpPdu.C2HData(cid, off, last, last && success, piece),
              hdgst, ddgst, hostPda));
        }
        if (success) {
          return;
        }
      }
      write(NvmeTcpCodec.encode(new NvmeTcpPdu.CapsuleResp(c.cqe()), hdgst, ddgst));
    }

    private void write(ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    // ------------------------------------------------------------------ teardown

    private void terminate(NvmeTcpProtocolException e) {
      RLOG.warn("{}: protocol error, terminating the connection: {}", name, e.getMessage());
      byte[] hdr = decoder.headerInError();
      out.add(NvmeTcpCodec.encode(new NvmeTcpPdu.TermReq(false, e.wireFes(), e.fei(), hdr),
          false, false));
      close(e.getMessage());
    }

    void close(String reason) {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      LOG.debug("{}: closing: {}", name, reason);
      connections.remove(this);
      out.add(CLOSE); // the writer sends what is queued (a TermReq), then closes the socket
      if (Thread.currentThread() != reader) {
        // unblock the reader; the writer closes the channel after draining
        try {
          ch.shutdownInput();
        } catch (IOException | RuntimeException ex) {
          // already closed
        }
      }
      try {
        // a writer stuck on a host that does not read must not keep the socket forever
        timer.schedule(() -> closeQuietly(ch), 2, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException ex) {
        closeQuietly(ch);
      }
      FabricsController c = controller;
      if (c != null) {
        release(c, qid);
      }
    }

    private void release(FabricsController c, int q) {
      try {
        if (q == 0) {
          c.disconnect();
        } else if (q > 0) {
          c.disconnectIoQueue(q);
        }
      } catch (RuntimeException e) {
        LOG.debug("{}: releasing queue {}", name, q, e);
      }
    }
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

    /** Binds and starts accepting. */
    public NvmeTcpListener start() throws IOException {
      return new NvmeTcpListener(this);
    }
  }
}
