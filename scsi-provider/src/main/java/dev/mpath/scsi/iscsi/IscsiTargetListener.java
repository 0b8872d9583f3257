package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.CdbArrays;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.target.ResponseSink;
import dev.mpath.scsi.target.ScsiResponse;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.scsi.target.ScsiTargetException;
import dev.mpath.scsi.target.Session;
import dev.mpath.spi.NetAddress;
import dev.mpath.spi.TagTable;
import dev.mpath.spi.TcpServer;
import dev.mpath.wire.BufferPool;
import dev.mpath.wire.IoEngine;
import dev.mpath.wire.SubmitQueue;
import dev.mpath.wire.WireListener;
import io.netty.channel.Channel;
import io.netty.util.collection.IntObjectHashMap;
import dev.mpath.spi.RateLimitedLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * connection closes), Text Request (SendTargets) in both session types. Task management
 * functions ABORT TASK, ABORT TASK SET, CLEAR ACA, CLEAR TASK SET, LOGICAL UNIT RESET, TARGET
 * WARM/COLD RESET are answered FUNCTION COMPLETE without any effect on the emulator (commands
 * already queued still complete and are answered; a COLD RESET also drops the connection);
 * TASK REASSIGN gets 04h (ERL 0), anything else 05h. SNACK is rejected (reason 04h). The
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
 * <p>Threads: none of its own. Each connection lives on an event loop of an {@link IoEngine}
 * (the shared one unless given), which runs the login, the PDU decoding and task bookkeeping
 * and writes every PDU to the initiator (with the StatSN it consumes), so the emulator's logical
 * unit threads only queue their answers.
 */
