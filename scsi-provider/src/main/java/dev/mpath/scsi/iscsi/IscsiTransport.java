package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.host.ScsiTransport;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.TagTable;
import dev.mpath.wire.IoEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An iSCSI initiator session of one connection (RFC 7143, ErrorRecoveryLevel 0): one I_T
 * nexus for {@link dev.mpath.scsi.host.ScsiSession}.
 *
 * <p>Login: SecurityNegotiation (AuthMethod None, or CHAP with MD5 when the endpoint carries
 * credentials), then LoginOperationalNegotiation (digests, burst and segment lengths,
 * InitialR2T, ImmediateData, MaxOutstandingR2T=1, in-order data, ErrorRecoveryLevel=0), and
 * the negotiated values are honoured. A login with TSIH 0 and the same ISID reinstates an
 * older session of this nexus at the target.
 *
 * <p>Full feature phase: SCSI commands within the CmdSN window (commands wait in order,
 * without blocking the caller, until MaxCmdSN opens it); immediate and unsolicited data up to
 * FirstBurstLength when allowed; Data-Out answering each R2T in PDUs of at most the target's
 * MaxRecvDataSegmentLength; Data-In written into the caller's buffer at its BufferOffset;
 * status from the final Data-In or the SCSI Response, with residuals and sense. NOP-In
 * pings of the target are answered; {@link #ping()} sends a NOP-Out (also used as a
 * keep-alive: an unanswered ping drops the connection). {@link #close()} logs out.
 *
 * <p>Threads: none of its own. The connection lives on an event loop of the shared
 * {@link IoEngine}, which runs the login and then delivers every callback to the
 * {@link ResponseHandler}, so a loss is reported exactly once through
 * {@link ResponseHandler#disconnected} and no response follows it. Senders write under a
 * lock, in CmdSN order, and the loop puts their PDUs on the wire in that order.
 *
 * <p>A portal is any address or host name; a name is resolved when the connection is made,
 * off the event loops (see {@link IscsiEndpoint}).
 */
public final class IscsiTransport implements ScsiTransport {
  public static final String SCHEME = "iscsi";
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTransport.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTransport.class, 5000);
  private static final int LOGIN_ROUNDS = 16;

  /** Fixed-format sense: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h). */
  private static final byte[] INVALID_OPCODE_SENSE = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0};

  private final IscsiEndpoint endpoint;
  private final IscsiSettings settings;
  private final String sessionType;

  // connection
  private volatile IscsiConnection conn;
  private volatile IscsiInitiatorLogin login;
  private final PduEncoder encoder = new PduEncoder(false, false); // under sendLock
  private final byte[] bhs = new byte[Pdu.BHS_LENGTH]; // under sendLock: the BHS being laid out
  private volatile Negotiated negotiated;
  private volatile ResponseHandler handler;

  // sequence numbers
  private final Object sendLock = new Object();
  private int cmdSn = 1; // under sendLock
  private volatile int expCmdSn = 1;
  private volatile int maxCmdSn = 1;
  private volatile int expStatSn;
  private final ArrayDeque<Task> waiting = new ArrayDeque<>(); // under sendLock
  private int nextImmediate; // under sendLock (and the loop before the full feature phase)

  /** SCSI commands by ITT: the ITT is the slot's tag (bit 31 clear); immediates have bit 31 set. */
  private final TagTable<Task> tasks = new TagTable<>(32, Task::new);
  private final Map<Integer, CompletableFuture<Pdu>> immediates = new ConcurrentHashMap<>();
  private final AtomicBoolean dead = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean fullFeature;
  private volatile ScheduledFuture<?> keepAlive;
  private volatile long lastHeard;

  /** One SCSI command in flight: a reusable slot of {@link #tasks}, armed per command. */
  private static final class Task extends TagTable.Slot {
    long tag;
    int itt;
    long lun;
    byte[] cdb;
    ByteBuffer buf; // the caller's buffer, accessed with absolute indexes only
    int base;
    int length;
    boolean write;
    boolean read;
    /** The command went out (under sendLock; read on the loop, which decodes its answers). */
    volatile boolean sent;
    int nextDataSn; // reader thread
    int received; // reader thread

    void arm(long tag, long lun, byte[] cdb, ByteBuffer buf, int length, boolean write) {
      this.tag = tag;
      this.itt = tag();
      this.lun = lun;
      this.cdb = cdb;
      this.buf = buf;
      this.base = buf == null ? 0 : buf.position();
      this.length = buf == null ? 0 : Math.max(0, Math.min(length, buf.limit() - base));
      this.write = write && this.length > 0;
      this.read = !write && this.length > 0;
      this.nextDataSn = 0;
      this.received = 0;
      this.sent = false;
    }

    /** Drops the references to the caller's CDB and buffer (under sendLock, once claimed). */
    void clear() {
      cdb = null;
      buf = null;
    }
  }

  public IscsiTransport(IscsiEndpoint endpoint, IscsiSettings settings) {
    this(endpoint, settings, "Normal");
  }

  private IscsiTransport(IscsiEndpoint endpoint, IscsiSettings settings, String sessionType) {
    this.endpoint = endpoint;
    this.settings = settings;
    this.sessionType = sessionType;
  }

  @Override
  public String address() {
    return endpoint.address();
  }

  /** The negotiated parameters, once logged in. */
  public Negotiated negotiated() {
    return negotiated;
  }

  /**
   * Whether a CDB moves data to the target (WRITE, MODE SELECT, PERSISTENT RESERVE OUT,
   * UNMAP, MAINTENANCE OUT, ...); all other commands with a transfer length read.
   */
  public static boolean isDataOut(int opcode) {
    switch (opcode) {
      case OperationCode.WRITE_10:
      case OperationCode.WRITE_12:
      case OperationCode.WRITE_16:
      case OperationCode.WRITE_SAME_10:
      case OperationCode.WRITE_SAME_16:
      case OperationCode.COMPARE_AND_WRITE:
      case OperationCode.MODE_SELECT_6:
      case OperationCode.MODE_SELECT_10:
      case OperationCode.PERSISTENT_RESERVE_OUT:
      case OperationCode.UNMAP:
      case OperationCode.MAINTENANCE_OUT:
      case OperationCode.SERVICE_ACTION_OUT_16:
      case 0x0A: // WRITE (6)
      case 0x1D: // SEND DIAGNOSTIC
      case 0x2E: // WRITE AND VERIFY (10)
      case 0x3B: // WRITE BUFFER
      case 0x8E: // WRITE AND VERIFY (16)
        return true;
      default:
        return false;
    }
  }

  // ===================================================================== login

  @Override
  public CompletableFuture<Void> login(ResponseHandler h) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    this.handler = h;
    PduDecoder decoder = PduDecoder.fromTarget(settings.maxRecvDataSegmentLength());
    decoder.dataPlacement(this::placeDataIn);
    IscsiConnection c = new IscsiConnection(decoder, new IscsiConnection.Receiver() {
      @Override
      public void active() {
        startLogin(decoder, f);
      }

      @Override
      public void pdu(Pdu p) throws IOException {
        if (!fullFeature) {
          IscsiInitiatorLogin l = login;
          if (l != null) {
            l.response(p);
          }
          return;
        }
        lastHeard = System.nanoTime();
        handle(p);
      }

      @Override
      public void closed(String reason) {
        IscsiInitiatorLogin l = login;
        if (!fullFeature && l != null) {
          l.closed(reason);
        }
        fail(reason);
      }
    }, sendLock);
    conn = c;
    // resolves a name (off the event loops) and binds the source within the connect bound
    IoEngine.shared().connect(endpoint.portal(), settings.connectTimeout(), () -> c)
        .whenComplete((ch, e) -> {
          if (e != null) {
            dead.set(true);
            f.completeExceptionally(new PathFailureException(address() + ": login failed: "
                + e.getMessage(), e));
          } else if (closed.get()) {
            c.close("closed");
          }
        });
    return f;
  }

  /** On the connection's event loop once it is up: the login phase, then the full feature phase. */
  private void startLogin(PduDecoder decoder, CompletableFuture<Void> loggedIn) {
    int loginItt;
    synchronized (sendLock) {
      loginItt = immediateItt();
    }
    IscsiInitiatorLogin l = new IscsiInitiatorLogin(endpoint, settings, sessionType, loginItt, p -> {
      synchronized (sendLock) {
        encoder.encode(p, conn.buffer());
        conn.flush();
      }
    });
    login = l;
    l.start().whenComplete((n, e) -> {
      if (e != null) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause() : e;
        dead.set(true);
        conn.close("login failed");
        String why = t instanceof IscsiLoginException ? t.getMessage() : t.toString();
        loggedIn.completeExceptionally(new PathFailureException(address() + ": login failed: "
            + why, t));
        return;
      }
      if (closed.get()) {
        conn.close("closed during login");
        loggedIn.completeExceptionally(new PathFailureException(address() + ": closed during login"));
        return;
      }
      synchronized (sendLock) {
        negotiated = n;
        expStatSn = l.expStatSn;
        expCmdSn = l.expCmdSn;
        maxCmdSn = l.maxCmdSn;
        encoder.digests(n.headerDigest(), n.dataDigest());
        // the next PDU the loop decodes is already of the full feature phase
        decoder.digests(n.headerDigest(), n.dataDigest());
        decoder.reuseHeaders(true); // no PDU of the full feature phase is kept (see handle)
        fullFeature = true;
      }
      lastHeard = System.nanoTime();
      LOG.info("{}: logged in (TSIH {}, ISID {}, {})", address(), n.tsih(), settings.isidHex(), n);
      startKeepAlive();
      loggedIn.complete(null);
    });
  }

  // ===================================================================== reading

  /** The connection is gone: report it once, unless we closed it ourselves. */
  private void fail(String reason) {
    if (!dead.compareAndSet(false, true)) {
      return;
    }
    conn.close(reason);
    ScheduledFuture<?> k = keepAlive;
    if (k != null) {
      k.cancel(false);
    }
    PathFailureException gone = new PathFailureException(address() + ": " + reason);
    immediates.values().forEach(f -> f.completeExceptionally(gone));
    immediates.clear();
    if (!closed.get()) {
      RLOG.warn("{}: connection lost: {}", address(), reason);
      ResponseHandler h = handler;
      if (h != null) {
        h.disconnected(reason); // on the loop: no response follows
      }
    }
  }

  /** Drops the connection from any thread; its event loop reports the loss. */
  private void drop(String reason) {
    RLOG.warn("{}: dropping the connection: {}", address(), reason);
    conn.close(reason);
  }

  private void handle(Pdu p) throws IOException {
    switch (p.opcode()) {
      case Opcode.DATA_IN:
        if (p.statusPresent()) {
          statSn(p);
        }
        window(p);
        dataIn(p);
        break;
      case Opcode.SCSI_RESPONSE:
        statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        scsiResponse(p);
        break;
      case Opcode.R2T:
        window(p);
        r2t(p);
        break;
      case Opcode.NOP_IN:
        if (p.itt() != Pdu.RESERVED_TAG) {
          statSn(p);
        }
        window(p);
        nopIn(p);
        break;
      case Opcode.LOGOUT_RESPONSE:
      case Opcode.TASK_MGMT_RESPONSE:
      case Opcode.TEXT_RESPONSE:
        statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        CompletableFuture<Pdu> f = immediates.remove(p.itt());
        if (f == null) {
          throw new IscsiProtocolException(Opcode.name(p.opcode()) + " for unknown ITT " + Integer.toHexString(p.itt()));
        }
        f.complete(p.copy()); // p may be the decoder's reused header
        break;
      case Opcode.REJECT:
        statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        reject(p);
        break;
      case Opcode.ASYNC_MESSAGE:
        statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        async(p);
        break;
      default:
        throw new IscsiProtocolException("unexpected " + Opcode.name(p.opcode()) + " in the full feature phase");
    }
  }

  private Task task(Pdu p) throws IscsiProtocolException {
    Task t = tasks.get(p.itt());
    if (t == null || !t.sent) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + " for unknown ITT " + Integer.toHexString(p.itt()));
    }
    return t;
  }

  /**
   * The decoder's {@link PduDecoder.DataPlacement}: in the full feature phase, a Data-In's
   * data goes from the received bytes straight into the command's buffer (on the loop).
   */
  private boolean placeDataIn(Pdu p, ByteBuffer in, int len) throws IscsiProtocolException {
    if (!fullFeature) {
      return false;
    }
    placeData(p, in, in.position(), len);
    return true;
  }

  /**
   * Copies a Data-In's {@code len} data bytes at {@code src[index]} into its command's
   * buffer, once the Data-In is checked against the command (ITT, direction, DataSN, range).
   */
  private void placeData(Pdu p, ByteBuffer src, int index, int len) throws IscsiProtocolException {
    Task t = task(p);
    if (!t.read) {
      throw new IscsiProtocolException("Data-In for a command that reads nothing (ITT " + Integer.toHexString(t.itt) + ")");
    }
    if (p.dataSn() != t.nextDataSn) {
      throw new IscsiProtocolException("Data-In DataSN " + p.dataSn() + ", expected " + t.nextDataSn);
    }
    long off = p.bufferOffset() & 0xFFFFFFFFL;
    if (off + len > t.length) {
      throw new IscsiProtocolException("Data-In at offset " + off + " of " + len + " bytes beyond the "
          + t.length + "-byte buffer");
    }
    t.buf.put(t.base + (int) off, src, index, len);
  }

  private void dataIn(Pdu p) throws IscsiProtocolException {
    Task t = task(p);
    int len = p.dataSegmentLength();
    if (len > 0) {
      if (!p.dataPlaced()) {
        placeData(p, p.dataRaw(), 0, len);
      }
      t.received += len;
      t.nextDataSn++;
    } else if (!p.statusPresent()) {
      t.nextDataSn++;
    }
    if (p.statusPresent()) {
      if (!p.finalBit()) {
        throw new IscsiProtocolException("Data-In with S but without F");
      }
      complete(t, p.status(), null, p);
    }
  }

  private void scsiResponse(Pdu p) throws IscsiProtocolException {
    Task t = task(p);
    byte[] sense = Pdus.sense(p);
    int status = p.status();
    if (p.response() != 0) {
      RLOG.warn("{}: SCSI Response {} (target failure) for ITT {}", address(), p.response(), Integer.toHexString(t.itt));
      status = ScsiResult.TASK_ABORTED;
    }
    complete(t, status, sense, p);
  }

  private void complete(Task t, int status, byte[] sense, Pdu p) {
    if (!tasks.claim(t, t.itt)) {
      return;
    }
    int residual = 0;
    if (p.residualUnderflow()) {
      residual = p.residualCount();
    } else if (p.residualOverflow()) {
      residual = -p.residualCount();
    }
    int transferred = t.read ? t.received : t.write ? Math.max(0, t.length - Math.max(0, residual)) : 0;
    long tag = t.tag;
    release(t); // before the answer: its completion may send the next command in this slot
    ResponseHandler h = handler;
    if (!closed.get() && !dead.get() && h != null) {
      h.response(tag, status, sense, transferred, residual);
    }
  }

  private void r2t(Pdu p) throws IOException {
    Task t = task(p);
    long off = p.bufferOffset() & 0xFFFFFFFFL;
    long len = p.desiredDataTransferLength() & 0xFFFFFFFFL;
    if (!t.write) {
      throw new IscsiProtocolException("R2T for a command that writes nothing");
    }
    if (len == 0 || off + len > t.length) {
      throw new IscsiProtocolException("R2T for " + len + " bytes at offset " + off + " of a " + t.length + "-byte write");
    }
    if (len > negotiated.maxBurstLength()) {
      throw new IscsiProtocolException("R2T for " + len + " bytes exceeds MaxBurstLength " + negotiated.maxBurstLength());
    }
    synchronized (sendLock) {
      if (dead.get()) {
        return;
      }
      sendData(t, p.ttt(), (int) off, (int) len);
      conn.flush();
    }
  }

  /** Data-Out PDUs for {@code [off, off+len)}; DataSN from 0, F on the last. Under sendLock. */
  private void sendData(Task t, int ttt, int off, int len) {
    int max = negotiated.targetMaxRecvDataSegmentLength();
    int sn = 0;
    int end = off + len;
    for (int o = off; o < end; o += max) {
      int n = Math.min(max, end - o);
      Pdus.dataOutBhs(bhs, o + n == end, t.lun, t.itt, ttt, expStatSn, sn++, o, n);
      encoder.encode(bhs, t.buf, t.base + o, n, conn.buffer());
    }
  }

  private void nopIn(Pdu p) throws IOException {
    if (p.itt() != Pdu.RESERVED_TAG) {
      CompletableFuture<Pdu> f = immediates.remove(p.itt());
      if (f == null) {
        throw new IscsiProtocolException("NOP-In for unknown ITT " + Integer.toHexString(p.itt()));
      }
      f.complete(p.copy()); // p may be the decoder's reused header
    }
    if (p.ttt() != Pdu.RESERVED_TAG) {
      // the target pings: answer with its TTT, LUN and data (RFC 7143 11.18)
      synchronized (sendLock) {
        if (dead.get()) {
          return;
        }
        encoder.encode(Pdus.nopOut(true, p.lun(), Pdu.RESERVED_TAG, p.ttt(), cmdSn, expStatSn, p.dataBytes()),
            conn.buffer());
        conn.flush();
      }
    }
  }

  private void reject(Pdu p) throws IscsiProtocolException {
    byte[] rejected = p.dataBytes();
    int itt = rejected.length >= Pdu.BHS_LENGTH
        ? ByteBuffer.wrap(rejected, 16, 4).getInt() : Pdu.RESERVED_TAG;
    String what = rejected.length >= 1 ? Opcode.name(rejected[0] & 0x3F) : "a PDU";
    if (tasks.get(itt) != null || immediates.containsKey(itt)) {
      // ErrorRecoveryLevel 0: the task cannot be recovered on this connection
      throw new IscsiProtocolException(String.format(
          "target rejected %s (ITT %08x), reason %02Xh", what, itt, p.response()));
    }
    RLOG.warn("{}: target rejected {} (ITT {}), reason {}h", address(), what,
        String.format("%08x", itt), String.format("%02X", p.response()));
  }

  private void async(Pdu p) throws IscsiProtocolException {
    int event = p.byteAt(36);
    switch (event) {
      case 0:
        RLOG.info("{}: SCSI asynchronous event from the target (ignored)", address());
        break;
      case 1:
        throw new IscsiProtocolException("target requests a logout");
      case 2:
      case 3:
        throw new IscsiProtocolException("target announces it drops the connection");
      default:
        RLOG.info("{}: asynchronous message event {} (ignored)", address(), event);
    }
  }

  /** ExpCmdSN/MaxCmdSN from a target PDU (RFC 7143 4.2.2.1). */
  private void window(Pdu p) {
    int exp = p.expCmdSn();
    int max = p.maxCmdSn();
    if (serialLt(max, exp - 1)) {
      return; // MaxCmdSN < ExpCmdSN - 1: ignore (RFC 7143 4.2.2.1)
    }
    boolean opened = false;
    synchronized (sendLock) {
      if (serialGt(exp, expCmdSn)) {
        expCmdSn = exp;
      }
      if (serialGt(max, maxCmdSn)) {
        maxCmdSn = max;
        opened = true;
      }
      if (opened && fullFeature) {
        drain();
      }
    }
  }

  private void statSn(Pdu p) {
    int next = p.statSn() + 1;
    if (serialGt(next, expStatSn)) {
      expStatSn = next;
    }
  }

  static boolean serialGt(int a, int b) {
    return a != b && (a - b) > 0;
  }

  static boolean serialLt(int a, int b) {
    return a != b && (a - b) < 0;
  }

  // ===================================================================== sending

  @Override
  public void execute(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    if (cdb == null || cdb.length == 0) {
      throw new IllegalArgumentException("no CDB");
    }
    synchronized (sendLock) {
      if (dead.get() || closed.get() || !fullFeature) {
        return; // the loss is (or was) reported through disconnected()
      }
      Task t = tasks.acquire();
      t.arm(tag, Lun.of(lun).value(), cdb, data, dataLength, isDataOut(cdb[0] & 0xFF));
      if (waiting.isEmpty() && windowOpen()) {
        send(t);
        flush();
      } else {
        waiting.add(t);
      }
    }
  }

  /** An ITT for an immediate PDU (login, NOP-Out, TMF, Text, Logout): bit 31 set. Under sendLock. */
  private int immediateItt() {
    int i;
    do {
      i = 0x80000000 | nextImmediate++;
    } while (i == Pdu.RESERVED_TAG || immediates.containsKey(i));
    return i;
  }

  /** Ends {@code t} (claimed) and puts its slot back. */
  private void release(Task t) {
    synchronized (sendLock) {
      t.clear();
      tasks.free(t);
    }
  }

  /** Ends {@code t} on behalf of a task management function or a close. Under sendLock. */
  private void forget(Task t, int itt) {
    if (tasks.claim(t, itt)) {
      if (!t.sent) {
        waiting.remove(t);
      }
      t.clear();
      tasks.free(t);
    }
  }

  private boolean windowOpen() {
    return !serialGt(cmdSn, maxCmdSn);
  }

  /** Sends what waits for the window. Under sendLock. */
  private void drain() {
    boolean any = false;
    while (!waiting.isEmpty() && windowOpen() && !dead.get()) {
      send(waiting.poll());
      any = true;
    }
    if (any) {
      flush();
    }
  }

  /** SCSI Command, immediate data and unsolicited Data-Out. Under sendLock. */
  private void send(Task t) {
    Negotiated n = negotiated;
    int imm = 0;
    int unsolicited = 0;
    if (t.write) {
      int first = Math.min(t.length, n.firstBurstLength());
      if (n.immediateData()) {
        imm = Math.min(first, n.targetMaxRecvDataSegmentLength());
      }
      unsolicited = n.initialR2T() ? imm : first;
    }
    try {
      if (t.cdb.length <= 16) {
        Pdus.scsiCommandBhs(bhs, t.read, t.write, t.lun, t.itt, t.length, cmdSn, expStatSn, t.cdb,
            imm, unsolicited == imm);
        encoder.encode(bhs, t.buf, t.base, imm, conn.buffer());
      } else { // an extended CDB (AHS): rare, built as a PDU
        ByteBuffer immData = null;
        if (imm > 0) {
          immData = t.buf.duplicate();
          immData.limit(t.base + imm).position(t.base);
        }
        encoder.encode(Pdus.scsiCommand(t.read, t.write, t.lun, t.itt, t.length, cmdSn, expStatSn,
            t.cdb, immData, unsolicited == imm), conn.buffer());
      }
      cmdSn++;
      t.sent = true;
      if (unsolicited > imm) {
        sendData(t, Pdu.RESERVED_TAG, imm, unsolicited - imm);
      }
    } catch (IllegalArgumentException e) {
      // a CDB this transport cannot carry: answer as a target would, off the caller's stack
      long tag = t.tag;
      int length = t.length;
      forget(t, t.itt);
      RLOG.warn("{}: command not sent: {}", address(), e.getMessage());
      ResponseHandler h = handler;
      conn.loop().execute(() -> {
        if (!closed.get() && !dead.get()) {
          h.response(tag, ScsiResult.CHECK_CONDITION, INVALID_OPCODE_SENSE.clone(), 0, length);
        }
      });
    }
  }

  private void flush() {
    try {
      conn.flush();
    } catch (IOException e) {
      drop("send failed: " + e.getMessage());
    }
  }

  /** Sends an immediate PDU that the target answers by ITT. */
  private CompletableFuture<Pdu> immediate(java.util.function.IntFunction<Pdu> build) {
    CompletableFuture<Pdu> f = new CompletableFuture<>();
    synchronized (sendLock) {
      if (dead.get() || !fullFeature) {
        f.completeExceptionally(new PathFailureException(address() + ": not connected"));
        return f;
      }
      int itt = immediateItt();
      immediates.put(itt, f);
      try {
        encoder.encode(build.apply(itt), conn.buffer());
        conn.flush();
      } catch (IOException e) {
        immediates.remove(itt);
        f.completeExceptionally(new PathFailureException(address() + ": " + e.getMessage(), e));
        drop("send failed: " + e.getMessage());
      }
    }
    return f;
  }

  /**
   * A NOP-Out ping (immediate, ITT assigned, TTT ffffffffh) answered by a NOP-In: the path
   * checker's probe. Completes exceptionally when the connection is lost or after the NOP
   * timeout.
   */
  public CompletableFuture<Void> ping() {
    return immediate(itt -> Pdus.nopOut(true, 0, itt, Pdu.RESERVED_TAG, cmdSn, expStatSn, null))
        .orTimeout(settings.nopTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(p -> null);
  }

  /**
   * A task management function (immediate), for example {@link Pdus#TMF_LOGICAL_UNIT_RESET};
   * completes with the Response byte (0 = function complete).
   */
  public CompletableFuture<Integer> taskManagement(int function, int lun, int referencedTag) {
    return immediate(itt -> Pdus.taskManagement(true, function, Lun.of(lun).value(), itt, referencedTag, cmdSn,
        expStatSn, cmdSn, 0))
        .orTimeout(settings.logoutTimeout().toMillis() * 5, TimeUnit.MILLISECONDS)
        .thenApply(Pdu::response);
  }

  /**
   * ABORT TASK (RFC 7143 11.5.1) for the command sent with {@code tag}. On FUNCTION COMPLETE
   * (or when the task is not outstanding any more) the task is forgotten: nothing for it is
   * delivered afterwards.
   */
  @Override
  public CompletableFuture<Boolean> abortTask(long tag, int lun) {
    Task[] found = new Task[1];
    int[] itt = new int[1];
    synchronized (sendLock) {
      tasks.forEachOutstanding(x -> {
        if (x.tag == tag && x.tag() == x.itt) {
          found[0] = x;
          itt[0] = x.itt;
        }
      });
    }
    if (found[0] == null) {
      return CompletableFuture.completedFuture(true);
    }
    Task task = found[0];
    return taskManagement(Pdus.TMF_ABORT_TASK, lun, itt[0]).thenApply(response -> {
      // 0 function complete; 1 task does not exist (it completed meanwhile)
      boolean done = response == 0 || response == 1;
      if (done) {
        synchronized (sendLock) {
          forget(task, itt[0]);
        }
      }
      return done;
    });
  }

  /**
   * LOGICAL UNIT RESET (RFC 7143 11.5.1); on FUNCTION COMPLETE every task of the LU on this
   * session is forgotten.
   */
  @Override
  public CompletableFuture<Boolean> lunReset(int lun) {
    long value = Lun.of(lun).value();
    return taskManagement(Pdus.TMF_LOGICAL_UNIT_RESET, lun, Pdu.RESERVED_TAG).thenApply(response -> {
      if (response != 0) {
        return false;
      }
      synchronized (sendLock) {
        tasks.forEachOutstanding(x -> {
          if (x.lun == value) {
            forget(x, x.itt);
          }
        });
      }
      return true;
    });
  }

  private void startKeepAlive() {
    long every = settings.nopInterval().toMillis();
    if (every <= 0) {
      return;
    }
    keepAlive = conn.loop().scheduleWithFixedDelay(() -> {
      if (dead.get() || closed.get()) {
        ScheduledFuture<?> k = keepAlive;
        if (k != null) {
          k.cancel(false);
        }
        return;
      }
      if (System.nanoTime() - lastHeard < TimeUnit.MILLISECONDS.toNanos(every)) {
        return; // traffic is proof enough
      }
      ping().whenComplete((v, e) -> {
        if (e != null && !closed.get()) {
          drop("NOP-Out ping unanswered for " + settings.nopTimeout().toMillis() + " ms");
        }
      });
    }, every, every, TimeUnit.MILLISECONDS);
  }

  // ===================================================================== closing

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> k = keepAlive;
    if (k != null) {
      k.cancel(false);
    }
    if (fullFeature && !dead.get()) {
      CompletableFuture<Pdu> f = immediate(itt -> Pdus.logoutRequest(true, Pdus.LOGOUT_CLOSE_SESSION, itt, 0,
          cmdSn, expStatSn));
      if (!conn.onLoop()) { // on the loop the answer could not arrive while we waited
        try {
          f.get(settings.logoutTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          LOG.debug("{}: logout: {}", address(), e.toString());
        }
      }
    }
    dead.set(true);
    IscsiConnection c = conn;
    if (c != null) {
      c.close("closed");
    }
    synchronized (sendLock) {
      tasks.forEachOutstanding(x -> forget(x, x.itt));
      waiting.clear();
    }
  }

  // ===================================================================== discovery

  /**
   * SendTargets discovery (RFC 7143 Appendix C): a Discovery session to the endpoint's portal,
   * {@code SendTargets=All}, logout. Maps each target name to its TargetAddress values (in
   * the order given). The endpoint's target name and LUN are ignored.
   */
  public static CompletableFuture<Map<String, List<String>>> sendTargets(IscsiEndpoint portal, IscsiSettings settings) {
    IscsiTransport t = new IscsiTransport(portal, settings.withNop(java.time.Duration.ZERO, settings.nopTimeout()),
        "Discovery");
    CompletableFuture<Void> in = t.login(new ResponseHandler() {
      @Override
      public void response(long tag, int status, byte[] sense, int transferred, int residual) {}

      @Override
      public void disconnected(String reason) {}
    });
    return in.thenCompose(v -> t.text(Map.of("SendTargets", "All")))
        .thenApply(pairs -> {
          Map<String, List<String>> out = new LinkedHashMap<>();
          List<String> current = null;
          for (Map.Entry<String, String> e : pairs) {
            if (e.getKey().equals("TargetName")) {
              current = out.computeIfAbsent(e.getValue(), k -> new ArrayList<>());
            } else if (e.getKey().equals("TargetAddress") && current != null) {
              current.add(e.getValue());
            }
          }
          return out;
        })
        .whenComplete((m, e) -> t.close());
  }

  /** A Text Request exchange, following continuations (F=0) with the target's TTT. */
  private CompletableFuture<List<Map.Entry<String, String>>> text(Map<String, String> keys) {
    return textRound(TextParameters.encode(keys), Pdu.RESERVED_TAG, new java.io.ByteArrayOutputStream(), 0);
  }

  private CompletableFuture<List<Map.Entry<String, String>>> textRound(byte[] text, int ttt,
      java.io.ByteArrayOutputStream acc, int round) {
    return immediate(itt -> Pdus.textRequest(true, true, itt, ttt, cmdSn, expStatSn, text))
        .orTimeout(settings.loginTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(p -> {
          acc.write(p.dataBytes(), 0, p.dataSegmentLength());
          if (acc.size() > TextParameters.MAX_TEXT || round > LOGIN_ROUNDS * 4) {
            return CompletableFuture.failedFuture(new IscsiProtocolException("text response too long"));
          }
          if (!p.finalBit()) {
            return textRound(new byte[0], p.ttt(), acc, round + 1);
          }
          try {
            return CompletableFuture.completedFuture(TextParameters.parse(acc.toByteArray()));
          } catch (IscsiProtocolException e) {
            return CompletableFuture.failedFuture(e);
          }
        });
  }

  @Override
  public String toString() {
    return "IscsiTransport[" + address() + "]";
  }
}
