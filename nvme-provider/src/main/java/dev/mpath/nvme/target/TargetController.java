package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmOpcode;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.spi.Scheduler;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.SerialExecutor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller of an {@link NvmeSubsystem}, created by {@link NvmeSubsystem#connect} (the
 * Fabrics Connect of the admin queue) and living until the host disconnects it, its keep-alive
 * timer expires, its port is killed or the subsystem closes.
 *
 * <p>Threading: {@link #submit} copies the SQE and returns; the command runs later on the
 * controller's serial executor and its completion goes to the queue's {@link CompletionSink}
 * from that executor, in execution order per queue. All of a controller's command state
 * (outstanding Asynchronous Event Requests, pending events, the Changed Namespace List) is
 * confined to that executor; events raised elsewhere (ANA changes, attachment) are posted to
 * it.
 */
public final class TargetController implements FabricsController {

  private static final Logger LOG = LoggerFactory.getLogger(TargetController.class);
  /** For what a host can trigger at will: one line per subsystem per second, not a storm. */
  private static final RateLimitedLog RLOG = new RateLimitedLog(TargetController.class, 1000);

  /** Property offset of CAP (8 bytes). */
  public static final int PROP_CAP = 0x00;
  /** Property offset of VS (4 bytes). */
  public static final int PROP_VS = 0x08;
  /** Property offset of CC (4 bytes). */
  public static final int PROP_CC = 0x14;
  /** Property offset of CSTS (4 bytes). */
  public static final int PROP_CSTS = 0x1C;
  /** Property offset of NSSR (4 bytes, write-only; ignored). */
  public static final int PROP_NSSR = 0x20;

  /** CC.EN. */
  public static final int CC_EN = 1;
  /** CC.SHN shift (bits 15:14). */
  public static final int CC_SHN_SHIFT = 14;
  /** CSTS.RDY. */
  public static final int CSTS_RDY = 1;
  /** CSTS.CFS. */
  public static final int CSTS_CFS = 1 << 1;
  /** CSTS.SHST mask (bits 03:02). */
  public static final int CSTS_SHST_MASK = 3 << 2;
  /** CSTS.SHST 10b: shutdown processing complete. */
  public static final int CSTS_SHST_COMPLETE = 2 << 2;
  /** VS: NVMe 2.0. */
  public static final int VERSION = 0x0002_0000;
  /** AERL: four Asynchronous Event Requests may be outstanding. */
  public static final int AERL = 3;
  /** Entries of the admin queue (SQHD wraps at it). */
  public static final int ADMIN_QUEUE_ENTRIES = 32;

  /** Fabrics command type of Property Set (SQE byte 4). */
  static final int FCTYPE_PROPERTY_SET = 0x00;
  /** Fabrics command type of Connect. */
  static final int FCTYPE_CONNECT = 0x01;
  /** Fabrics command type of Property Get. */
  static final int FCTYPE_PROPERTY_GET = 0x04;

  private static final int OK = 0;
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final NvmeSubsystem subsystem;
  private final int cntlid;
  private final int port;
  private final String hostNqn;
  private final UUID hostId;
  /** The NVM command set on the attached namespaces, for this controller's host. */
  private final NvmCommands nvm;
  /** The admin command set, for this controller. */
  private final AdminCommands adminCommands;
  private final AsyncEvents events;
  private final KeepAliveTimer keepAlive;
  private final Faults faults;
  private final SerialExecutor exec;
  private final Scheduler scheduler;
  private final AtomicReferenceArray<TargetQueue> queues;
  private final ControllerProperties properties;

  private volatile NavigableMap<Integer, Namespace> attached;
  /** I/O commands held while the port's I/O is stalled (executor thread only). */
  private final ArrayDeque<TargetCommand> stalled = new ArrayDeque<>();

  private volatile boolean dead;
  private volatile String deadReason;

  // ---- confined to exec ----
  private final CompletionQueueEntry cqe = CompletionQueueEntry.allocate();
  private int dw0;
  private int dw1;

  TargetController(NvmeSubsystem subsystem, int cntlid, int port, String hostNqn, UUID hostId,
      int katoMillis, CompletionSink adminSink, Faults faults, SerialExecutor exec) {
    this.subsystem = subsystem;
    this.cntlid = cntlid;
    this.port = port;
    this.hostNqn = hostNqn;
    this.hostId = hostId;
    this.nvm = new NvmCommands(cntlid, hostId, subsystem.maxTransferBytes);
    this.faults = faults;
    this.exec = exec;
    this.scheduler = subsystem.scheduler;
    this.keepAlive = new KeepAliveTimer(scheduler, katoMillis, this::keepAliveExpired);
    this.events = new AsyncEvents(this, faults);
    this.adminCommands = new AdminCommands(this, subsystem, faults, events, keepAlive);
    this.queues = new AtomicReferenceArray<>(subsystem.maxIoQueues + 1);
    this.queues.set(0, new TargetQueue(0, ADMIN_QUEUE_ENTRIES, adminSink));
    this.properties = new ControllerProperties(subsystem.maxQueueEntries, this::reset);
  }

  // ---------------------------------------------------------------- identity

  /** Controller id (dynamic). */
  public int cntlid() {
    return cntlid;
  }

  /** The port the controller was connected through. */
  public int port() {
    return port;
  }

  /** The host NQN given at connect. */
  public String hostNqn() {
    return hostNqn;
  }

  /** The 128-bit host identifier given at connect (reservations are keyed by it). */
  public UUID hostId() {
    return hostId;
  }

  /** The subsystem. */
  public NvmeSubsystem subsystem() {
    return subsystem;
  }

  /** Whether the controller is still part of the subsystem. */
  public boolean isLive() {
    return !dead;
  }

  /** Why the controller is gone, or null while live. */
  public String goneReason() {
    return deadReason;
  }

  /** Whether CSTS.RDY is set. */
  public boolean isReady() {
    return properties.isReady();
  }

  /** The keep-alive timeout in ms (0: none). */
  public int katoMillis() {
    return keepAlive.katoMillis();
  }

  /** The NSIDs attached to this controller, increasing. */
  public List<Integer> attachedNamespaces() {
    return List.copyOf(attached.keySet());
  }

  @Override
  public String toString() {
    return "TargetController[" + subsystem.nqn + " cntlid=" + cntlid + " port=" + port
        + " host=" + hostNqn + (dead ? " gone: " + deadReason : "") + "]";
  }

  // ---------------------------------------------------------------- queues and properties

  /**
   * Connects I/O queue {@code qid} (Fabrics Connect with QID &gt; 0). On a controller that is
   * already gone, the sink gets {@link CompletionSink#disconnected} instead.
   *
   * @param entries queue entries, 1..CAP.MQES + 1
   * @throws IllegalArgumentException qid outside 1..max I/O queues, or a bad size
   * @throws IllegalStateException the queue is already connected
   */
  public void connectIoQueue(int qid, int entries, CompletionSink sink) {
    Objects.requireNonNull(sink, "sink");
    if (qid < 1 || qid >= queues.length()) {
      throw new IllegalArgumentException(
          "I/O queue id must be 1.." + (queues.length() - 1) + ": " + qid);
    }
    if (entries < 1 || entries > subsystem.maxQueueEntries) {
      throw new IllegalArgumentException(
          "queue entries must be 1.." + subsystem.maxQueueEntries + ": " + entries);
    }
    if (dead) {
      String reason = deadReason;
      exec.execute(() -> notifyGone(sink, reason));
      return;
    }
    if (!queues.compareAndSet(qid, null, new TargetQueue(qid, entries, sink))) {
      throw new IllegalStateException("controller " + cntlid + ": queue " + qid
          + " is already connected");
    }
  }

  /**
   * Disconnects I/O queue {@code qid} (its transport connection went away): commands still
   * running on it complete into nothing. The qid may be connected again.
   */
  public void disconnectIoQueue(int qid) {
    if (qid < 1 || qid >= queues.length()) {
      throw new IllegalArgumentException("no I/O queue " + qid);
    }
    queues.set(qid, null);
  }

  /**
   * Fabrics Property Get. CAP is 8 bytes, VS, CC and CSTS 4.
   *
   * @throws IllegalArgumentException unknown offset or wrong size (Invalid Field on a wire)
   * @throws IllegalStateException the controller is gone
   */
  public long propertyGet(int offset, int size) {
    requireLive();
    touch();
    return properties.get(offset, size);
  }

  /**
   * Fabrics Property Set. CC: EN 0 to 1 sets CSTS.RDY; EN 1 to 0 resets the controller (RDY
   * cleared, outstanding Asynchronous Event Requests dropped); SHN non-zero reports shutdown
   * complete in CSTS.SHST. NSSR is accepted and ignored.
   *
   * @throws IllegalArgumentException read-only or unknown offset, or wrong size
   * @throws IllegalStateException the controller is gone
   */
  public void propertySet(int offset, int size, long value) {
    requireLive();
    touch();
    properties.set(offset, size, value);
  }

  private void requireLive() {
    if (dead) {
      throw new IllegalStateException("controller " + cntlid + " is gone: " + deadReason);
    }
  }

  /** CC.EN went from 1 to 0: outstanding Asynchronous Event Requests are dropped. */
  private void reset() {
    exec.execute(events::reset);
  }

  // ---------------------------------------------------------------- submission

  /**
   * Submits one command on queue {@code qid} (0 = admin). The SQE is copied before return;
   * {@code data} is the host's buffer for the command (write data, DSM ranges, reservation
   * data; or the buffer Read, Identify, Get Log Page, Reservation Report fill), used from its
   * position to its limit with absolute access: its position never moves. It may be null for
   * commands without data. The completion goes to the queue's sink from the controller's
   * executor (or, for an I/O queue whose sink {@linkplain CompletionSink#runsCommandsInline
   * allows it}, on the caller's thread when the controller is idle). On a controller that is
   * already gone, the sink gets
   * {@link CompletionSink#disconnected} again.
   *
   * @throws IllegalArgumentException qid outside the queue range
   * @throws IllegalStateException the I/O queue is not connected
   */
  public void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data) {
    if (qid < 0 || qid >= queues.length()) {
      throw new IllegalArgumentException("no queue " + qid);
    }
    TargetQueue q = queues.get(qid);
    if (q == null) {
      throw new IllegalStateException("controller " + cntlid + ": queue " + qid
          + " is not connected");
    }
    if (dead) {
      String reason = deadReason;
      exec.execute(() -> notifyGone(q.sink, reason));
      return;
    }
    if (faults.isHung()) {
      LOG.trace("controller {}: port {} hung, command dropped", cntlid, port);
      return;
    }
    TargetCommand task = q.take();
    if (task == null) {
      task = new TargetCommand(this);
    }
    sqe.copyTo(task.raw, 0);
    task.q = q;
    task.data = data;
    touch(); // traffic-based keep alive (CTRATT TBKAS): any command on any queue counts
    if (qid == 0 || !q.sink.runsCommandsInline() || !exec.tryRunInline(task)) {
      exec.execute(task);
    }
  }

  /** Runs a submitted command (exec): held while the port's I/O is stalled, else executed. */
  void run(TargetCommand c) {
    if (dead || faults.isHung()) {
      c.recycle();
      return;
    }
    if (c.q.qid != 0 && (faults.isIoStalled() || !stalled.isEmpty())) {
      stalled.add(c); // in order behind those already held
      runStalled();
      return;
    }
    execute(c);
  }

  /** Executes {@code c} and puts it back in its queue's pool. */
  private void execute(TargetCommand c) {
    TargetQueue q = c.q;
    ByteBuffer data = c.data;
    SubmissionQueueEntry cmd = c.sqe;
    try {
      execute(q, cmd, data);
    } finally {
      c.recycle();
    }
  }

  private void execute(TargetQueue q, SubmissionQueueEntry cmd, ByteBuffer data) {
    q.consumed();
    dw0 = 0;
    dw1 = 0;
    int status;
    try {
      status = q.qid == 0 ? admin(cmd, data) : io(cmd, data);
    } catch (RuntimeException e) {
      RLOG.warnFor(subsystem.nqn, "controller {}: {} failed", cntlid, cmd, e);
      status = NvmeStatus.INTERNAL_ERROR.field();
    }
    if (status != AdminCommands.HELD) {
      complete(q, cmd.cid(), status, dw0, dw1);
    }
  }

  // ---------------------------------------------------------------- completion

  private void complete(TargetQueue q, int cid, int status, int d0, int d1) {
    if (dead) {
      return;
    }
    long delay = faults.delayNanos();
    if (delay <= 0 && !q.hasDelayed()) {
      deliver(q, cid, status, d0, d1);
      return;
    }
    long now = scheduler.nanoTime();
    TargetQueue.Pending p = q.hold(now + Math.max(0, delay), cid, status, d0, d1);
    long seq = p.seq();
    scheduler.schedule(
        () -> exec.execute(() -> flushDelayed(q, seq)), p.due() - now, TimeUnit.NANOSECONDS);
  }

  /**
   * Delivers delayed completions up to {@code seq} (its timer fired; earlier ones are due no
   * later) and later ones already due, in order.
   */
  private void flushDelayed(TargetQueue q, long seq) {
    long now = scheduler.nanoTime();
    TargetQueue.Pending p;
    while ((p = q.nextDue(seq, now)) != null) {
      deliver(q, p.cid(), p.status(), p.dw0(), p.dw1());
    }
  }

  private void deliver(TargetQueue q, int cid, int status, int d0, int d1) {
    if (dead || faults.isHung() || queues.get(q.qid) != q) {
      return;
    }
    cqe.clear().dw0(d0).dw1(d1).sqhd(q.head()).sqid(q.qid).cid(cid).statusField(status);
    try {
      q.sink.complete(cqe);
    } catch (RuntimeException e) {
      LOG.warn("controller {}: completion sink of queue {} failed", cntlid, q.qid, e);
    }
  }

  private void notifyGone(CompletionSink sink, String reason) {
    try {
      sink.disconnected(reason);
    } catch (RuntimeException e) {
      LOG.warn("controller {}: disconnected() of a sink failed", cntlid, e);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  void setAttached(NavigableMap<Integer, Namespace> map) {
    this.attached = map;
  }

  void start() {
    keepAlive.arm();
  }

  private void touch() {
    keepAlive.touch();
  }

  private void keepAliveExpired() {
    LOG.warn("{}: controller {} (port {}, {}): keep alive timeout", subsystem.nqn, cntlid, port,
        hostNqn);
    fail("keep alive timeout");
  }

  private boolean markDead(String reason) {
    synchronized (this) {
      if (dead) {
        return false;
      }
      deadReason = reason;
      dead = true;
    }
    keepAlive.stop();
    return true;
  }

  /**
   * The controller fails (KATO, port killed, subsystem closed): it leaves the subsystem and
   * every connected queue's sink gets {@link CompletionSink#disconnected}; outstanding
   * commands get no completion.
   */
  void fail(String reason) {
    if (!markDead(reason)) {
      return;
    }
    subsystem.removed(this);
    exec.execute(() -> {
      for (int i = 0; i < queues.length(); i++) {
        TargetQueue q = queues.get(i);
        if (q != null) {
          q.dropDelayed();
          notifyGone(q.sink, reason);
        }
      }
      events.clear();
    });
  }

  /**
   * Host-initiated disconnect: the controller leaves the subsystem. Outstanding commands
   * (held Asynchronous Event Requests, delayed completions) get no completion and the sinks
   * are not called. Idempotent.
   */
  public void disconnect() {
    if (!markDead("disconnected by host")) {
      return;
    }
    subsystem.removed(this);
    LOG.info("{}: controller {} disconnected by host {}", subsystem.nqn, cntlid, hostNqn);
    exec.execute(() -> {
      for (int i = 0; i < queues.length(); i++) {
        TargetQueue q = queues.get(i);
        if (q != null) {
          q.dropDelayed();
        }
      }
      events.clear();
    });
  }

  // ---------------------------------------------------------------- events

  void anaChanged() {
    if (!dead) {
      exec.execute(events::anaChanged);
    }
  }

  void namespaceChanged(int nsid) {
    if (!dead) {
      exec.execute(() -> events.namespaceChanged(nsid));
    }
  }

  void resumed() {
    if (!dead) {
      exec.execute(events::deliver);
      exec.execute(this::runStalled);
    }
  }

  /** Executes the held I/O commands in order once the stall ends (exec). */
  private void runStalled() {
    while (!faults.isIoStalled() && !stalled.isEmpty()) {
      TargetCommand h = stalled.poll();
      if (!dead && !faults.isHung() && queues.get(h.q.qid) == h.q) {
        execute(h);
      } else {
        h.recycle();
      }
    }
  }

  /**
   * Abort (NVMe base 2.0 5.1) of a command still held in a stalled queue: it is taken out and
   * completed with Command Abort Requested (exec).
   *
   * @return whether the command was held (and is now aborted)
   */
  boolean abortHeld(int sqid, int cid) {
    for (Iterator<TargetCommand> it = stalled.iterator(); it.hasNext(); ) {
      TargetCommand h = it.next();
      if (h.q.qid == sqid && h.cid() == cid) {
        it.remove();
        TargetQueue hq = h.q;
        h.recycle();
        hq.consumed();
        complete(hq, cid, NvmeStatus.ABORT_REQUESTED.field(), 0, 0);
        return true;
      }
    }
    return false;
  }

  /** Completes an Asynchronous Event Request on the admin queue (exec). */
  void completeAdmin(int cid, int d0) {
    complete(queues.get(0), cid, OK, d0, 0);
  }

  /** Sets Dword 0 of the completion of the command being executed (exec). */
  void dw0(int v) {
    dw0 = v;
  }

  // ---------------------------------------------------------------- admin commands

  private int admin(SubmissionQueueEntry cmd, ByteBuffer data) {
    int opc = cmd.opcode();
    if (opc == AdminOpcode.FABRICS) {
      return fabrics(cmd);
    }
    if (!isReady()) {
      return NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | DNR;
    }
    return adminCommands.execute(cmd, attached, data);
  }

  /** Property Get/Set sent as Fabrics commands on the admin queue. */
  private int fabrics(SubmissionQueueEntry cmd) {
    int fctype = cmd.nsid() & 0xFF;
    int attrib = cmd.cdw10() & 0x7;
    int size = attrib == 0 ? 4 : attrib == 1 ? 8 : -1;
    int offset = cmd.cdw11();
    try {
      switch (fctype) {
        case FCTYPE_PROPERTY_GET: {
          long v = propertyGet(offset, size);
          dw0 = (int) v;
          dw1 = (int) (v >>> 32);
          return OK;
        }
        case FCTYPE_PROPERTY_SET:
          propertySet(offset, size, (cmd.cdw12() & 0xFFFF_FFFFL) | (long) cmd.cdw13() << 32);
          return OK;
        case FCTYPE_CONNECT:
          return NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | DNR;
        default:
          return NvmeStatus.INVALID_FIELD.field() | DNR;
      }
    } catch (IllegalArgumentException e) {
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
  }

  // ---------------------------------------------------------------- I/O commands

  private int io(SubmissionQueueEntry cmd, ByteBuffer data) {
    int injected = faults.takeFailure();
    if (injected >= 0) {
      return injected;
    }
    if (!isReady()) {
      return NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | DNR;
    }
    int opc = cmd.opcode();
    int nsid = cmd.nsid();
    if (opc == NvmOpcode.FLUSH && nsid == SubmissionQueueEntry.NSID_ALL) {
      return nvm.flushAll(attached.values());
    }
    Namespace ns = attached.get(nsid);
    if (ns == null) {
      return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
    }
    switch (ns.group.state(port)) {
      case INACCESSIBLE:
        return NvmeStatus.ANA_INACCESSIBLE.field();
      case PERSISTENT_LOSS:
        return NvmeStatus.ANA_PERSISTENT_LOSS.field();
      case CHANGE:
        return NvmeStatus.ANA_TRANSITION.field();
      default:
        break;
    }
    switch (opc) {
      case NvmOpcode.READ:
        return nvm.readWrite(ns, cmd, data, false);
      case NvmOpcode.WRITE:
        return nvm.readWrite(ns, cmd, data, true);
      case NvmOpcode.FLUSH:
        return nvm.flush(ns);
      case NvmOpcode.WRITE_ZEROES:
        return nvm.writeZeroes(ns, cmd);
      case NvmOpcode.DATASET_MANAGEMENT:
        return nvm.datasetManagement(ns, cmd, data);
      case NvmOpcode.RESERVATION_REGISTER:
        return nvm.reservationRegister(ns, cmd, data);
      case NvmOpcode.RESERVATION_REPORT:
        return nvm.reservationReport(ns, cmd, data);
      case NvmOpcode.RESERVATION_ACQUIRE:
        return nvm.reservationAcquire(ns, cmd, data);
      case NvmOpcode.RESERVATION_RELEASE:
        return nvm.reservationRelease(ns, cmd, data);
      default:
        return NvmeStatus.INVALID_OPCODE.field() | DNR;
    }
  }

}