public final class IscsiTargetListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTargetListener.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTargetListener.class, 1000);
  /** Login-phase PDUs carry at most 8 KiB of text (RFC 7143 6.1: MaxRecvDataSegmentLength default). */
  private static final int LOGIN_SEGMENT = 8192;
  private static final int LOGIN_PDUS = 64;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Listeners alive in this JVM, per target, for SendTargets. */
  private static final Map<ScsiTarget, Set<IscsiTargetListener>> PORTALS = new ConcurrentHashMap<>();

  // Reject reasons (11.17.1).
  static final int REJECT_PROTOCOL_ERROR = 0x04;

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
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
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
          Connection c = new Connection(ch, n);
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
    for (Connection c : connections) {
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

  private int nextTsih() {
    int t;
    do {
      t = tsihs.incrementAndGet() & 0xFFFF;
    } while (t == 0);
    return t;
  }

  static boolean serialGt(int a, int b) {
    return a != b && (a - b) > 0;
  }

  /** Something to send, run on the connection's event loop in the order queued. */
  @FunctionalInterface
  private interface Out {
    void write() throws IOException;
  }

  /** An {@link Out} on its way to the loop. */
  private static final class OutNode extends SubmitQueue.Node {
    final Out out;

    OutNode(Out out) {
      this.out = out;
    }
  }

  /** Most bytes waiting to be written before an initiator that does not read is cut off. */
  private static final long MAX_UNWRITTEN = 64L << 20;

  /**
   * One SCSI command of a connection, in a reusable slot of the connection's {@link TagTable}:
   * the slot's tag is the command's tag at the logical unit, so a late answer to an aborted
   * task finds nothing even when the initiator has reused its ITT, and exactly one of the
   * answer and a task management function ends the task ({@linkplain TagTable#claim claim}).
   * Loop only, but for {@link #response}, set by the claimer before {@link #answer} is queued.
   */
  private static final class Task extends TagTable.Slot {
    int itt;
    long lunField;
    int lun;
    byte[] cdb; // from cdbs
    final CdbArrays cdbs = new CdbArrays();
    int edtl;
    boolean read;
    boolean write;
    boolean immediate;
    byte[] buf; // null: no data, or refused; data's array, at least edtl long
    ByteBuffer data; // from the connection's pool: position 0, limit edtl
    long reserved; // bytes of the connection budget held
    ScsiResponse refusal; // answered without running
    ScsiResponse response; // the answer, set by the claimer
    final TaskAnswer answer = new TaskAnswer(this);
    // write data (reader thread)
    int received;
    boolean unsolicitedOpen;
    int unsolicitedEnd;
    boolean r2tOpen;
    int ttt;
    int burstEnd;
    int seqDataSn;
    int r2tSn;

    void start(int itt, long lunField, int lun, int edtl, boolean read, boolean write,
        boolean immediate) {
      this.itt = itt;
      this.lunField = lunField;
      this.lun = lun;
      this.edtl = edtl;
      this.read = read;
      this.write = write;
      this.immediate = immediate;
      buf = null;
      data = null;
      reserved = 0;
      refusal = null;
      response = null;
      received = 0;
      unsolicitedOpen = false;
      unsolicitedEnd = 0;
      r2tOpen = false;
      ttt = Pdu.RESERVED_TAG;
      burstEnd = 0;
      seqDataSn = 0;
      r2tSn = 0;
    }
  }

  /** A task's answer on its way to the loop (one per task, reused with it). */
  private static final class TaskAnswer extends SubmitQueue.Node {
    final Task task;

    TaskAnswer(Task task) {
      this.task = task;
    }
  }

  /** One TCP connection: one session (MaxConnections=1). */
  private final class Connection implements ResponseSink, IscsiConnection.Receiver,
      SubmitQueue.Drain {
    final int seq;
    final Channel channel;
    final String name;
    final PduDecoder decoder = PduDecoder.fromInitiator(LOGIN_SEGMENT);
    final IscsiConnection conn = new IscsiConnection(decoder, this);
    final PduEncoder encoder = new PduEncoder(false, false); // loop only
    /** The BHS of a Data-In or SCSI Response being sent, laid out in place (loop only). */
    final byte[] bhsOut = new byte[Pdu.BHS_LENGTH];
    final SubmitQueue outs;
    final AtomicBoolean closing = new AtomicBoolean();
    /** Outstanding tasks by ITT (loop only). */
    final IntObjectHashMap<Task> tasks = new IntObjectHashMap<>();
    /** Their slots: a slot's tag is its task's tag at the logical unit (any thread). */
    final TagTable<Task> table = new TagTable<>(32, Task::new);
    final AtomicLong buffered = new AtomicLong();
    /** Task data buffers, reused once a task is answered (loop only). */
    final BufferPool pool = new BufferPool(maxTransfer);
    /** A SCSI Command's immediate data, placed by the decoder, for the task it starts (loop only). */
    ByteBuffer staged;
    int stagedFor;

    // session
    volatile boolean fullFeature;
    volatile Session session;
    boolean discovery;
    String initiatorName;
    long isid;
    int tsih;
    // negotiated (set by the reader before the full feature phase)
    boolean headerDigest;
    boolean dataDigest;
    volatile int peerMrdsl = 8192;
    volatile int maxBurst = 262144;
    int firstBurst = 65536;
    boolean r2tFirst = true;
    boolean immediate = true;

    // CmdSN window (under snLock)
    final Object snLock = new Object();
    int expCmdSn;
    int outstanding;
    int statSn = RANDOM.nextInt(); // loop only

    // login (loop only)
    final IscsiTargetLogin login = new IscsiTargetLogin(loginPolicy);
    int loginRound;

    // received PDUs (loop only)
    int nextTtt = 1;
    byte[] textPending;
    int textOffset;
    int textTtt = Pdu.RESERVED_TAG;
    ByteArrayOutputStream textIn;

    Connection(Channel ch, int n) {
      this.seq = n;
      this.channel = ch;
      this.name = "iscsi-" + tcpPort() + "-c" + n;
      this.outs = new SubmitQueue(ch.eventLoop(), this);
    }

    void start() {
      channel.eventLoop().schedule(() -> {
        if (!fullFeature) {
          RLOG.info("{}: no login within {} ms, dropping the connection", name, loginTimeoutMillis);
          abort("no login within " + loginTimeoutMillis + " ms");
        }
      }, loginTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ the connection's events

    @Override
    public void active() {}

    @Override
    public void pdu(Pdu p) {
      if (closing.get()) {
        return;
      }
      try {
        if (!fullFeature) {
          loginStep(p);
          return;
        }
        handle(p);
        if (conn.unwrittenBytes() > MAX_UNWRITTEN) {
          throw new IscsiProtocolException("the initiator does not read its answers ("
              + conn.unwrittenBytes() + " bytes unwritten)");
        }
      } catch (IscsiProtocolException e) {
        RLOG.warn("{}: protocol error, dropping the connection: {}", name, e.getMessage());
        close("protocol error: " + e.getMessage());
      } catch (IOException e) {
        close(e.getMessage() == null ? e.toString() : e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{}: unexpected error", name, e);
        close("internal error: " + e);
      }
    }

    @Override
    public void closed(String reason) {
      close(reason);
    }

    @Override
    public void drain(SubmitQueue.Node item) {
      if (conn.isGone()) {
        return;
      }
      try {
        if (item instanceof TaskAnswer a) {
          finish(a.task);
        } else {
          ((OutNode) item).out.write();
        }
      } catch (IOException e) {
        close("write failed: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{}: writing failed", name, e);
        close("internal error: " + e);
      }
    }

    @Override
    public void batchDone() {
      try {
        conn.flush();
      } catch (IOException e) {
        // gone: the connection reports it
      }
    }

    // ------------------------------------------------------------------ reading

    // ------------------------------------------------------------------ login

    /** One PDU of the login phase (RFC 7143 6.1): answers it, or refuses and closes. */
    private void loginStep(Pdu p) throws IOException {
      if (++loginRound > LOGIN_PDUS) {
        refuse(null, IscsiTargetLogin.INITIATOR_ERROR, "login does not end");
        return;
      }
      boolean first = login.first();
      if (p.opcode() != Opcode.LOGIN_REQUEST) {
        if (first) {
          throw new IscsiProtocolException("expected a Login Request, got " + Opcode.name(p.opcode()));
        }
        refuse(p, IscsiTargetLogin.INVALID_DURING_LOGIN, Opcode.name(p.opcode()) + " during login");
        return;
      }
      if (first) {
        synchronized (snLock) {
          expCmdSn = p.cmdSn();
        }
      }
      try {
        IscsiTargetLogin.Step step = login.step(p);
        switch (step.kind()) {
          case MORE:
            sendLogin(false, step.csg(), 0, p.itt(), 0, null);
            break;
          case FULL_FEATURE:
            enterFullFeature(p, step.keys());
            break;
          default:
            sendLogin(step.transit(), step.csg(), step.nsg(), p.itt(), 0, TextParameters.encode(step.keys()));
        }
      } catch (IscsiTargetLogin.Refused r) {
        RLOG.info("{}: login of {} refused ({}): {}", name, login.initiatorName, String.format("%04x", r.status),
            r.getMessage());
        refuse(p, r.status, r.getMessage());
      }
    }

    private void enterFullFeature(Pdu p, Map<String, String> resp) throws IscsiTargetLogin.Refused {
      IscsiTargetLogin l = login;
      discovery = l.discovery;
      initiatorName = l.initiatorName;
      isid = l.isid;
      headerDigest = l.headerDigest;
      dataDigest = l.dataDigest;
      peerMrdsl = l.peerMrdsl;
      maxBurst = l.maxBurst;
      firstBurst = l.firstBurst;
      r2tFirst = l.r2tFirst;
      immediate = l.immediate;
      tsih = nextTsih();
      if (!discovery) {
        String initiatorPort = initiatorName + ",i,0x" + String.format("%012x", isid);
        try {
          session = target.login(initiatorPort, port, this);
        } catch (ScsiTargetException e) {
          switch (e.reason()) {
            case INVALID_INITIATOR:
              throw new IscsiTargetLogin.Refused(IscsiTargetLogin.INITIATOR_ERROR, e.getMessage());
            case UNKNOWN_PORT:
              throw new IscsiTargetLogin.Refused(IscsiTargetLogin.TARGET_ERROR, e.getMessage());
            default:
              throw new IscsiTargetLogin.Refused(IscsiTargetLogin.SERVICE_UNAVAILABLE, e.getMessage());
          }
        }
      }
      decoder.maxDataSegmentLength(Math.max(maxRecvDataSegmentLength, 512));
      byte[] text = TextParameters.encode(resp);
      boolean hd = headerDigest;
      boolean dd = dataDigest;
      int itt = p.itt();
      int t = tsih;
      send(() -> {
        encoder.encode(loginResponse(true, p.csg(), Pdus.STAGE_FULL_FEATURE, itt, t, 0, text), conn.buffer());
        encoder.digests(hd, dd);
      });
      decoder.digests(hd, dd);
      decoder.dataPlacement(this::place);
      decoder.reuseHeaders(true); // nothing keeps a PDU past handle()
      fullFeature = true;
      LOG.debug("{}: {} session of {} ISID {} logged in, TSIH {}", name, discovery ? "discovery" : "normal",
          initiatorName, String.format("%012x", isid), tsih);
      if (closing.get() && session != null) {
        session.logout();
      }
    }

    private Pdu loginResponse(boolean transit, int csg, int nsg, int itt, int tsihValue, int status, byte[] text) {
      int exp;
      int max;
      synchronized (snLock) {
        exp = expCmdSn;
        max = expCmdSn + queueDepth - 1 - outstanding;
      }
      return Pdus.loginResponse(transit, false, csg, nsg, login.isid, tsihValue, itt, statSn++, exp, max,
          status >>> 8, status & 0xFF, text);
    }

    private void sendLogin(boolean transit, int csg, int nsg, int itt, int status, byte[] text) {
      send(() -> encoder.encode(loginResponse(transit, csg, nsg, itt, 0, status, text), conn.buffer()));
    }

    private void refuse(Pdu p, int status, String why) {
      int itt = p == null ? 0 : p.itt();
      int csg = p == null ? 0 : p.csg();
      if (p != null && p.opcode() == Opcode.LOGIN_REQUEST) {
        sendLogin(false, csg, 0, itt, status, null);
      }
      close("login refused: " + why);
    }

    // ------------------------------------------------------------------ full feature phase

    private void handle(Pdu p) throws IOException {
      switch (p.opcode()) {
        case Opcode.SCSI_COMMAND:
          normalOnly(p);
          command(p);
          break;
        case Opcode.DATA_OUT:
          normalOnly(p);
          dataOut(p);
          break;
        case Opcode.NOP_OUT:
          nop(p);
          break;
        case Opcode.TASK_MGMT_REQUEST:
          normalOnly(p);
          taskManagement(p);
          break;
        case Opcode.TEXT_REQUEST:
          text(p);
          break;
        case Opcode.LOGOUT_REQUEST:
          logout(p);
          break;
        case Opcode.SNACK_REQUEST: {
          byte[] bhs = p.bhs();
          send(() -> encoder.encode(Pdus.reject(REJECT_PROTOCOL_ERROR, statSn++, exp(), max(), 0, bhs), conn.buffer()));
          break;
        }
        default:
          throw new IscsiProtocolException(Opcode.name(p.opcode()) + " in the full feature phase");
      }
    }

    private void normalOnly(Pdu p) throws IscsiProtocolException {
      if (discovery) {
        throw new IscsiProtocolException(Opcode.name(p.opcode()) + " in a discovery session");
      }
    }

    /** CmdSN of a non-immediate command: must be ExpCmdSN and within the window. */
    private void admit(Pdu p) throws IscsiProtocolException {
      if (p.immediate()) {
        return;
      }
      synchronized (snLock) {
        int max = expCmdSn + queueDepth - 1 - outstanding;
        if (p.cmdSn() != expCmdSn) {
          throw new IscsiProtocolException(Opcode.name(p.opcode()) + " with CmdSN " + Integer.toUnsignedString(p.cmdSn())
              + ", expected " + Integer.toUnsignedString(expCmdSn) + " (one connection, ErrorRecoveryLevel 0)");
        }
        if (serialGt(p.cmdSn(), max)) {
          throw new IscsiProtocolException(Opcode.name(p.opcode()) + " with CmdSN " + Integer.toUnsignedString(p.cmdSn())
              + " beyond MaxCmdSN " + Integer.toUnsignedString(max));
        }
        expCmdSn++;
        outstanding++;
      }
    }

    /** A non-immediate command was answered: its slot opens the window. Writer thread. */
    private void answered(boolean wasImmediate) {
      if (!wasImmediate) {
        synchronized (snLock) {
          outstanding--;
        }
      }
    }

    int exp() {
      synchronized (snLock) {
        return expCmdSn;
      }
    }

    int max() {
      synchronized (snLock) {
        return expCmdSn + queueDepth - 1 - outstanding;
      }
    }

    private void send(Out o) {
      if (!outs.add(new OutNode(o))) {
        close("event loop shut down");
      }
    }

    /**
     * The decoder's {@link PduDecoder.DataPlacement} (loop): a Data-Out's data goes straight
     * into its task's buffer once the PDU is checked as {@link #dataOut} checks it; a SCSI
     * Command's immediate data into a pooled buffer that becomes the task's in
     * {@link #command}. Declined (the PDU then carries its data) for a refused task, or an
     * EDTL beyond what a task may move, which {@link #command} answers.
     */
    private boolean place(Pdu h, ByteBuffer in, int len) throws IscsiProtocolException {
      if (!fullFeature || closing.get()) {
        return false;
      }
      if (h.opcode() == Opcode.DATA_OUT) {
        Task t = dataOutTask(h);
        if (t.buf == null) {
          return false;
        }
        in.get(in.position(), t.buf, (int) (h.bufferOffset() & 0xFFFFFFFFL), len);
        return true;
      }
      long edtl = h.expectedDataTransferLength() & 0xFFFFFFFFL;
      if (len > edtl || edtl > maxTransfer) {
        return false;
      }
      unstage();
      ByteBuffer b = pool.take((int) edtl);
      in.get(in.position(), b.array(), 0, len);
      staged = b;
      stagedFor = h.itt();
      return true;
    }

    /** Takes the immediate data placed for the command {@code p} (null: none was). */
    private ByteBuffer takeStaged(Pdu p) throws IscsiProtocolException {
      if (!p.dataPlaced()) {
        return null;
      }
      ByteBuffer b = staged;
      if (b == null || stagedFor != p.itt()) {
        throw new IscsiProtocolException("immediate data of ITT " + Integer.toHexString(p.itt()) + " not placed");
      }
      staged = null;
      return b;
    }

    private void unstage() {
      if (staged != null) {
        pool.give(staged);
        staged = null;
      }
    }

    private void command(Pdu p) throws IscsiProtocolException {
      ByteBuffer placed = takeStaged(p);
      int itt = p.itt();
      if (itt == Pdu.RESERVED_TAG) {
        throw new IscsiProtocolException("SCSI Command with the reserved ITT");
      }
      if (tasks.containsKey(itt)) {
        throw new IscsiProtocolException("SCSI Command with ITT " + Integer.toHexString(itt) + " already in use");
      }
      if (tasks.size() >= queueDepth + 32) {
        throw new IscsiProtocolException("more than " + (queueDepth + 32) + " tasks outstanding");
      }
      admit(p);
      boolean r = (p.flags() & Pdus.CMD_R) != 0;
      boolean w = (p.flags() & Pdus.CMD_W) != 0;
      long edtlLong = p.expectedDataTransferLength() & 0xFFFFFFFFL;
      int imm = p.dataSegmentLength();
      if (imm > 0 && (!w || !immediate)) {
        throw new IscsiProtocolException("immediate data " + (w ? "although ImmediateData=No" : "with a command that"
            + " does not write"));
      }
      if (imm > edtlLong || imm > firstBurst) {
        throw new IscsiProtocolException(imm + " bytes of immediate data, EDTL " + edtlLong + ", FirstBurstLength "
            + firstBurst);
      }
      if (!p.finalBit() && (!w || r2tFirst)) {
        throw new IscsiProtocolException("SCSI Command without F although no unsolicited Data-Out may follow");
      }
      Lun l = new Lun(p.lun());
      int lun = l.isSimple() ? l.number() : -1;
      int edtl = (int) Math.min(edtlLong, Integer.MAX_VALUE);
      Task t = table.acquire();
      t.start(itt, p.lun(), lun, edtl, r, w, p.immediate());
      cdb(p, t);
      if (r && w) {
        t.refusal = ScsiResponse.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB), 0,
            edtl);
      } else if ((r || w) && edtlLong > 0) {
        if (edtlLong > maxTransfer) {
          RLOG.info("{}: EDTL {} beyond the {} bytes a task may move", name, edtlLong, maxTransfer);
          t.refusal = ScsiResponse.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB), 0,
              edtl);
        } else if (buffered.addAndGet(edtl) > connectionBuffer) {
          buffered.addAndGet(-edtl);
          t.refusal = new ScsiResponse(ScsiStatus.TASK_SET_FULL.code(), null, 0, edtl);
        } else {
          t.reserved = edtl;
          t.data = placed != null ? placed : pool.take(edtl);
          placed = null;
          t.buf = t.data.array();
        }
      }
      if (placed != null) { // the task was refused: its data is dropped
        pool.give(placed);
      }
      tasks.put(itt, t);
      if (w && edtl > 0) {
        if (imm > 0) {
          if (t.buf != null && !p.dataPlaced()) {
            p.dataRaw().get(t.buf, 0, imm);
          }
          t.received = imm;
        }
        if (p.finalBit()) {
          afterUnsolicited(t);
        } else {
          t.unsolicitedOpen = true;
          t.unsolicitedEnd = Math.min(edtl, firstBurst);
        }
      } else {
        run(t);
      }
    }

    /**
     * The task's CDB: 16 BHS bytes (cut to the length its group code implies) plus an Extended
     * CDB AHS (RFC 7143 11.3.5, 11.2.1.3).
     */
    private void cdb(Pdu p, Task t) throws IscsiProtocolException {
      byte[] bhs = p.bhsRaw();
      byte[] ahs = p.ahsRaw();
      int off = 0;
      while (off + 4 <= ahs.length) {
        int len = ((ahs[off] & 0xFF) << 8) | (ahs[off + 1] & 0xFF);
        int type = ahs[off + 2] & 0x3F;
        int size = (3 + len + 3) & ~3;
        if (len == 0 || off + size > ahs.length) {
          throw new IscsiProtocolException("AHS of length " + len + " beyond the " + ahs.length + "-byte AHS");
        }
        if (type == 1) {
          int ext = len - 1;
          byte[] c = t.cdbs.of(16 + ext);
          System.arraycopy(bhs, Pdu.CDB_OFFSET, c, 0, 16);
          System.arraycopy(ahs, off + 4, c, 16, ext);
          t.cdb = c;
          return;
        }
        off += size;
      }
      int n = OperationCode.cdbLength(bhs[Pdu.CDB_OFFSET] & 0xFF);
      byte[] c = t.cdbs.of(n < 0 ? 16 : n);
      System.arraycopy(bhs, Pdu.CDB_OFFSET, c, 0, c.length);
      t.cdb = c;
    }

    /** Unsolicited data is in: run, ask for the rest, or answer a refused task. */
    private void afterUnsolicited(Task t) {
      t.unsolicitedOpen = false;
      if (t.received >= t.edtl || t.refusal != null) {
        run(t);
      } else {
        r2t(t);
      }
    }

    private void r2t(Task t) {
      int ttt;
      do {
        ttt = nextTtt++;
      } while (ttt == Pdu.RESERVED_TAG);
      t.ttt = ttt;
      t.burstEnd = (int) Math.min(t.edtl, (long) t.received + maxBurst);
      t.seqDataSn = 0;
      t.r2tOpen = true;
      int sn = t.r2tSn++;
      int off = t.received;
      int len = t.burstEnd - t.received;
      int tag = ttt;
      send(() -> encoder.encode(Pdus.r2t(t.lunField, t.itt, tag, statSn, exp(), max(), sn, off, len), conn.buffer()));
    }

    private void dataOut(Pdu p) throws IscsiProtocolException {
      Task t = dataOutTask(p);
      int len = p.dataSegmentLength();
      t.seqDataSn++;
      if (t.buf != null && len > 0 && !p.dataPlaced()) {
        p.dataRaw().get(t.buf, (int) (p.bufferOffset() & 0xFFFFFFFFL), len);
      }
      t.received += len;
      if (!p.finalBit()) {
        return;
      }
      if (p.ttt() == Pdu.RESERVED_TAG) {
        t.seqDataSn = 0;
        afterUnsolicited(t);
        return;
      }
      if (t.received != t.burstEnd) {
        throw new IscsiProtocolException("Data-Out with F at " + t.received + " before the burst end " + t.burstEnd);
      }
      t.r2tOpen = false;
      if (t.received >= t.edtl) {
        run(t);
      } else {
        r2t(t);
      }
    }

    /**
     * The task a Data-Out belongs to, once the PDU is checked against it (ITT, direction,
     * TTT, offset, burst end, DataSN); changes nothing, so the decoder's placement and
     * {@link #dataOut} both ask.
     */
    private Task dataOutTask(Pdu p) throws IscsiProtocolException {
      Task t = tasks.get(p.itt());
      if (t == null || !t.write) {
        throw new IscsiProtocolException("Data-Out for ITT " + Integer.toHexString(p.itt())
            + (t == null ? ", no such task" : ", a task that does not write"));
      }
      int end;
      if (p.ttt() == Pdu.RESERVED_TAG) {
        if (!t.unsolicitedOpen) {
          throw new IscsiProtocolException("unsolicited Data-Out for ITT " + Integer.toHexString(t.itt)
              + " after its unsolicited data");
        }
        end = t.unsolicitedEnd;
      } else {
        if (!t.r2tOpen || p.ttt() != t.ttt) {
          throw new IscsiProtocolException("Data-Out with TTT " + Integer.toHexString(p.ttt()) + " for ITT "
              + Integer.toHexString(t.itt) + " answers no R2T");
        }
        end = t.burstEnd;
      }
      long off = p.bufferOffset() & 0xFFFFFFFFL;
      int len = p.dataSegmentLength();
      if (off != t.received || off + len > end) {
        throw new IscsiProtocolException("Data-Out of " + len + " bytes at offset " + off + "; expected offset "
            + t.received + ", burst ends at " + end);
      }
      if (p.dataSn() != t.seqDataSn) {
        throw new IscsiProtocolException("Data-Out DataSN " + p.dataSn() + ", expected " + t.seqDataSn);
      }
      return t;
    }

    private void run(Task t) {
      if (t.refusal != null) {
        if (table.claim(t, t.tag())) {
          answer(t, t.refusal);
        }
        return;
      }
      Session s = session;
      ByteBuffer data = t.data;
      s.execute(t.tag(), t.lun, t.cdb, data, data == null ? 0 : t.edtl);
    }

    /** Queues the answer of a task its caller has claimed. */
    private void answer(Task t, ScsiResponse r) {
      t.response = r;
      if (!outs.add(t.answer)) {
        close("event loop shut down");
      }
    }

    // ------------------------------------------------------------------ response sink

    @Override
    public boolean runsCommandsInline() {
      return true; // the loop takes no lock complete needs: no hand-off per command
    }

    @Override
    public boolean lendsBuffers() {
      return true; // a task's buffer is its own; an aborted task's is never reused
    }

    @Override
    public void complete(long tag, ScsiResponse response) {
      if (tag < 0 || tag > Integer.MAX_VALUE || closing.get()) {
        return;
      }
      Task t = table.claim((int) tag); // null: aborted meanwhile (a stale answer)
      if (t != null) {
        answer(t, response);
      }
    }

    @Override
    public void disconnected(String reason) {
      abort("nexus gone: " + reason);
    }

    /**
     * An aborted task leaves without a response (loop): false when its answer was claimed
     * first (it is on its way). Its buffer is dropped, not reused: the LU may still be at it.
     */
    private boolean forget(Task t) {
      if (!table.claim(t, t.tag())) {
        return false;
      }
      tasks.remove(t.itt);
      if (t.reserved > 0) {
        buffered.addAndGet(-t.reserved);
      }
      answered(t.immediate);
      t.data = null;
      t.buf = null;
      table.free(t);
      return true;
    }

    /** Data-In and the status of one claimed task, then its slot is reused (loop). */
    private void finish(Task t) throws IOException {
      ScsiResponse r = t.response;
      t.response = null;
      int moved = t.read && t.buf != null ? Math.min(Math.max(0, r.dataTransferred()), t.edtl) : 0;
      byte[] sense = r.sense();
      int residual = r.residual();
      boolean collapse = r.status() == ScsiStatus.GOOD.code() && (sense == null || sense.length == 0) && moved > 0;
      int resFlags = residual > 0 ? Pdus.DATA_U : residual < 0 ? Pdus.DATA_O : 0;
      int resCount = Math.abs(residual);
      if (tasks.get(t.itt) == t) {
        tasks.remove(t.itt);
      }
      if (t.reserved > 0) {
        buffered.addAndGet(-t.reserved);
      }
      answered(t.immediate);
      int chunk = peerMrdsl;
      int burst = maxBurst;
      int dataSn = 0;
      for (int off = 0; off < moved; ) {
        int burstEnd = (int) Math.min(moved, ((long) off / burst + 1) * burst);
        int n = Math.min(chunk, burstEnd - off);
        boolean last = off + n == moved;
        int flags = last || off + n == burstEnd ? Pdus.F : 0;
        int sn = statSn;
        int res = 0;
        if (last && collapse) {
          flags |= Pdus.DATA_S | resFlags;
          sn = statSn++;
          res = resCount;
        }
        Pdus.dataInBhs(bhsOut, flags, r.status(), t.lunField, t.itt, Pdu.RESERVED_TAG, sn, exp(), max(),
            dataSn++, off, res, n);
        encoder.encode(bhsOut, t.data, off, n, conn.buffer());
        off += n;
      }
      if (!collapse && (sense == null || sense.length == 0)) {
        Pdus.scsiResponseBhs(bhsOut, t.itt, 0, r.status(), statSn++, exp(), max(),
            t.read ? dataSn : t.r2tSn, residual < 0, residual > 0, resCount, 0);
        encoder.encode(bhsOut, null, 0, 0, conn.buffer());
      } else if (!collapse) {
        encoder.encode(Pdus.scsiResponse(t.itt, 0, r.status(), statSn++, exp(), max(),
            t.read ? dataSn : t.r2tSn, residual < 0, residual > 0, resCount, sense), conn.buffer());
      }
      // answered: the LU is done with the buffer and its Data-In is encoded (copied out).
      // An aborted or dropped task's buffer is not reused: the LU may still be at it.
      if (t.data != null) {
        pool.give(t.data);
        t.data = null;
        t.buf = null;
      }
      table.free(t);
    }

    // ------------------------------------------------------------------ other requests

    private void nop(Pdu p) throws IscsiProtocolException {
      if (p.itt() == Pdu.RESERVED_TAG) {
        return; // an answer to a ping of ours (we send none) or a one-way NOP
      }
      admit(p);
      byte[] ping = p.dataBytes();
      byte[] echo = ping.length > peerMrdsl ? Arrays.copyOf(ping, peerMrdsl) : ping;
      boolean imm = p.immediate();
      int itt = p.itt();
      long lun = p.lun();
      send(() -> {
        answered(imm);
        encoder.encode(Pdus.nopIn(lun, itt, Pdu.RESERVED_TAG, statSn++, exp(), max(), echo), conn.buffer());
      });
    }

    private void taskManagement(Pdu p) throws IscsiProtocolException {
      admit(p);
      int function = p.flags() & 0x7F;
      int response;
      switch (function) {
        case Pdus.TMF_ABORT_TASK: {
          // RFC 7143 11.5.1: Referenced Task Tag in bytes 20-23; the task never answers
          int rtt = p.ttt();
          Session s = session;
          Task t = tasks.get(rtt);
          if (s != null && !s.abortTask(t == null ? -1 : t.tag())) {
            response = 255; // function rejected
          } else if (t == null) {
            response = 1; // task does not exist (answered already)
          } else {
            response = 0;
            forget(t); // else answered first: its response goes out before this one
          }
          break;
        }
        case Pdus.TMF_LOGICAL_UNIT_RESET: {
          Lun l = new Lun(p.lun());
          Session s = session;
          if (s != null && l.isSimple() && !s.lunReset(l.number())) {
            response = 255;
          } else {
            response = 0;
            List<Task> hit = new ArrayList<>();
            for (Task t : tasks.values()) {
              if (t.lunField == p.lun()) {
                hit.add(t);
              }
            }
            hit.forEach(this::forget);
          }
          break;
        }
        case Pdus.TMF_ABORT_TASK_SET:
        case 3: // CLEAR ACA
        case 4: // CLEAR TASK SET
        case Pdus.TMF_TARGET_WARM_RESET:
        case 7: // TARGET COLD RESET
          response = 0; // FUNCTION COMPLETE (no effect on the emulator)
          break;
        case 8: // TASK REASSIGN
          response = 4; // task allegiance reassignment not supported (ERL 0)
          break;
        default:
          response = 5; // function not supported
      }
      boolean imm = p.immediate();
      int itt = p.itt();
      send(() -> {
        answered(imm);
        encoder.encode(Pdus.taskManagementResponse(response, itt, statSn++, exp(), max()), conn.buffer());
      });
      if (function == 7) {
        close("TARGET COLD RESET");
      }
    }

    private void logout(Pdu p) throws IscsiProtocolException {
      admit(p);
      int reason = p.flags() & 0x7F;
      int cid = p.int16(20);
      int response = reason == 2 ? 2 : (reason == 1 && cid != 0 ? 1 : 0);
      boolean imm = p.immediate();
      int itt = p.itt();
      send(() -> {
        answered(imm);
        encoder.encode(Pdus.logoutResponse(response, itt, statSn++, exp(), max(), 0, 0), conn.buffer());
      });
      if (response == 0) {
        close("logout");
      }
    }

    private void text(Pdu p) throws IscsiProtocolException {
      admit(p);
      boolean imm = p.immediate();
      int itt = p.itt();
      byte[] chunk;
      if (p.ttt() != Pdu.RESERVED_TAG && textPending != null && p.ttt() == textTtt && p.dataSegmentLength() == 0) {
        chunk = nextTextChunk();
      } else {
        if (p.ttt() != Pdu.RESERVED_TAG && p.ttt() != textTtt) {
          throw new IscsiProtocolException("Text Request with unknown TTT " + Integer.toHexString(p.ttt()));
        }
        textPending = null;
        if (textIn == null) {
          textIn = new ByteArrayOutputStream();
        }
        textIn.write(p.dataBytes(), 0, p.dataSegmentLength());
        if (textIn.size() > TextParameters.MAX_TEXT) {
          throw new IscsiProtocolException("text request beyond " + TextParameters.MAX_TEXT + " bytes");
        }
        if (p.continueBit() || !p.finalBit()) {
          // more request text follows
          textTtt = nextTtt++;
          int ttt = textTtt;
          textPending = new byte[0];
          textOffset = 0;
          send(() -> {
            answered(imm);
            encoder.encode(Pdus.textResponse(false, false, itt, ttt, statSn++, exp(), max(), null), conn.buffer());
          });
          return;
        }
        List<Map.Entry<String, String>> keys = TextParameters.parse(textIn.toByteArray());
        textIn = null;
        textPending = textAnswer(keys);
        textOffset = 0;
        chunk = nextTextChunk();
      }
      boolean more = textPending != null;
      int ttt = more ? (textTtt = nextTtt++) : Pdu.RESERVED_TAG;
      byte[] c = chunk;
      send(() -> {
        answered(imm);
        encoder.encode(Pdus.textResponse(!more, more, itt, ttt, statSn++, exp(), max(), c), conn.buffer());
      });
    }

    private byte[] nextTextChunk() {
      byte[] all = textPending;
      int n = Math.min(peerMrdsl, all.length - textOffset);
      byte[] c = Arrays.copyOfRange(all, textOffset, textOffset + n);
      textOffset += n;
      if (textOffset >= all.length) {
        textPending = null;
        textTtt = Pdu.RESERVED_TAG;
      }
      return c;
    }

    private byte[] textAnswer(List<Map.Entry<String, String>> keys) {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      for (Map.Entry<String, String> e : keys) {
        if (e.getKey().equals("SendTargets")) {
          String v = e.getValue();
          // RFC 7143 12.3: All (discovery sessions), the target's name, or "" (this session's target)
          if (!(v.equals("All") || v.equals(target.name()) || v.isEmpty() && !discovery)) {
            continue;
          }
          Map<String, String> m = new LinkedHashMap<>();
          m.put("TargetName", target.name());
          o.writeBytes(TextParameters.encode(m));
          // one TargetAddress per portal, in relative port order
          PORTALS.getOrDefault(target, Set.of(IscsiTargetListener.this)).stream()
              .sorted(java.util.Comparator.comparingInt(IscsiTargetListener::relativeTargetPort))
              .forEach(l -> o.writeBytes(
                  TextParameters.encode(Map.of("TargetAddress", l.targetAddress().format()))));
        } else {
          o.writeBytes(TextParameters.encode(Map.of(e.getKey(), "NotUnderstood")));
        }
      }
      return o.toByteArray();
    }

    // ------------------------------------------------------------------ teardown

    /** Closes after what is queued has been written (bounded by a timer). */
    void close(String reason) {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      LOG.debug("{}: closing: {}", name, reason);
      connections.remove(this);
      // what is queued goes out first (a login refusal, a logout response), within 2 s
      outs.add(new OutNode(() -> conn.close(reason)));
      endSession();
    }

    /** Drops the connection at once (link loss): nothing more is written. */
    void abort(String reason) {
      conn.abort(reason);
      close(reason);
    }

    private void endSession() {
      Session s = session;
      if (s != null) {
        s.logout(); // no-op when the target ended it
      }
      // the tasks go with the connection (their table is the loop's; answers now find it closing)
    }
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
