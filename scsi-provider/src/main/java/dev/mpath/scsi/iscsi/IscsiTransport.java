package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.host.ScsiTransport;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Threads: one reader thread per connection; it makes the login and then delivers every
 * callback to the {@link ResponseHandler}, so a loss is reported exactly once through
 * {@link ResponseHandler#disconnected} and no response follows it. Senders write under a lock.
 *
 * <p>A portal is any address or host name; a name is resolved when the connection is made,
 * on this transport's thread (see {@link IscsiEndpoint}).
 */
public final class IscsiTransport implements ScsiTransport {
  public static final String SCHEME = "iscsi";
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTransport.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTransport.class, 5000);
  private static final int LOGIN_ROUNDS = 16;
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "iscsi-timer");
    t.setDaemon(true);
    return t;
  });

  /** Fixed-format sense: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h). */
  private static final byte[] INVALID_OPCODE_SENSE = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0};

  private final IscsiEndpoint endpoint;
  private final IscsiSettings settings;
  private final String sessionType;

  // connection
  private volatile Socket socket;
  private InputStream in; // reader thread only
  private OutputStream out; // under sendLock
  private final PduEncoder encoder = new PduEncoder(false, false); // under sendLock
  private PduDecoder decoder; // reader thread only
  private PduReader pdus; // reader thread only
  private volatile Thread reader;
  private volatile Negotiated negotiated;
  private volatile ResponseHandler handler;

  // sequence numbers
  private final Object sendLock = new Object();
  private int cmdSn = 1; // under sendLock
  private volatile int expCmdSn = 1;
  private volatile int maxCmdSn = 1;
  private volatile int expStatSn;
  private final ArrayDeque<Task> waiting = new ArrayDeque<>(); // under sendLock
  private int nextItt; // under sendLock (and login thread before FFP)

  private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<Pdu>> immediates = new ConcurrentHashMap<>();
  private final AtomicBoolean dead = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean fullFeature;
  private volatile ScheduledFuture<?> keepAlive;
  private volatile long lastHeard;

  /** One SCSI command in flight. */
  private static final class Task {
    final long tag;
    final int itt;
    final long lun;
    final byte[] cdb;
    final ByteBuffer buf; // the caller's buffer, accessed with absolute indexes only
    final int base;
    final int length;
    final boolean write;
    final boolean read;
    int nextDataSn; // reader thread
    int received; // reader thread

    Task(long tag, int itt, long lun, byte[] cdb, ByteBuffer buf, int length, boolean write) {
      this.tag = tag;
      this.itt = itt;
      this.lun = lun;
      this.cdb = cdb;
      this.buf = buf;
      this.base = buf == null ? 0 : buf.position();
      this.length = buf == null ? 0 : Math.max(0, Math.min(length, buf.limit() - base));
      this.write = write && this.length > 0;
      this.read = !write && this.length > 0;
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
    Thread t = new Thread(() -> run(f), "iscsi-" + THREADS.incrementAndGet() + "-" + endpoint.host());
    t.setDaemon(true);
    reader = t;
    t.start();
    return f;
  }

  private void run(CompletableFuture<Void> loggedIn) {
    try {
      connectAndLogin();
    } catch (Exception e) {
      closeSocket();
      dead.set(true);
      String why = e instanceof IllegalArgumentException || e instanceof IscsiLoginException
          ? e.getMessage() : e.toString();
      loggedIn.completeExceptionally(new PathFailureException(address() + ": login failed: " + why, e));
      return;
    }
    if (closed.get()) {
      closeSocket();
      loggedIn.completeExceptionally(new PathFailureException(address() + ": closed during login"));
      return;
    }
    fullFeature = true;
    lastHeard = System.nanoTime();
    startKeepAlive();
    loggedIn.complete(null);
    readLoop();
  }

  private void connectAndLogin() throws IOException {
    // resolves a name and binds the source here, on the session's own thread
    Socket s = endpoint.portal().connectSocket(settings.connectTimeout());
    socket = s;
    if (closed.get()) {
      throw new IOException("closed");
    }
    s.setSoTimeout((int) settings.loginTimeout().toMillis());
    in = s.getInputStream();
    out = new BufferedOutputStream(s.getOutputStream(), 65536);
    decoder = PduDecoder.fromTarget(settings.maxRecvDataSegmentLength());
    pdus = new PduReader(in, decoder,
        Math.max(65536, settings.maxRecvDataSegmentLength() + Pdu.BHS_LENGTH + 1020 + 16), "target");
    negotiated = new Login().run();
    s.setSoTimeout(0);
    synchronized (sendLock) {
      encoder.digests(negotiated.headerDigest(), negotiated.dataDigest());
    }
    decoder.digests(negotiated.headerDigest(), negotiated.dataDigest());
    LOG.info("{}: logged in (TSIH {}, ISID {}, {})", address(), negotiated.tsih(), settings.isidHex(), negotiated);
  }

  /** The login phase state machine; runs on the reader thread before the full feature phase. */
  private final class Login {
    private final int itt = nextItt++;
    private int tsih;
    private int tpgt = -1;
    private String alias = "";

    Negotiated run() throws IOException {
      Map<String, String> first = new LinkedHashMap<>();
      first.put("InitiatorName", settings.initiatorName());
      first.put("SessionType", sessionType);
      if (endpoint.targetName() != null && sessionType.equals("Normal")) {
        first.put("TargetName", endpoint.targetName());
      }
      boolean chap = endpoint.hasCredentials();
      first.put("AuthMethod", chap ? "CHAP,None" : "None");
      Answer a = exchange(!chap, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, first);
      String method = a.keys.get("AuthMethod");
      if ("CHAP".equals(method)) {
        if (!chap) {
          throw new IscsiLoginException("target demands CHAP but no credentials were given", -1, -1);
        }
        a = chap();
      } else if (method != null && !method.equals("None")) {
        throw new IscsiLoginException("target answered AuthMethod=" + method + "; offered "
            + first.get("AuthMethod"), -1, -1);
      }
      // finish the security stage
      int rounds = 0;
      while (!(a.pdu.finalBit() && a.pdu.nsg() == Pdus.STAGE_OPERATIONAL) && a.pdu.csg() == Pdus.STAGE_SECURITY) {
        if (++rounds > LOGIN_ROUNDS) {
          throw new IscsiLoginException("target does not leave the security stage", -1, -1);
        }
        a = exchange(true, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, Map.of());
      }
      return operational();
    }

    private Answer chap() throws IOException {
      Answer a = exchange(false, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, Map.of("CHAP_A", "5"));
      String alg = a.keys.get("CHAP_A");
      String id = a.keys.get("CHAP_I");
      String challenge = a.keys.get("CHAP_C");
      if (!"5".equals(alg) || id == null || challenge == null) {
        throw new IscsiLoginException("target answered CHAP_A=" + alg + " CHAP_I=" + id
            + " CHAP_C=" + (challenge == null ? null : "...") + "; need MD5 (5), an identifier and a challenge", -1, -1);
      }
      int identifier;
      try {
        identifier = Integer.parseInt(id);
      } catch (NumberFormatException e) {
        throw new IscsiLoginException("CHAP_I '" + id + "' is not a number", -1, -1);
      }
      if (identifier < 0 || identifier > 255) {
        throw new IscsiLoginException("CHAP_I " + identifier + " outside 0..255", -1, -1);
      }
      byte[] c = Chap.decodeBinary(challenge, Chap.MAX_CHALLENGE);
      Map<String, String> resp = new LinkedHashMap<>();
      resp.put("CHAP_N", endpoint.user());
      resp.put("CHAP_R", Chap.encodeHex(Chap.response(identifier, endpoint.secret(), c)));
      return exchange(true, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, resp);
    }

    private Negotiated operational() throws IOException {
      Map<String, String> offer = new LinkedHashMap<>();
      String digest = settings.digests() ? "CRC32C,None" : "None";
      offer.put("HeaderDigest", digest);
      offer.put("DataDigest", digest);
      offer.put("MaxRecvDataSegmentLength", Integer.toString(settings.maxRecvDataSegmentLength()));
      if (sessionType.equals("Normal")) {
        offer.put("MaxConnections", "1");
        offer.put("InitialR2T", settings.initialR2T() ? "Yes" : "No");
        offer.put("ImmediateData", settings.immediateData() ? "Yes" : "No");
        offer.put("MaxBurstLength", Integer.toString(settings.maxBurstLength()));
        offer.put("FirstBurstLength", Integer.toString(settings.firstBurstLength()));
        offer.put("MaxOutstandingR2T", "1");
        offer.put("DataPDUInOrder", "Yes");
        offer.put("DataSequenceInOrder", "Yes");
        offer.put("DefaultTime2Wait", "0");
        offer.put("DefaultTime2Retain", "0");
      }
      offer.put("ErrorRecoveryLevel", "0");
      Map<String, String> answers = new LinkedHashMap<>();
      Answer a = exchange(true, Pdus.STAGE_OPERATIONAL, Pdus.STAGE_FULL_FEATURE, offer);
      answers.putAll(a.keys);
      int rounds = 0;
      while (!(a.pdu.finalBit() && a.pdu.nsg() == Pdus.STAGE_FULL_FEATURE)) {
        if (++rounds > LOGIN_ROUNDS) {
          throw new IscsiLoginException("target does not reach the full feature phase", -1, -1);
        }
        // Answer what the target proposed on its own with its value when we can live with it.
        Map<String, String> reply = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : a.keys.entrySet()) {
          if (!offer.containsKey(e.getKey()) && !declarative(e.getKey())) {
            reply.put(e.getKey(), acceptable(e.getKey(), e.getValue()) ? e.getValue() : "Reject");
          }
        }
        a = exchange(true, Pdus.STAGE_OPERATIONAL, Pdus.STAGE_FULL_FEATURE, reply);
        answers.putAll(a.keys);
      }
      return result(answers);
    }

    private boolean declarative(String key) {
      return key.equals("TargetAlias") || key.equals("TargetPortalGroupTag") || key.equals("TargetAddress")
          || key.equals("MaxRecvDataSegmentLength");
    }

    private boolean acceptable(String key, String value) {
      switch (key) {
        case "IFMarker":
        case "OFMarker":
          return value.equals("No");
        case "ErrorRecoveryLevel":
          return value.equals("0");
        case "MaxOutstandingR2T":
          return value.equals("1");
        default:
          return false;
      }
    }

    private Negotiated result(Map<String, String> k) throws IscsiLoginException {
      boolean hd = digest(k, "HeaderDigest");
      boolean dd = digest(k, "DataDigest");
      int tmrdsl = number(k, "MaxRecvDataSegmentLength", 8192, 512, Pdu.MAX_DSL_FIELD);
      int maxBurst = Math.min(settings.maxBurstLength(),
          number(k, "MaxBurstLength", settings.maxBurstLength(), 512, Pdu.MAX_DSL_FIELD));
      int firstBurst = Math.min(maxBurst, Math.min(settings.firstBurstLength(),
          number(k, "FirstBurstLength", settings.firstBurstLength(), 512, Pdu.MAX_DSL_FIELD)));
      boolean initialR2T = settings.initialR2T() || yes(k, "InitialR2T", true);
      boolean immediate = settings.immediateData() && yes(k, "ImmediateData", true);
      String erl = k.get("ErrorRecoveryLevel");
      if (erl != null && !erl.equals("0") && !irrelevant(erl)) {
        throw new IscsiLoginException("target insists on ErrorRecoveryLevel=" + erl, -1, -1);
      }
      String r2t = k.get("MaxOutstandingR2T");
      if (r2t != null && !r2t.equals("1") && !irrelevant(r2t)) {
        throw new IscsiLoginException("target answered MaxOutstandingR2T=" + r2t + " (offered 1)", -1, -1);
      }
      for (String key : new String[] {"DataPDUInOrder", "DataSequenceInOrder"}) {
        String v = k.get(key);
        if (v != null && !v.equals("Yes") && !irrelevant(v)) {
          throw new IscsiLoginException("target answered " + key + "=" + v + " (offered Yes)", -1, -1);
        }
      }
      return new Negotiated(hd, dd, tmrdsl, settings.maxRecvDataSegmentLength(), maxBurst, firstBurst,
          initialR2T, immediate, tsih, tpgt, alias);
    }

    private boolean irrelevant(String v) {
      return v.equals("Irrelevant") || v.equals("NotUnderstood");
    }

    private boolean digest(Map<String, String> k, String key) throws IscsiLoginException {
      String v = k.getOrDefault(key, "None");
      if (v.equals("None") || irrelevant(v)) {
        return false;
      }
      if (v.equals("CRC32C") && settings.digests()) {
        return true;
      }
      throw new IscsiLoginException("target answered " + key + "=" + v + " (offered "
          + (settings.digests() ? "CRC32C,None" : "None") + ")", -1, -1);
    }

    private int number(Map<String, String> k, String key, int dflt, int min, int max) throws IscsiLoginException {
      String v = k.get(key);
      if (v == null || irrelevant(v) || v.equals("Reject")) {
        return dflt;
      }
      try {
        long n = v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        if (n < min || n > max) {
          throw new IscsiLoginException(key + "=" + v + " outside " + min + ".." + max, -1, -1);
        }
        return (int) n;
      } catch (NumberFormatException e) {
        throw new IscsiLoginException(key + "=" + v + " is not a number", -1, -1);
      }
    }

    private boolean yes(Map<String, String> k, String key, boolean dflt) {
      String v = k.get(key);
      if (v == null || irrelevant(v) || v.equals("Reject")) {
        return dflt;
      }
      return v.equals("Yes");
    }

    /** One login request/response round, following C (continue) bits on both sides. */
    private Answer exchange(boolean transit, int csg, int nsg, Map<String, String> keys) throws IOException {
      byte[] text = TextParameters.encode(keys);
      int max = 8192; // the login phase limit on either side
      int off = 0;
      Pdu resp;
      do {
        int n = Math.min(max, text.length - off);
        boolean more = off + n < text.length;
        sendLogin(!more && transit, more, csg, nsg, ByteBuffer.wrap(text, off, n));
        off += n;
        resp = readLoginResponse(csg);
        if (more && resp.dataSegmentLength() != 0) {
          throw new IscsiProtocolException("target answered a continued Login Request with text");
        }
      } while (off < text.length);
      java.io.ByteArrayOutputStream acc = new java.io.ByteArrayOutputStream();
      acc.write(resp.dataBytes(), 0, resp.dataSegmentLength());
      int rounds = 0;
      while (resp.continueBit()) {
        if (++rounds > LOGIN_ROUNDS || acc.size() > TextParameters.MAX_TEXT) {
          throw new IscsiProtocolException("login response text continues beyond " + TextParameters.MAX_TEXT + " bytes");
        }
        sendLogin(false, false, csg, nsg, null);
        resp = readLoginResponse(csg);
        acc.write(resp.dataBytes(), 0, resp.dataSegmentLength());
      }
      Map<String, String> answer = TextParameters.parseUnique(acc.toByteArray());
      if (answer.containsKey("TargetPortalGroupTag")) {
        try {
          tpgt = Integer.parseInt(answer.get("TargetPortalGroupTag"));
        } catch (NumberFormatException e) {
          throw new IscsiProtocolException("TargetPortalGroupTag=" + answer.get("TargetPortalGroupTag"));
        }
      }
      if (answer.containsKey("TargetAlias")) {
        alias = answer.get("TargetAlias");
      }
      return new Answer(resp, answer);
    }

    private void sendLogin(boolean transit, boolean cont, int csg, int nsg, ByteBuffer text) throws IOException {
      byte[] t = null;
      if (text != null && text.hasRemaining()) {
        t = new byte[text.remaining()];
        text.get(t);
      }
      Pdu p = Pdus.loginRequest(transit, cont, csg, nsg, settings.isid(), tsih, itt, 0, cmdSn, expStatSn, t);
      synchronized (sendLock) {
        encoder.encode(p, out);
        out.flush();
      }
    }

    private Pdu readLoginResponse(int csg) throws IOException {
      Pdu r;
      try {
        r = readPdu();
      } catch (SocketTimeoutException e) {
        throw new IscsiLoginException("no login response within " + settings.loginTimeout().toMillis() + " ms",
            -1, -1);
      }
      if (r == null) {
        throw new EOFException("connection closed by the target during login");
      }
      if (r.opcode() != Opcode.LOGIN_RESPONSE) {
        throw new IscsiProtocolException("expected a Login Response, got " + Opcode.name(r.opcode()));
      }
      if (r.statusClass() != 0) {
        String hint = r.statusClass() == 2 && r.statusDetail() == 1
            ? (endpoint.hasCredentials() ? " (CHAP user " + endpoint.user() + " or secret wrong)"
                : " (the target needs CHAP credentials: iscsi://user%25secret@host/...)")
            : "";
        throw new IscsiLoginException("target refused the login: "
            + IscsiLoginException.describe(r.statusClass(), r.statusDetail())
            + String.format(" (status %02x%02x)", r.statusClass(), r.statusDetail()) + hint,
            r.statusClass(), r.statusDetail());
      }
      if (r.itt() != itt) {
        throw new IscsiProtocolException("Login Response for ITT " + Integer.toHexString(r.itt())
            + ", expected " + Integer.toHexString(itt));
      }
      if (r.byteAt(3) != 0) {
        throw new IscsiLoginException("target's active version " + r.byteAt(3) + " is not 0", -1, -1);
      }
      if (r.isid() != settings.isid()) {
        throw new IscsiProtocolException("Login Response carries another ISID");
      }
      if (r.csg() != csg) {
        throw new IscsiProtocolException("Login Response in stage " + r.csg() + ", request in " + csg);
      }
      if (r.finalBit() && r.continueBit()) {
        throw new IscsiProtocolException("Login Response with both T and C set");
      }
      tsih = r.tsih();
      expStatSn = r.statSn() + 1;
      if (!serialLt(r.maxCmdSn(), r.expCmdSn() - 1)) {
        expCmdSn = r.expCmdSn();
        maxCmdSn = r.maxCmdSn();
      }
      return r;
    }
  }

  private record Answer(Pdu pdu, Map<String, String> keys) {}

  // ===================================================================== reading

  /** The next PDU from the connection; null at end of stream. Reader thread only. */
  private Pdu readPdu() throws IOException {
    return pdus.next();
  }

  private void readLoop() {
    String reason;
    try {
      while (true) {
        Pdu p = readPdu();
        if (p == null) {
          reason = "connection closed by the target";
          break;
        }
        lastHeard = System.nanoTime();
        handle(p);
      }
    } catch (IscsiProtocolException e) {
      reason = "protocol error: " + e.getMessage();
    } catch (IOException e) {
      reason = e.getMessage() == null ? e.toString() : e.getMessage();
    } catch (RuntimeException e) {
      LOG.error("{}: reader failed", address(), e);
      reason = "internal error: " + e;
    }
    fail(reason);
  }

  /** The connection is gone: report it once, unless we closed it ourselves. */
  private void fail(String reason) {
    if (!dead.compareAndSet(false, true)) {
      return;
    }
    closeSocket();
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
      if (h != null && Thread.currentThread() == reader) {
        h.disconnected(reason);
      }
    }
  }

  /** Drops the connection from any thread; the reader thread reports the loss. */
  private void drop(String reason) {
    if (Thread.currentThread() == reader) {
      fail(reason);
    } else {
      RLOG.warn("{}: dropping the connection: {}", address(), reason);
      closeSocket(); // the reader sees the socket closed and reports
    }
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
        f.complete(p);
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
    if (t == null) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + " for unknown ITT " + Integer.toHexString(p.itt()));
    }
    return t;
  }

  private void dataIn(Pdu p) throws IscsiProtocolException {
    Task t = task(p);
    int len = p.dataSegmentLength();
    if (len > 0) {
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
      t.buf.put(t.base + (int) off, p.dataRaw(), 0, len);
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
    if (tasks.remove(t.itt) == null) {
      return;
    }
    int residual = 0;
    if (p.residualUnderflow()) {
      residual = p.residualCount();
    } else if (p.residualOverflow()) {
      residual = -p.residualCount();
    }
    int transferred = t.read ? t.received : t.write ? Math.max(0, t.length - Math.max(0, residual)) : 0;
    ResponseHandler h = handler;
    if (!closed.get() && !dead.get() && h != null) {
      h.response(t.tag, status, sense, transferred, residual);
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
      out.flush();
    }
  }

  /** Data-Out PDUs for {@code [off, off+len)}; DataSN from 0, F on the last. Under sendLock. */
  private void sendData(Task t, int ttt, int off, int len) throws IOException {
    int max = negotiated.targetMaxRecvDataSegmentLength();
    int sn = 0;
    int end = off + len;
    for (int o = off; o < end; o += max) {
      int n = Math.min(max, end - o);
      ByteBuffer d = t.buf.duplicate();
      d.limit(t.base + o + n).position(t.base + o);
      encoder.encode(Pdus.dataOut(o + n == end, t.lun, t.itt, ttt, expStatSn, sn++, o, d), out);
    }
  }

  private void nopIn(Pdu p) throws IOException {
    if (p.itt() != Pdu.RESERVED_TAG) {
      CompletableFuture<Pdu> f = immediates.remove(p.itt());
      if (f == null) {
        throw new IscsiProtocolException("NOP-In for unknown ITT " + Integer.toHexString(p.itt()));
      }
      f.complete(p);
    }
    if (p.ttt() != Pdu.RESERVED_TAG) {
      // the target pings: answer with its TTT, LUN and data (RFC 7143 11.18)
      synchronized (sendLock) {
        if (dead.get()) {
          return;
        }
        encoder.encode(Pdus.nopOut(true, p.lun(), Pdu.RESERVED_TAG, p.ttt(), cmdSn, expStatSn, p.dataBytes()), out);
        out.flush();
      }
    }
  }

  private void reject(Pdu p) throws IscsiProtocolException {
    byte[] rejected = p.dataBytes();
    int itt = rejected.length >= Pdu.BHS_LENGTH
        ? ByteBuffer.wrap(rejected, 16, 4).getInt() : Pdu.RESERVED_TAG;
    String what = rejected.length >= 1 ? Opcode.name(rejected[0] & 0x3F) : "a PDU";
    if (tasks.containsKey(itt) || immediates.containsKey(itt)) {
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
      int itt = itt();
      Task t = new Task(tag, itt, Lun.of(lun).value(), cdb, data, dataLength, isDataOut(cdb[0] & 0xFF));
      tasks.put(itt, t);
      if (waiting.isEmpty() && windowOpen()) {
        send(t);
        flush();
      } else {
        waiting.add(t);
      }
    }
  }

  private int itt() {
    int i;
    do {
      i = nextItt++;
    } while (i == Pdu.RESERVED_TAG || tasks.containsKey(i) || immediates.containsKey(i));
    return i;
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
    ByteBuffer immData = null;
    if (imm > 0) {
      immData = t.buf.duplicate();
      immData.limit(t.base + imm).position(t.base);
    }
    try {
      Pdu cmd = Pdus.scsiCommand(t.read, t.write, t.lun, t.itt, t.length, cmdSn, expStatSn, t.cdb, immData,
          unsolicited == imm);
      cmdSn++;
      encoder.encode(cmd, out);
      if (unsolicited > imm) {
        sendData(t, Pdu.RESERVED_TAG, imm, unsolicited - imm);
      }
    } catch (IOException e) {
      drop("send failed: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // a CDB this transport cannot carry: answer as a target would, off the caller's stack
      tasks.remove(t.itt);
      RLOG.warn("{}: command not sent: {}", address(), e.getMessage());
      ResponseHandler h = handler;
      TIMER.execute(() -> {
        if (!closed.get() && !dead.get()) {
          h.response(t.tag, ScsiResult.CHECK_CONDITION, INVALID_OPCODE_SENSE.clone(), 0, t.length);
        }
      });
    }
  }

  private void flush() {
    try {
      out.flush();
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
      int itt = itt();
      immediates.put(itt, f);
      try {
        encoder.encode(build.apply(itt), out);
        out.flush();
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
    Task t = null;
    for (Task x : tasks.values()) {
      if (x.tag == tag) {
        t = x;
        break;
      }
    }
    if (t == null) {
      return CompletableFuture.completedFuture(true);
    }
    Task task = t;
    return taskManagement(Pdus.TMF_ABORT_TASK, lun, task.itt).thenApply(response -> {
      // 0 function complete; 1 task does not exist (it completed meanwhile)
      boolean done = response == 0 || response == 1;
      if (done) {
        tasks.remove(task.itt, task);
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
      tasks.values().removeIf(x -> x.lun == value);
      return true;
    });
  }

  private void startKeepAlive() {
    long every = settings.nopInterval().toMillis();
    if (every <= 0) {
      return;
    }
    keepAlive = TIMER.scheduleWithFixedDelay(() -> {
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
      if (Thread.currentThread() != reader) {
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
    closeSocket();
    tasks.clear();
    synchronized (sendLock) {
      waiting.clear();
    }
  }

  private void closeSocket() {
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
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
