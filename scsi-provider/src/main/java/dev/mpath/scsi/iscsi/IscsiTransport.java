package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiTransport;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.wire.IoEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>Its parts: {@link IscsiTasks} (the SCSI tasks by ITT, from issue to status),
 * {@link IscsiImmediates} (the immediate requests answered by ITT) and {@link CmdSnWindow}
 * (CmdSN, the command window and ExpStatSN); the session keeps the connection, the login,
 * the dispatch of the full feature phase, keep-alive, loss, logout and SendTargets.
 */
public final class IscsiTransport implements ScsiTransport {
  public static final String SCHEME = "iscsi";
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTransport.class);
  /** The session's rate-limited log, shared by its parts (tasks, immediates). */
  static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTransport.class, 5000);
  private static final int LOGIN_ROUNDS = 16;

  private final IscsiEndpoint endpoint;
  private final IscsiSettings settings;
  private final String sessionType;

  // connection
  private volatile IscsiConnection conn;
  private volatile IscsiInitiatorLogin login;
  private final PduEncoder encoder = new PduEncoder(false, false); // under sendLock
  private volatile Negotiated negotiated;
  private volatile ResponseHandler handler;

  // sequence numbers, tasks and immediate requests, all written under sendLock
  private final Object sendLock = new Object();
  private final CmdSnWindow sn = new CmdSnWindow();
  private final IscsiTasks tasks = new IscsiTasks(this, sendLock, encoder, sn);
  private final IscsiImmediates immediates = new IscsiImmediates(this, sendLock, encoder);

  private final AtomicBoolean dead = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean fullFeature;
  private volatile ScheduledFuture<?> keepAlive;
  private volatile long lastHeard;

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

  /** The connection, once {@link #login} made it (for the session's parts). */
  IscsiConnection conn() {
    return conn;
  }

  /** Where responses go, once {@link #login} was called. */
  ResponseHandler handler() {
    return handler;
  }

  /** Whether the connection is gone (lost, failed to log in or closed). */
  boolean isDead() {
    return dead.get();
  }

  /** Whether {@link #close} was called. */
  boolean isClosed() {
    return closed.get();
  }

  /** Whether the login completed and the full feature phase began. */
  boolean inFullFeature() {
    return fullFeature;
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
      loginItt = immediates.itt();
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
        sn.start(l.expStatSn, l.expCmdSn, l.maxCmdSn);
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
    immediates.failAll(gone);
    if (!closed.get()) {
      RLOG.warn("{}: connection lost: {}", address(), reason);
      ResponseHandler h = handler;
      if (h != null) {
        h.disconnected(reason); // on the loop: no response follows
      }
    }
  }

  /** Drops the connection from any thread; its event loop reports the loss. */
  void drop(String reason) {
    RLOG.warn("{}: dropping the connection: {}", address(), reason);
    conn.close(reason);
  }

  private void handle(Pdu p) throws IOException {
    switch (p.opcode()) {
      case Opcode.DATA_IN:
        if (p.statusPresent()) {
          sn.statSn(p);
        }
        window(p);
        tasks.dataIn(p);
        break;
      case Opcode.SCSI_RESPONSE:
        sn.statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        tasks.scsiResponse(p);
        break;
      case Opcode.R2T:
        window(p);
        tasks.r2t(p);
        break;
      case Opcode.NOP_IN:
        if (p.itt() != Pdu.RESERVED_TAG) {
          sn.statSn(p);
        }
        window(p);
        nopIn(p);
        break;
      case Opcode.LOGOUT_RESPONSE:
      case Opcode.TASK_MGMT_RESPONSE:
      case Opcode.TEXT_RESPONSE:
        sn.statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        immediates.answer(p);
        break;
      case Opcode.REJECT:
        sn.statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        reject(p);
        break;
      case Opcode.ASYNC_MESSAGE:
        sn.statSn(p); // before window(): commands it releases carry the new ExpStatSN
        window(p);
        async(p);
        break;
      default:
        throw new IscsiProtocolException("unexpected " + Opcode.name(p.opcode()) + " in the full feature phase");
    }
  }

  /**
   * The decoder's {@link PduDecoder.DataPlacement}: in the full feature phase, a Data-In's
   * data goes from the received bytes straight into the command's buffer (on the loop).
   */
  private boolean placeDataIn(Pdu p, ByteBuffer in, int len) throws IscsiProtocolException {
    if (!fullFeature) {
      return false;
    }
    tasks.placeData(p, in, in.position(), len);
    return true;
  }

  /** NOP-In (RFC 7143 11.19): the answer to our ping, or the target's ping to answer. */
  private void nopIn(Pdu p) throws IOException {
    if (p.itt() != Pdu.RESERVED_TAG) {
      immediates.answer(p);
    }
    if (p.ttt() != Pdu.RESERVED_TAG) {
      // the target pings: answer with its TTT, LUN and data (RFC 7143 11.18)
      synchronized (sendLock) {
        if (dead.get()) {
          return;
        }
        encoder.encode(Pdus.nopOut(true, p.lun(), Pdu.RESERVED_TAG, p.ttt(), sn.cmdSn(), sn.expStatSn(),
            p.dataBytes()), conn.buffer());
        conn.flush();
      }
    }
  }

  private void reject(Pdu p) throws IscsiProtocolException {
    byte[] rejected = p.dataBytes();
    int itt = rejected.length >= Pdu.BHS_LENGTH
        ? ByteBuffer.wrap(rejected, 16, 4).getInt() : Pdu.RESERVED_TAG;
    String what = rejected.length >= 1 ? Opcode.name(rejected[0] & 0x3F) : "a PDU";
    if (tasks.outstanding(itt) || immediates.outstanding(itt)) {
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

  /** ExpCmdSN/MaxCmdSN from a target PDU (RFC 7143 4.2.2.1): what waits may go when it opens. */
  private void window(Pdu p) {
    synchronized (sendLock) {
      if (sn.window(p) && fullFeature) {
        tasks.drain();
      }
    }
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
      tasks.issue(tag, lun, cdb, data, dataLength);
    }
  }

  /**
   * A NOP-Out ping (immediate, ITT assigned, TTT ffffffffh) answered by a NOP-In: the path
   * checker's probe. Completes exceptionally when the connection is lost or after the NOP
   * timeout.
   */
  public CompletableFuture<Void> ping() {
    return immediates.send(itt -> Pdus.nopOut(true, 0, itt, Pdu.RESERVED_TAG, sn.cmdSn(), sn.expStatSn(), null))
        .orTimeout(settings.nopTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(p -> null);
  }

  /**
   * A task management function (immediate), for example {@link Pdus#TMF_LOGICAL_UNIT_RESET};
   * completes with the Response byte (0 = function complete).
   */
  public CompletableFuture<Integer> taskManagement(int function, int lun, int referencedTag) {
    return immediates.send(itt -> Pdus.taskManagement(true, function, Lun.of(lun).value(), itt, referencedTag,
        sn.cmdSn(), sn.expStatSn(), sn.cmdSn(), 0))
        .orTimeout(settings.logoutTimeout().toMillis() * 5, TimeUnit.MILLISECONDS)
        .thenApply(Pdu::response);
  }

  /** ABORT TASK (RFC 7143 11.5.1) for the command sent with {@code tag}; see {@link IscsiTasks#abortTask}. */
  @Override
  public CompletableFuture<Boolean> abortTask(long tag, int lun) {
    return tasks.abortTask(tag, lun);
  }

  /** LOGICAL UNIT RESET (RFC 7143 11.5.1); see {@link IscsiTasks#lunReset}. */
  @Override
  public CompletableFuture<Boolean> lunReset(int lun) {
    return tasks.lunReset(lun);
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
      CompletableFuture<Pdu> f = immediates.send(itt -> Pdus.logoutRequest(true, Pdus.LOGOUT_CLOSE_SESSION, itt, 0,
          sn.cmdSn(), sn.expStatSn()));
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
      tasks.forgetAll();
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
    return immediates.send(itt -> Pdus.textRequest(true, true, itt, ttt, sn.cmdSn(), sn.expStatSn(), text))
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
