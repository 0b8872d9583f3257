package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.CdbArrays;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.target.ScsiResponse;
import dev.mpath.scsi.target.Session;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.TagTable;
import dev.mpath.wire.BufferPool;
import dev.mpath.wire.SubmitQueue;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SCSI tasks of one {@link TargetConnection} (RFC 7143 11.3-11.8): admitting SCSI
 * Commands, gathering their write data (immediate, unsolicited and R2T-solicited Data-Out,
 * placed straight into the task's pooled buffer), running them on the connection's session,
 * and answering with Data-In and SCSI Response; ABORT TASK and LOGICAL UNIT RESET end them
 * without an answer.
 *
 * <p>Each task sits in a reusable slot of a {@link TagTable} whose tag is the task's tag at
 * the logical unit, and in a map by ITT: exactly one of the logical unit's answer and a task
 * management function ends a task ({@linkplain TagTable#claim claim}), so a late answer to an
 * aborted task finds nothing even when the initiator has reused its ITT. Loop only, but for
 * {@link #complete} (any thread).
 */
final class TargetTasks {
  private static final RateLimitedLog RLOG = new RateLimitedLog(IscsiTargetListener.class, 1000);

  /**
   * One SCSI command of a connection, in a reusable slot of the connection's {@link TagTable}:
   * the slot's tag is the command's tag at the logical unit, so a late answer to an aborted
   * task finds nothing even when the initiator has reused its ITT, and exactly one of the
   * answer and a task management function ends the task ({@linkplain TagTable#claim claim}).
   * Loop only, but for {@link #response}, set by the claimer before {@link #answer} is queued.
   */
  static final class Task extends TagTable.Slot {
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
    final Answer answer = new Answer(this);
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
  static final class Answer extends SubmitQueue.Node {
    final Task task;

    Answer(Task task) {
      this.task = task;
    }
  }

  private final TargetConnection c;
  /** The BHS of a Data-In or SCSI Response being sent, laid out in place (loop only). */
  final byte[] bhsOut = new byte[Pdu.BHS_LENGTH];
  /** Outstanding tasks by ITT (loop only). */
  final IntObjectHashMap<Task> tasks = new IntObjectHashMap<>();
  /** Their slots: a slot's tag is its task's tag at the logical unit (any thread). */
  final TagTable<Task> table = new TagTable<>(32, Task::new);
  final AtomicLong buffered = new AtomicLong();
  /** Task data buffers, reused once a task is answered (loop only). */
  final BufferPool pool;
  /** A SCSI Command's immediate data, placed by the decoder, for the task it starts (loop only). */
  ByteBuffer staged;
  int stagedFor;

  TargetTasks(TargetConnection c) {
    this.c = c;
    this.pool = new BufferPool(c.maxTransfer);
  }

  /** The logical unit's answer (any thread): dropped when the task was ended meanwhile. */
  void complete(long tag, ScsiResponse response) {
    if (tag < 0 || tag > Integer.MAX_VALUE) {
      return;
    }
    Task t = table.claim((int) tag); // null: aborted meanwhile (a stale answer)
    if (t != null) {
      answer(t, response);
    }
  }

  /** ABORT TASK of the task {@code rtt} (RFC 7143 11.5.1): the TMF response code. */
  int abortTask(int rtt) {
    Session s = c.session;
    Task t = tasks.get(rtt);
    if (s != null && !s.abortTask(t == null ? -1 : t.tag())) {
      return 255; // function rejected
    }
    if (t == null) {
      return 1; // task does not exist (answered already)
    }
    forget(t); // else answered first: its response goes out before the TMF's
    return 0;
  }

  /** LOGICAL UNIT RESET of the LUN {@code lunField} (RFC 7143 11.5.1): the TMF response code. */
  int lunReset(long lunField) {
    Lun l = new Lun(lunField);
    Session s = c.session;
    if (s != null && l.isSimple() && !s.lunReset(l.number())) {
      return 255; // function rejected
    }
    forgetWhere(lunField, false);
    return 0;
  }

  /** ABORT TASK SET of the LUN {@code lunField} (RFC 7143 11.5.1): the TMF response code. */
  int abortTaskSet(long lunField) {
    Lun l = new Lun(lunField);
    Session s = c.session;
    if (s != null && l.isSimple() && !s.abortTaskSet(l.number())) {
      return 255; // function rejected
    }
    forgetWhere(lunField, false);
    return 0;
  }

  /** TARGET WARM RESET or (cold) TARGET COLD RESET (RFC 7143 11.5.1): the TMF response code. */
  int targetReset(boolean cold) {
    Session s = c.session;
    if (s != null && !s.targetReset(cold)) {
      return 255; // function rejected
    }
    forgetWhere(0, true);
    return 0;
  }

  /** Forgets this connection's tasks of {@code lunField}, or all of them. */
  private void forgetWhere(long lunField, boolean all) {
    List<Task> hit = new ArrayList<>();
    for (Task t : tasks.values()) {
      if (all || t.lunField == lunField) {
        hit.add(t);
      }
    }
    hit.forEach(this::forget);
  }

  /**
   * The decoder's {@link PduDecoder.DataPlacement} (loop): a Data-Out's data goes straight
   * into its task's buffer once the PDU is checked as {@link #dataOut} checks it; a SCSI
   * Command's c.immediate data into a pooled buffer that becomes the task's in
   * {@link #command}. Declined (the PDU then carries its data) for a refused task, or an
   * EDTL beyond what a task may move, which {@link #command} answers.
   */
  boolean place(Pdu h, ByteBuffer in, int len) throws IscsiProtocolException {
    if (!c.fullFeature || c.closing.get()) {
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
    if (len > edtl || edtl > c.maxTransfer) {
      return false;
    }
    unstage();
    ByteBuffer b = pool.take((int) edtl);
    in.get(in.position(), b.array(), 0, len);
    staged = b;
    stagedFor = h.itt();
    return true;
  }

  /** Takes the c.immediate data placed for the command {@code p} (null: none was). */
  private ByteBuffer takeStaged(Pdu p) throws IscsiProtocolException {
    if (!p.dataPlaced()) {
      return null;
    }
    ByteBuffer b = staged;
    if (b == null || stagedFor != p.itt()) {
      throw new IscsiProtocolException("c.immediate data of ITT " + Integer.toHexString(p.itt()) + " not placed");
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

  void command(Pdu p) throws IscsiProtocolException {
    ByteBuffer placed = takeStaged(p);
    int itt = p.itt();
    if (itt == Pdu.RESERVED_TAG) {
      throw new IscsiProtocolException("SCSI Command with the reserved ITT");
    }
    if (tasks.containsKey(itt)) {
      throw new IscsiProtocolException("SCSI Command with ITT " + Integer.toHexString(itt) + " already in use");
    }
    if (tasks.size() >= c.queueDepth + 32) {
      throw new IscsiProtocolException("more than " + (c.queueDepth + 32) + " tasks outstanding");
    }
    c.admit(p);
    boolean r = (p.flags() & Pdus.CMD_R) != 0;
    boolean w = (p.flags() & Pdus.CMD_W) != 0;
    long edtlLong = p.expectedDataTransferLength() & 0xFFFFFFFFL;
    int imm = p.dataSegmentLength();
    if (imm > 0 && (!w || !c.immediate)) {
      throw new IscsiProtocolException("c.immediate data " + (w ? "although ImmediateData=No" : "with a command that"
          + " does not write"));
    }
    if (imm > edtlLong || imm > c.firstBurst) {
      throw new IscsiProtocolException(imm + " bytes of c.immediate data, EDTL " + edtlLong + ", FirstBurstLength "
          + c.firstBurst);
    }
    if (!p.finalBit() && (!w || c.r2tFirst)) {
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
      if (edtlLong > c.maxTransfer) {
        RLOG.info("{}: EDTL {} beyond the {} bytes a task may move", c.name, edtlLong, c.maxTransfer);
        t.refusal = ScsiResponse.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB), 0,
            edtl);
      } else if (buffered.addAndGet(edtl) > c.connectionBuffer) {
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
        t.unsolicitedEnd = Math.min(edtl, c.firstBurst);
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
      ttt = c.nextTtt++;
    } while (ttt == Pdu.RESERVED_TAG);
    t.ttt = ttt;
    t.burstEnd = (int) Math.min(t.edtl, (long) t.received + c.maxBurst);
    t.seqDataSn = 0;
    t.r2tOpen = true;
    int sn = t.r2tSn++;
    int off = t.received;
    int len = t.burstEnd - t.received;
    int tag = ttt;
    c.send(() -> c.encoder.encode(Pdus.r2t(t.lunField, t.itt, tag, c.statSn, c.exp(), c.max(), sn, off, len), c.conn.buffer()));
  }

  void dataOut(Pdu p) throws IscsiProtocolException {
    Task t = dataOutTask(p);
    int len = p.dataSegmentLength();
    if (p.dataSn() != t.seqDataSn && t.refusal == null) {
      // RFC 7143 11.7.5: DataSN counts the Data-Outs of a sequence from 0. A gap or a repeat
      // at ErrorRecoveryLevel 0 cannot be recovered within the command: the task ends in
      // CHECK CONDITION once its data is in, and the session goes on.
      RLOG.info("{}: Data-Out DataSN {} for ITT {}, expected {}: the task fails", c.name,
          Integer.toUnsignedString(p.dataSn()), Integer.toHexString(t.itt), t.seqDataSn);
      t.refusal = ScsiResponse.checkCondition(
          SenseData.of(SenseKey.ABORTED_COMMAND, Asc.DATA_PHASE_ERROR), 0, t.edtl);
    }
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
    if (t.received >= t.edtl || t.refusal != null) {
      run(t);
    } else {
      r2t(t);
    }
  }

  /**
   * The task a Data-Out belongs to, once the PDU is checked against it (ITT, direction,
   * TTT, offset, burst end; the DataSN is dataOut's); changes nothing, so the decoder's placement and
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
    return t;
  }

  private void run(Task t) {
    if (t.refusal != null) {
      if (table.claim(t, t.tag())) {
        answer(t, t.refusal);
      }
      return;
    }
    Session s = c.session;
    ByteBuffer data = t.data;
    s.execute(t.tag(), t.lun, t.cdb, data, data == null ? 0 : t.edtl);
  }

  /** Queues the answer of a task its caller has claimed. */
  private void answer(Task t, ScsiResponse r) {
    t.response = r;
    if (!c.outs.add(t.answer)) {
      c.close("event loop shut down");
    }
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
    c.answered(t.immediate);
    t.data = null;
    t.buf = null;
    table.free(t);
    return true;
  }

  /** Data-In and the status of one claimed task, then its slot is reused (loop). */
  void finish(Task t) throws IOException {
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
    c.answered(t.immediate);
    int chunk = c.peerMrdsl;
    int burst = c.maxBurst;
    int dataSn = 0;
    for (int off = 0; off < moved; ) {
      int burstEnd = (int) Math.min(moved, ((long) off / burst + 1) * burst);
      int n = Math.min(chunk, burstEnd - off);
      boolean last = off + n == moved;
      int flags = last || off + n == burstEnd ? Pdus.F : 0;
      int sn = c.statSn;
      int res = 0;
      if (last && collapse) {
        flags |= Pdus.DATA_S | resFlags;
        sn = c.statSn++;
        res = resCount;
      }
      Pdus.dataInBhs(bhsOut, flags, r.status(), t.lunField, t.itt, Pdu.RESERVED_TAG, sn, c.exp(), c.max(),
          dataSn++, off, res, n);
      c.encoder.encode(bhsOut, t.data, off, n, c.conn.buffer());
      off += n;
    }
    if (!collapse && (sense == null || sense.length == 0)) {
      Pdus.scsiResponseBhs(bhsOut, t.itt, 0, r.status(), c.statSn++, c.exp(), c.max(),
          t.read ? dataSn : t.r2tSn, residual < 0, residual > 0, resCount, 0);
      c.encoder.encode(bhsOut, null, 0, 0, c.conn.buffer());
    } else if (!collapse) {
      c.encoder.encode(Pdus.scsiResponse(t.itt, 0, r.status(), c.statSn++, c.exp(), c.max(),
          t.read ? dataSn : t.r2tSn, residual < 0, residual > 0, resCount, sense), c.conn.buffer());
    }
    // c.answered: the LU is done with the buffer and its Data-In is encoded (copied out).
    // An aborted or dropped task's buffer is not reused: the LU may still be at it.
    if (t.data != null) {
      pool.give(t.data);
      t.data = null;
      t.buf = null;
    }
    table.free(t);
  }
}
