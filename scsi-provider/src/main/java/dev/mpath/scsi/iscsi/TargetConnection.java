package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.target.ResponseSink;
import dev.mpath.scsi.target.ScsiResponse;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.scsi.target.ScsiTargetException;
import dev.mpath.scsi.target.Session;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.wire.SubmitQueue;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection of an {@link IscsiTargetListener}: one session (MaxConnections=1) from
 * login to logout or loss. It runs on its channel's event loop, which decodes every PDU,
 * answers the login and the full feature phase's requests and writes every PDU to the
 * initiator (with the StatSN it consumes); the logical units only queue their answers
 * ({@link ResponseSink}, any thread). The SCSI tasks are {@link TargetTasks}'s.
 */
final class TargetConnection implements ResponseSink, IscsiConnection.Receiver,
    SubmitQueue.Drain {
  // the listener's logger names: operators configure one name for the portal
  private static final Logger LOG = LoggerFactory.getLogger(IscsiTargetListener.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTargetListener.class, 1000);
  /** Login-phase PDUs carry at most 8 KiB of text (RFC 7143 6.1: MaxRecvDataSegmentLength default). */
  private static final int LOGIN_SEGMENT = 8192;
  private static final int LOGIN_PDUS = 64;
  private static final SecureRandom RANDOM = new SecureRandom();
  // Reject reasons (11.17.1).
  static final int REJECT_PROTOCOL_ERROR = 0x04;

  /** Something to send, run on the connection's event loop in the order queued. */
  @FunctionalInterface
  interface Out {
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

  final IscsiTargetListener listener;
  private final ScsiTarget target;
  private final int port;
  final int queueDepth;
  final int maxTransfer;
  final long connectionBuffer;
  private final long loginTimeoutMillis;
  private final int maxRecvDataSegmentLength;
  final int seq;
  final Channel channel;
  final String name;
  final PduDecoder decoder = PduDecoder.fromInitiator(LOGIN_SEGMENT);
  final IscsiConnection conn = new IscsiConnection(decoder, this);
  final PduEncoder encoder = new PduEncoder(false, false); // loop only
  final SubmitQueue outs;
  /** The SCSI tasks. */
  final TargetTasks tasks;
  final AtomicBoolean closing = new AtomicBoolean();
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
  final IscsiTargetLogin login;
  int loginRound;

  // received PDUs (loop only)
  int nextTtt = 1;
  byte[] textPending;
  int textOffset;
  int textTtt = Pdu.RESERVED_TAG;
  ByteArrayOutputStream textIn;

  TargetConnection(IscsiTargetListener listener, Channel ch, int n) {
    this.listener = listener;
    this.target = listener.target();
    this.port = listener.relativeTargetPort();
    this.queueDepth = listener.queueDepth();
    this.maxTransfer = listener.maxTransfer();
    this.connectionBuffer = listener.connectionBuffer();
    this.loginTimeoutMillis = listener.loginTimeoutMillis();
    this.maxRecvDataSegmentLength = listener.maxRecvDataSegmentLength();
    this.login = new IscsiTargetLogin(listener.loginPolicy());
    this.seq = n;
    this.channel = ch;
    this.name = "iscsi-" + listener.tcpPort() + "-c" + n;
    this.outs = new SubmitQueue(ch.eventLoop(), this);
    this.tasks = new TargetTasks(this);
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
      if (item instanceof TargetTasks.Answer a) {
        tasks.finish(a.task);
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
    tsih = listener.nextTsih();
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
    decoder.dataPlacement(tasks::place);
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
        tasks.command(p);
        break;
      case Opcode.DATA_OUT:
        normalOnly(p);
        tasks.dataOut(p);
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
  void admit(Pdu p) throws IscsiProtocolException {
    if (p.immediate()) {
      return;
    }
    synchronized (snLock) {
      int max = expCmdSn + queueDepth - 1 - outstanding;
      if (p.cmdSn() != expCmdSn) {
        throw new IscsiProtocolException(Opcode.name(p.opcode()) + " with CmdSN " + Integer.toUnsignedString(p.cmdSn())
            + ", expected " + Integer.toUnsignedString(expCmdSn) + " (one connection, ErrorRecoveryLevel 0)");
      }
      if (CmdSnWindow.serialGt(p.cmdSn(), max)) {
        throw new IscsiProtocolException(Opcode.name(p.opcode()) + " with CmdSN " + Integer.toUnsignedString(p.cmdSn())
            + " beyond MaxCmdSN " + Integer.toUnsignedString(max));
      }
      expCmdSn++;
      outstanding++;
    }
  }

  /** A non-immediate command was answered: its slot opens the window. Writer thread. */
  void answered(boolean wasImmediate) {
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

  void send(Out o) {
    if (!outs.add(new OutNode(o))) {
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
    if (!closing.get()) {
      tasks.complete(tag, response);
    }
  }

  @Override
  public void disconnected(String reason) {
    abort("nexus gone: " + reason);
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
      case Pdus.TMF_ABORT_TASK:
        // RFC 7143 11.5.1: Referenced Task Tag in bytes 20-23; the task never answers
        response = tasks.abortTask(p.ttt());
        break;
      case Pdus.TMF_LOGICAL_UNIT_RESET:
        response = tasks.lunReset(p.lun());
        break;
      case Pdus.TMF_ABORT_TASK_SET:
        response = tasks.abortTaskSet(p.lun());
        break;
      case Pdus.TMF_TARGET_WARM_RESET:
        response = tasks.targetReset(false);
        break;
      case 7: // TARGET COLD RESET
        response = tasks.targetReset(true);
        break;
      case 3: // CLEAR ACA: no ACA is ever established (NACA = 0 is enforced)
        response = 0;
        break;
      case 4: // CLEAR TASK SET: would clear other nexuses' tasks too (TST 000b); not offered
        response = 5; // function not supported
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
        for (TargetAddress a : listener.portalAddresses()) {
          o.writeBytes(TextParameters.encode(Map.of("TargetAddress", a.format())));
        }
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
    listener.forget(this);
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
