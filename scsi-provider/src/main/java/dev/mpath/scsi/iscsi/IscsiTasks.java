package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.spi.TagTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The SCSI tasks of one initiator session (RFC 7143 11.3-11.8): the task table by
 * Initiator Task Tag, the commands waiting in CmdSN order for the command window, the SCSI
 * Command with its immediate and unsolicited data, Data-Out answering each R2T, Data-In
 * placed into the caller's buffer, the status from the final Data-In or the SCSI Response,
 * and the tasks that ABORT TASK and LOGICAL UNIT RESET end.
 *
 * <p>Thread-safety: issuing, the waiting queue, the BHS being laid out and every write to the
 * connection run under the session's send lock; the target's answers are decoded on the
 * connection's event loop; {@link TagTable#claim} decides who ends a task. Issuing and
 * completing a command allocates nothing once the table has grown to the load.
 */
final class IscsiTasks {
  /** Fixed-format sense: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (SPC-4 4.5.3, 20h/00h). */
  private static final byte[] INVALID_OPCODE_SENSE = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0};

  /** One SCSI command in flight: a reusable slot of the task table, armed per command. */
  static final class Task extends TagTable.Slot {
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

  private final IscsiTransport session;
  private final Object sendLock;
  private final PduEncoder encoder; // under sendLock
  private final CmdSnWindow sn;
  private final byte[] bhs = new byte[Pdu.BHS_LENGTH]; // under sendLock: the BHS being laid out

  /** SCSI commands by ITT: the ITT is the slot's tag (bit 31 clear); immediates have bit 31 set. */
  private final TagTable<Task> tasks = new TagTable<>(32, Task::new);
  private final ArrayDeque<Task> waiting = new ArrayDeque<>(); // under sendLock

  IscsiTasks(IscsiTransport session, Object sendLock, PduEncoder encoder, CmdSnWindow sn) {
    this.session = session;
    this.sendLock = sendLock;
    this.encoder = encoder;
    this.sn = sn;
  }

  // ===================================================================== issuing

  /** Issues a command, at once when the window is open, else after those waiting. Under sendLock. */
  void issue(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    Task t = tasks.acquire();
    t.arm(tag, Lun.of(lun).value(), cdb, data, dataLength, IscsiTransport.isDataOut(cdb[0] & 0xFF));
    if (waiting.isEmpty() && sn.open()) {
      send(t);
      flush();
    } else {
      waiting.add(t);
    }
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

  /** Forgets every task, sent or waiting (on close). Under sendLock. */
  void forgetAll() {
    tasks.forEachOutstanding(x -> forget(x, x.itt));
    waiting.clear();
  }

  /** Sends what waits for the window. Under sendLock. */
  void drain() {
    boolean any = false;
    while (!waiting.isEmpty() && sn.open() && !session.isDead()) {
      send(waiting.poll());
      any = true;
    }
    if (any) {
      flush();
    }
  }

  /** SCSI Command, immediate data and unsolicited Data-Out. Under sendLock. */
  private void send(Task t) {
    Negotiated n = session.negotiated();
    int imm = 0;
    int unsolicited = 0;
    if (t.write) {
      int first = Math.min(t.length, n.firstBurstLength());
      if (n.immediateData()) {
        imm = Math.min(first, n.targetMaxRecvDataSegmentLength());
      }
      unsolicited = n.initialR2T() ? imm : first;
    }
    IscsiConnection conn = session.conn();
    try {
      if (t.cdb.length <= 16) {
        Pdus.scsiCommandBhs(bhs, t.read, t.write, t.lun, t.itt, t.length, sn.cmdSn(), sn.expStatSn(), t.cdb,
            imm, unsolicited == imm);
        encoder.encode(bhs, t.buf, t.base, imm, conn.buffer());
      } else { // an extended CDB (AHS): rare, built as a PDU
        ByteBuffer immData = null;
        if (imm > 0) {
          immData = t.buf.duplicate();
          immData.limit(t.base + imm).position(t.base);
        }
        encoder.encode(Pdus.scsiCommand(t.read, t.write, t.lun, t.itt, t.length, sn.cmdSn(), sn.expStatSn(),
            t.cdb, immData, unsolicited == imm), conn.buffer());
      }
      sn.advance();
      t.sent = true;
      if (unsolicited > imm) {
        sendData(t, Pdu.RESERVED_TAG, imm, unsolicited - imm);
      }
    } catch (IllegalArgumentException e) {
      // a CDB this transport cannot carry: answer as a target would, off the caller's stack
      long tag = t.tag;
      int length = t.length;
      forget(t, t.itt);
      IscsiTransport.RLOG.warn("{}: command not sent: {}", session.address(), e.getMessage());
      ResponseHandler h = session.handler();
      conn.loop().execute(() -> {
        if (!session.isClosed() && !session.isDead()) {
          h.response(tag, ScsiResult.CHECK_CONDITION, INVALID_OPCODE_SENSE.clone(), 0, length);
        }
      });
    }
  }

  private void flush() {
    try {
      session.conn().flush();
    } catch (IOException e) {
      session.drop("send failed: " + e.getMessage());
    }
  }

  /** Data-Out PDUs for {@code [off, off+len)}; DataSN from 0, F on the last. Under sendLock. */
  private void sendData(Task t, int ttt, int off, int len) {
    int max = session.negotiated().targetMaxRecvDataSegmentLength();
    IscsiConnection conn = session.conn();
    int dataSn = 0;
    int end = off + len;
    for (int o = off; o < end; o += max) {
      int n = Math.min(max, end - o);
      Pdus.dataOutBhs(bhs, o + n == end, t.lun, t.itt, ttt, sn.expStatSn(), dataSn++, o, n);
      encoder.encode(bhs, t.buf, t.base + o, n, conn.buffer());
    }
  }

  // ===================================================================== answers (on the loop)

  /** Whether {@code itt} is the tag of an outstanding command. */
  boolean outstanding(int itt) {
    return tasks.get(itt) != null;
  }

  private Task task(Pdu p) throws IscsiProtocolException {
    Task t = tasks.get(p.itt());
    if (t == null || !t.sent) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + " for unknown ITT " + Integer.toHexString(p.itt()));
    }
    return t;
  }

  /**
   * Copies a Data-In's {@code len} data bytes at {@code src[index]} into its command's
   * buffer, once the Data-In is checked against the command (ITT, direction, DataSN, range).
   */
  void placeData(Pdu p, ByteBuffer src, int index, int len) throws IscsiProtocolException {
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

  /** SCSI Data-In (RFC 7143 11.7), with the status when it carries S. */
  void dataIn(Pdu p) throws IscsiProtocolException {
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

  /** SCSI Response (RFC 7143 11.4). */
  void scsiResponse(Pdu p) throws IscsiProtocolException {
    Task t = task(p);
    byte[] sense = Pdus.sense(p);
    int status = p.status();
    if (p.response() != 0) {
      IscsiTransport.RLOG.warn("{}: SCSI Response {} (target failure) for ITT {}", session.address(), p.response(),
          Integer.toHexString(t.itt));
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
    ResponseHandler h = session.handler();
    if (!session.isClosed() && !session.isDead() && h != null) {
      h.response(tag, status, sense, transferred, residual);
    }
  }

  /** Ready To Transfer (RFC 7143 11.8): the Data-Out it asks for. */
  void r2t(Pdu p) throws IOException {
    Task t = task(p);
    long off = p.bufferOffset() & 0xFFFFFFFFL;
    long len = p.desiredDataTransferLength() & 0xFFFFFFFFL;
    if (!t.write) {
      throw new IscsiProtocolException("R2T for a command that writes nothing");
    }
    if (len == 0 || off + len > t.length) {
      throw new IscsiProtocolException("R2T for " + len + " bytes at offset " + off + " of a " + t.length + "-byte write");
    }
    Negotiated negotiated = session.negotiated();
    if (len > negotiated.maxBurstLength()) {
      throw new IscsiProtocolException("R2T for " + len + " bytes exceeds MaxBurstLength " + negotiated.maxBurstLength());
    }
    synchronized (sendLock) {
      if (session.isDead()) {
        return;
      }
      sendData(t, p.ttt(), (int) off, (int) len);
      session.conn().flush();
    }
  }

  // ===================================================================== task management

  /**
   * ABORT TASK (RFC 7143 11.5.1) for the command sent with {@code tag}. On FUNCTION COMPLETE
   * (or when the task is not outstanding any more) the task is forgotten: nothing for it is
   * delivered afterwards.
   */
  CompletableFuture<Boolean> abortTask(long tag, int lun) {
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
    return session.taskManagement(Pdus.TMF_ABORT_TASK, lun, itt[0]).thenApply(response -> {
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
  CompletableFuture<Boolean> lunReset(int lun) {
    long value = Lun.of(lun).value();
    return session.taskManagement(Pdus.TMF_LOGICAL_UNIT_RESET, lun, Pdu.RESERVED_TAG).thenApply(response -> {
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
}
