package dev.mpath.nvme.tcp;

import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.CompletionSink;
import dev.mpath.nvme.target.FabricsController;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.wire.BufferPool;
import dev.mpath.wire.OutBatch;
import dev.mpath.wire.SubmitQueue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.collection.IntObjectHashMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NVMe/TCP connection of a {@link NvmeTcpListener}: one queue (ICReq/ICResp, then the
 * Fabrics Connect of an admin queue, which creates a controller, or of an I/O queue of a
 * controller made through the same port). It lives on one event loop of the listener's
 * engine: received PDUs are decoded there (write data straight into the command's buffer),
 * and completions, which the controller delivers on its own executor, are handed back to the
 * loop through a lock-free {@link SubmitQueue} and written in batches. No thread of its own.
 */
final class NvmeTcpTargetQueue extends ChannelInboundHandlerAdapter
    implements CompletionSink, NvmeTcpDecoder.Handler, SubmitQueue.Drain {
  private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpTargetQueue.class);
  /** Shared with {@link ConnectHandler}: one rate limit for what a host can trigger at will. */
  static final RateLimitedLog RLOG = new RateLimitedLog(NvmeTcpTargetQueue.class, 1000);
  private static final int OUT_INITIAL = 16 * 1024;
  /** A host that does not read its TermReq is cut off after this. */
  private static final long CLOSE_GRACE_MILLIS = 2000;

  /** A completion's CQE, on its way to the loop (or written at once on it). */
  private static final class Completion extends SubmitQueue.Node {
    final ByteBuffer cqe = ByteBuffer.allocate(CompletionQueueEntry.LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * A command's data buffer and its direction. Read data lives in a pooled direct
   * {@code ByteBuf} of the channel's allocator ({@code out}, with {@code buf} its NIO view),
   * which the completion hands to the socket as it is: the store's read is the only copy
   * before the kernel's. Other data comes from the connection's {@link BufferPool}
   * ({@code out} null).
   */
  private static final class Transfer {
    ByteBuffer buf;
    boolean read;
    ByteBuf out;

    ByteBuffer buf() {
      return buf;
    }

    boolean read() {
      return read;
    }

    ByteBuf out() {
      return out;
    }
  }

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

  final int seq;
  private final NvmeTcpListener listener;
  private final Channel ch;
  private final String name;
  private final NvmeTcpDecoder decoder;
  private final NvmeTcpPduWriter writer = new NvmeTcpPduWriter();
  private final SubmitQueue completions;
  /** Commands with a pooled data buffer, by CID, until their completion is written (loop only). */
  private final IntObjectHashMap<Transfer> transfers = new IntObjectHashMap<>();
  /** Transfer records free for reuse (loop only). */
  private final ArrayDeque<Transfer> spareTransfers = new ArrayDeque<>();
  /** The SQE of the command being received, and its view (loop only; the controller copies it). */
  private final ByteBuffer sqeRaw = ByteBuffer.allocate(SubmissionQueueEntry.LENGTH)
      .order(ByteOrder.LITTLE_ENDIAN);
  private final SubmissionQueueEntry sqeView = new SubmissionQueueEntry();
  /** The completion written on the loop when the controller ran the command inline. */
  private final Completion inlineCompletion = new Completion();
  private final BufferPool pool;
  private final Map<Integer, PendingWrite> writes = new ConcurrentHashMap<>(); // by TTAG
  final AtomicBoolean closing = new AtomicBoolean();
  volatile FabricsController controller;
  private volatile int qid = -1; // -1: before ICReq; -2: before Connect
  private volatile boolean sqFlowDisabled;
  private int queueEntries; // loop only
  private int nextTtag; // loop only
  private final OutBatch out = new OutBatch(OUT_INITIAL); // loop only
  // the PDU being received (loop only)
  private ByteBuffer inData;
  private PendingWrite inWrite;

  NvmeTcpTargetQueue(NvmeTcpListener listener, Channel ch, int seq) {
    this.listener = listener;
    this.ch = ch;
    this.seq = seq;
    this.name = "nvme-tcp-" + listener.tcpPort() + "-c" + seq;
    this.decoder = new NvmeTcpDecoder(NvmeTcpDecoder.Role.CONTROLLER,
        Math.max(Math.max(listener.inCapsule, NvmeTcpListener.ADMIN_IN_CAPSULE_DATA),
            listener.maxH2CData));
    this.completions = new SubmitQueue(ch.eventLoop(), this);
    this.out.channel(ch);
    this.pool = new BufferPool(listener.maxTransfer);
    ch.eventLoop().schedule(() -> {
      if (controller == null) {
        close("no Connect within " + listener.setupTimeoutMillis + " ms");
      }
    }, listener.setupTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  // ------------------------------------------------------------------ channel events

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (!closing.get()) {
        decoder.decode(in, this);
      }
    } catch (NvmeTcpProtocolException e) {
      terminate(e);
    } catch (RuntimeException e) {
      LOG.error("{}: unexpected error", name, e);
      close("internal error: " + e);
    } finally {
      in.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flush();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    close("host closed the connection");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close("connection failed: " + cause.getMessage());
  }

  // ------------------------------------------------------------------ received PDUs

  @Override
  public void header(int type, ByteBuffer hdr, int datal) throws NvmeTcpProtocolException {
    if (closing.get()) {
      decoder.stop(); // a closing connection takes nothing more
      return;
    }
    if (qid == -1) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "PDU type " + type + " before ICReq");
    }
    if (type == NvmeTcpCodec.CAPSULE_CMD) {
      int limit = qid <= 0 ? NvmeTcpListener.ADMIN_IN_CAPSULE_DATA : listener.inCapsule;
      if (datal > limit) {
        throw new NvmeTcpProtocolException(
            NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 0,
            datal + " bytes of in-capsule data, at most " + limit + " accepted");
      }
      inData = pool.take(datal);
      decoder.dataTo(inData, 0);
      return;
    }
    // H2CData: TCP transport 3.6.2.7
    int cccid = hdr.getShort(8) & 0xFFFF;
    int ttag = hdr.getShort(10) & 0xFFFF;
    long datao = hdr.getInt(12) & 0xFFFF_FFFFL;
    PendingWrite w = writes.get(ttag);
    if (w == null) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
          10, "unknown TTAG " + ttag);
    }
    if (w.cid != cccid) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
          8, "CCCID " + cccid + " for TTAG " + ttag + " of command " + w.cid);
    }
    if (datal > listener.maxH2CData) {
      throw new NvmeTcpProtocolException(
          NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 16,
          "DATAL " + datal + " beyond MAXH2CDATA " + listener.maxH2CData);
    }
    if (datao != w.received || datao + datal > w.buf.remaining()) {
      throw new NvmeTcpProtocolException(
          NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
          "DATAO " + datao + " DATAL " + datal + ": expected offset " + w.received + " of "
              + w.buf.remaining());
    }
    inWrite = w;
    decoder.dataTo(w.buf, (int) datao);
  }

  @Override
  public void pdu(int type, ByteBuffer hdr) throws NvmeTcpProtocolException {
    ByteBuffer data = inData;
    inData = null;
    PendingWrite w = inWrite;
    inWrite = null;
    if (closing.get()) {
      decoder.stop(); // PDUs after a close in the same read are not taken
      return;
    }
    if (type == NvmeTcpCodec.ICREQ) {
      icReq(hdr);
      return;
    }
    if (qid == -1) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "PDU type " + type + " before ICReq");
    }
    switch (type) {
      case NvmeTcpCodec.CAPSULE_CMD:
        command(hdr, data);
        return;
      case NvmeTcpCodec.H2C_DATA:
        if (w == null) {
          // the decoder asks header() for every H2CData, which always sets it
          throw new AssertionError("H2CData without a pending write");
        }
        h2cDataDone(w, hdr);
        return;
      case NvmeTcpCodec.H2C_TERM_REQ:
        RLOG.warn("{}: host terminated the connection: FES {} FEI {}", name,
            hdr.getShort(8) & 0xFFFF, hdr.getInt(10) & 0xFFFF_FFFFL);
        close("H2CTermReq");
        return;
      default:
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
            "unexpected PDU type " + type);
    }
  }

  private void icReq(ByteBuffer hdr) throws NvmeTcpProtocolException {
    if (qid != -1) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "a second ICReq");
    }
    int pfv = hdr.getShort(8) & 0xFFFF;
    int hpda = hdr.get(10) & 0xFF;
    int dgst = hdr.get(11) & 0xFF;
    if (pfv != 0) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_UNSUPPORTED_PARAMETER, 8,
          "PFV " + pfv);
    }
    if (hpda > 31) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
          10, "HPDA " + hpda);
    }
    boolean hd = (dgst & NvmeTcpCodec.DGST_HDGST) != 0;
    boolean dd = (dgst & NvmeTcpCodec.DGST_DDGST) != 0;
    writer.icResp(out(), 0, 0, hd, dd, listener.maxH2CData);
    writer.settings(hd, dd, (hpda + 1) * 4);
    decoder.digests(hd, dd);
    qid = -2; // initialized, not connected
  }

  private void command(ByteBuffer hdr, ByteBuffer data) {
    ByteBuffer raw = sqeRaw;
    raw.put(0, hdr, 8, SubmissionQueueEntry.LENGTH);
    SubmissionQueueEntry sqe;
    try {
      sqe = sqeView.wrap(raw, 0);
    } catch (NvmeProtocolException e) {
      throw new AssertionError(e);
    }
    int cid = sqe.cid();
    int opc = sqe.opcode();
    boolean fabrics = opc == FabricsCommands.OPCODE;
    boolean connect = fabrics && FabricsCommands.fctype(sqe) == FabricsCommands.FCTYPE_CONNECT;
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
      if (!track(cid, data, false, null)) {
        respond(cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      submit(cid, sqe, data);
      return;
    }
    if (sglId != SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK) {
      respond(cid, NvmeStatus.SGL_DESCRIPTOR_TYPE_INVALID.field() | NvmeStatus.DNR_BIT, 0);
      return;
    }
    if (len > listener.maxTransfer) {
      respond(cid, NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT, 0);
      return;
    }
    if (transfers.size() + writes.size() >= queueEntries) {
      terminate(new NvmeTcpProtocolException(
          NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, 0,
          "more data transfers outstanding than the queue's " + queueEntries + " entries"));
      return;
    }
    if (dir == SubmissionQueueEntry.XFER_CONTROLLER_TO_HOST) {
      ByteBuf rd = ch.alloc().directBuffer((int) len, (int) len);
      ByteBuffer view = rd.internalNioBuffer(0, (int) len);
      if (!track(cid, view, true, rd)) {
        rd.release();
        respond(cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
      submit(cid, sqe, view);
      return;
    }
    ByteBuffer buf = pool.take((int) len);
    // host to controller beyond the capsule: ask for all of it (one R2T, MAXR2T 1)
    int ttag = nextTtag;
    nextTtag = (nextTtag + 1) & 0x7FFF;
    ByteBuffer kept = ByteBuffer.allocate(SubmissionQueueEntry.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    kept.put(0, raw, 0, SubmissionQueueEntry.LENGTH); // raw is reused by the next command
    if (writes.putIfAbsent(ttag, new PendingWrite(cid, kept, buf)) != null) {
      pool.give(buf);
      respond(cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
      return;
    }
    writer.r2t(out(), cid, ttag, 0, len);
  }

  private void h2cDataDone(PendingWrite w, ByteBuffer hdr) {
    int ttag = hdr.getShort(10) & 0xFFFF;
    int n = hdr.getInt(16);
    w.received += n;
    if (w.received == w.buf.remaining()) {
      writes.remove(ttag);
      if (!track(w.cid, w.buf, false, null)) {
        respond(w.cid, NvmeStatus.COMMAND_ID_CONFLICT.field() | NvmeStatus.DNR_BIT, 0);
        return;
      }
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
    } catch (IllegalStateException e) {
      // the controller let go of this queue (its association ended, a reset): the queue is
      // dead, so is its connection; the host fails the command over on a path error rather
      // than taking a final (DNR) status for it
      release(transfers.remove(cid));
      close("queue " + qid + " is no longer connected at the controller: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      release(transfers.remove(cid));
      respond(cid, NvmeStatus.COMMAND_SEQUENCE_ERROR.field() | NvmeStatus.DNR_BIT, 0);
    }
  }

  /** Notes command {@code cid}'s data buffer until its completion; false if the CID is in use. */
  private boolean track(int cid, ByteBuffer buf, boolean read, ByteBuf out) {
    if (transfers.containsKey(cid)) {
      return false;
    }
    Transfer t = spareTransfers.poll();
    if (t == null) {
      t = new Transfer();
    }
    t.buf = buf;
    t.read = read;
    t.out = out;
    transfers.put(cid, t);
    return true;
  }

  /** Gives a transfer's buffer back (null: none), once the controller is done with it. */
  private void release(Transfer t) {
    if (t == null) {
      return;
    }
    if (t.out() != null) {
      t.out().release();
    } else {
      pool.give(t.buf());
    }
    recycle(t);
  }

  private void recycle(Transfer t) {
    t.buf = null;
    t.out = null;
    if (spareTransfers.size() < 1024) {
      spareTransfers.push(t);
    }
  }

  private void connect(SubmissionQueueEntry sqe, ByteBuffer data) {
    int cid = sqe.cid();
    ConnectHandler.Outcome o = ConnectHandler.connect(listener, name, sqe, data, this);
    FabricsController c = o.controller();
    if (c == null) {
      respond(cid, o.status(), o.dw0());
      return;
    }
    int q = o.qid();
    queueEntries = o.entries();
    sqFlowDisabled = o.sqFlowDisabled();
    qid = q;
    controller = c;
    respond(cid, 0, o.dw0());
    if (closing.get()) {
      release(c, q);
    }
  }

  /** A completion made on the loop (refusals, Connect). */
  private void respond(int cid, int status, int dw0) {
    if (closing.get()) {
      return;
    }
    Completion c = new Completion();
    CompletionQueueEntry e = new CompletionQueueEntry();
    try {
      e.wrap(c.cqe, 0);
    } catch (NvmeProtocolException x) {
      throw new AssertionError(x); // 16 bytes always fit
    }
    e.dw0(dw0).sqid(Math.max(qid, 0)).cid(cid).statusField(status);
    writeCompletion(c, false); // a refusal: the CID may belong to a command still outstanding
  }

  // ------------------------------------------------------------------ completions

  /** I/O commands run on this loop when the controller is idle: no hand-off per command. */
  @Override
  public boolean runsCommandsInline() {
    return true;
  }

  /**
   * From the controller: written at once when it ran the command on this loop (flushed with
   * the rest of the read), else handed to the loop.
   */
  @Override
  public void complete(CompletionQueueEntry cqe) {
    if (ch.eventLoop().inEventLoop()) { // ran inline: written at once, nothing allocated
      Completion c = inlineCompletion;
      cqe.copyTo(c.cqe, 0);
      if (!closing.get()) {
        writeCompletion(c);
      } else {
        release(transfers.remove(cqe.cid()));
      }
    } else {
      Completion c = new Completion();
      cqe.copyTo(c.cqe, 0);
      completions.add(c);
    }
  }

  @Override
  public void disconnected(String reason) {
    close("controller gone: " + reason);
  }

  @Override
  public void drain(SubmitQueue.Node item) {
    Completion c = (Completion) item;
    if (!closing.get()) {
      writeCompletion(c);
    } else {
      release(transfers.remove(c.cqe.getShort(CompletionQueueEntry.CID_OFFSET) & 0xFFFF));
    }
  }

  @Override
  public void batchDone() {
    flush();
  }

  private void writeCompletion(Completion c) {
    writeCompletion(c, true);
  }

  /**
   * Writes a completion: read data as C2HData, then the CapsuleResp unless SUCCESS said it.
   * {@code ofCommand}: it ends a command the controller ran, whose data buffer (if any) it
   * takes back; false for the loop's own refusals.
   */
  private void writeCompletion(Completion c, boolean ofCommand) {
    ByteBuffer cqe = c.cqe;
    int status = (cqe.getShort(CompletionQueueEntry.STATUS_OFFSET) & 0xFFFF) >>> 1;
    int cid = cqe.getShort(CompletionQueueEntry.CID_OFFSET) & 0xFFFF;
    boolean ok = NvmeStatus.code(status) == 0;
    Transfer t = ofCommand ? transfers.remove(cid) : null;
    if (t != null && t.read() && ok) {
      // TCP transport 3.6.2.8: SUCCESS only when SQ flow control is off and DW0/DW1 are 0
      boolean success = sqFlowDisabled && cqe.getInt(0) == 0 && cqe.getInt(4) == 0;
      ByteBuf d = t.out();
      int total = d.capacity();
      int chunk = listener.c2hChunk;
      boolean dd = writer.dataDigestOn();
      for (int off = 0; off < total; off += chunk) {
        int n = Math.min(chunk, total - off);
        boolean last = off + n == total;
        writer.c2hDataHeader(out(), cid, off, last, last && success, n);
        // the digest first: once appended, the data may be released (a closed channel)
        int digest = dd ? writer.dataDigest(d.internalNioBuffer(off, n)) : 0;
        out.append(n == total ? d.setIndex(0, n) : d.retainedSlice(off, n));
        if (dd) {
          out().writeIntLE(digest);
        }
      }
      if (chunk < total) {
        d.release(); // the slices hold it until they are sent
      }
      recycle(t); // its buffer now belongs to the output batch
      if (success) {
        return;
      }
    } else {
      release(t);
    }
    writer.capsuleResp(out(), cqe, 0);
  }

  private ByteBuf out() {
    return out.buf();
  }

  private void flush() {
    out.flush();
  }

  // ------------------------------------------------------------------ teardown

  private void terminate(NvmeTcpProtocolException e) {
    RLOG.warn("{}: protocol error, terminating the connection: {}", name, e.getMessage());
    writer.termReq(out(), false, e.wireFes(), e.fei(), decoder.headerInError());
    close(e.getMessage());
  }

  /** Closes the connection (any thread): what is queued (a TermReq) goes out first. */
  void close(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    LOG.debug("{}: closing: {}", name, reason);
    listener.removed(this);
    if (ch.eventLoop().inEventLoop()) {
      closeOnLoop();
    } else {
      ch.eventLoop().execute(this::closeOnLoop);
    }
    FabricsController c = controller;
    if (c != null) {
      release(c, qid);
    }
  }

  private void closeOnLoop() {
    out.flushAndClose(CLOSE_GRACE_MILLIS); // a host that does not read must not keep the socket
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
