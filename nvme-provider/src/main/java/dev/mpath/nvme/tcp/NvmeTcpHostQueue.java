package dev.mpath.nvme.tcp;

import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.RateLimitedLog;
import dev.mpath.wire.OutBatch;
import dev.mpath.wire.SubmitQueue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One NVMe/TCP queue of a host association: one TCP connection on an event loop of the
 * shared {@link dev.mpath.wire.IoEngine}, after Linux {@code nvme-tcp}'s queue. Submissions
 * from any thread go through a lock-free {@link SubmitQueue} of per-command nodes (one per
 * CID, made when the queue is, so a submission allocates nothing); the loop writes each batch
 * into one buffer and flushes once. Received bytes go through the streaming
 * {@link NvmeTcpDecoder}: read data straight into the caller's buffer, completions to the
 * {@link QueueHandler} on the loop, without another thread.
 *
 * <p>Commands of the transport's own (Connect, Property Get/Set; CIDs from FF00h) have nodes
 * made per command: they are not on the I/O path.
 */
@ChannelHandler.Sharable // only the one connection attempt that succeeds ever sees events
final class NvmeTcpHostQueue extends ChannelInboundHandlerAdapter
    implements SubmitQueue.Drain, NvmeTcpDecoder.Handler {
  private static final RateLimitedLog RLOG = new RateLimitedLog(NvmeTcpHostQueue.class, 1000);
  /** First CID of the transport's own commands. */
  static final int INTERNAL_CID_BASE = 0xFF00;
  /** Most read data one C2HData may carry. */
  private static final int MAX_C2H_DATA = 1 << 20;
  /** Write buffers start at this size; they grow to the batch. */
  private static final int OUT_INITIAL = 16 * 1024;

  /** One command: a copy of its SQE, and where its data is. */
  static final class Command extends SubmitQueue.Node {
    final SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    ByteBuffer data; // the caller's; null: none
    int base; // data.position() at submission
    int length; // data bytes (0: none)
    boolean write; // host to controller
    boolean inCapsule; // the data travels in the capsule
    volatile boolean outstanding;
    CompletableFuture<byte[]> internal; // for the transport's own commands
  }

  private final String name;
  private final int qid;
  private final int inCapsuleMax;
  private final boolean wantHeaderDigest;
  private final boolean wantDataDigest;
  private final QueueHandler handler;
  private final Command[] commands;
  private final Map<Integer, Command> internal = new ConcurrentHashMap<>();
  private final NvmeTcpDecoder decoder =
      new NvmeTcpDecoder(NvmeTcpDecoder.Role.HOST, MAX_C2H_DATA);
  private final NvmeTcpPduWriter writer = new NvmeTcpPduWriter();
  private final CompletionQueueEntry cqe = new CompletionQueueEntry();
  private final CompletionQueueEntry synthetic = CompletionQueueEntry.allocate();
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile Channel ch;
  private volatile SubmitQueue submissions;
  private volatile boolean dead;
  /** The host closed the transport: nothing is reported any more. */
  volatile boolean closing;
  volatile boolean connected; // Connect succeeded
  private boolean icDone; // loop only
  private int maxH2CData; // loop only, after ICResp
  private final OutBatch out = new OutBatch(OUT_INITIAL); // loop only

  /**
   * @param entries the queue size (CIDs 0..entries-1 carry the host's commands)
   * @param inCapsuleMax most write data sent in the capsule (larger writes wait for R2T)
   */
  NvmeTcpHostQueue(String name, int qid, int entries, int inCapsuleMax, boolean headerDigest,
      boolean dataDigest, QueueHandler handler) {
    this.name = name;
    this.qid = qid;
    this.inCapsuleMax = inCapsuleMax;
    this.wantHeaderDigest = headerDigest;
    this.wantDataDigest = dataDigest;
    this.handler = handler;
    this.commands = new Command[entries];
    for (int i = 0; i < entries; i++) {
      commands[i] = new Command();
    }
  }

  int qid() {
    return qid;
  }

  /** Whether the caller runs on this queue's event loop. */
  boolean onLoop() {
    SubmitQueue s = submissions;
    return s != null && s.loop().inEventLoop();
  }

  // ------------------------------------------------------------------ submission

  /**
   * Queues one of the host's commands (any thread). The SQE is copied before return; the
   * data buffer must stay as it is until the command completes.
   */
  void submit(SubmissionQueueEntry sqe, ByteBuffer data) {
    int cid = sqe.cid();
    if (cid < 0 || cid >= commands.length) {
      throw new IllegalArgumentException(name + ": cid " + cid + " outside the queue's "
          + commands.length + " entries");
    }
    Command c = commands[cid];
    if (c.outstanding) {
      throw new IllegalStateException(name + ": cid " + cid + " is still outstanding");
    }
    prepare(c, sqe, data);
    enqueue(c);
  }

  /** Sends one of the transport's own commands and returns its CQE bytes. */
  CompletableFuture<byte[]> internal(SubmissionQueueEntry sqe, ByteBuffer data) {
    Command c = new Command();
    c.internal = new CompletableFuture<>();
    // a Fabrics command carries its own SGL (in-capsule data): sent as it is
    sqe.copyTo(c.sqe.buffer(), c.sqe.offset());
    c.data = data;
    c.base = data == null ? 0 : data.position();
    c.length = data == null ? 0 : data.remaining();
    c.write = true;
    c.inCapsule = c.length > 0;
    c.outstanding = true;
    internal.put(sqe.cid(), c);
    if (dead) {
      internal.remove(sqe.cid());
      return CompletableFuture.failedFuture(new PathFailureException(name + ": queue " + qid
          + " is down"));
    }
    enqueue(c);
    return c.internal;
  }

  private void prepare(Command c, SubmissionQueueEntry from, ByteBuffer data) {
    SubmissionQueueEntry s = c.sqe;
    from.copyTo(s.buffer(), s.offset());
    int dir = s.dataTransfer();
    int len = data == null ? 0 : data.remaining();
    s.psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_BUFFER);
    c.data = null;
    c.length = 0;
    c.write = false;
    c.inCapsule = false;
    if (len == 0 || dir == SubmissionQueueEntry.XFER_NONE
        || dir == SubmissionQueueEntry.XFER_BIDIRECTIONAL) {
      s.sglDataBlock(0, 0, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
    } else {
      c.data = data;
      c.base = data.position();
      c.length = len;
      c.write = dir == SubmissionQueueEntry.XFER_HOST_TO_CONTROLLER;
      c.inCapsule = c.write && len <= inCapsuleMax;
      s.sglDataBlock(0, len, c.inCapsule ? SubmissionQueueEntry.SGL_ID_DATA_BLOCK_OFFSET
          : SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
    }
    c.outstanding = true;
  }

  private void enqueue(Command c) {
    SubmitQueue s = submissions;
    if (s == null || dead || !s.add(c)) {
      // the association is gone: the host fails outstanding commands itself
      c.outstanding = false;
      if (c.internal != null) {
        c.internal.completeExceptionally(new PathFailureException(name + ": queue " + qid
            + " is down"));
      }
    }
  }

  @Override
  public void drain(SubmitQueue.Node item) {
    Command c = (Command) item;
    if (dead) {
      return;
    }
    ByteBuf b = out();
    // in-capsule data: the caller's buffer from its position, which has not moved since submit
    writer.capsuleCmd(b, c.sqe.buffer(), c.sqe.offset(), c.inCapsule ? c.data : null);
  }

  @Override
  public void batchDone() {
    flush();
  }

  private ByteBuf out() {
    return out.buf();
  }

  private void flush() {
    if (dead) {
      out.discard();
    } else {
      out.flush();
    }
  }

  // ------------------------------------------------------------------ channel events

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel c = ctx.channel();
    ch = c;
    out.channel(c);
    submissions = new SubmitQueue(c.eventLoop(), this);
    if (closing) {
      c.close();
      return;
    }
    ByteBuf b = out();
    writer.icReq(b, 0, 0, wantHeaderDigest, wantDataDigest, 0);
    flush();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (ctx.channel() != ch) {
        return;
      }
      decoder.decode(in, this);
    } catch (NvmeTcpProtocolException e) {
      terminate(e);
    } catch (RuntimeException e) {
      die("queue " + qid + ": " + e);
    } finally {
      in.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flush(); // H2CData answering R2Ts
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (ctx.channel() != ch) {
      return;
    }
    die(icDone ? "controller closed the connection"
        : "controller closed the connection during ICReq");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ctx.channel() != ch) {
      return;
    }
    die("queue " + qid + ": " + cause.getMessage());
  }

  // ------------------------------------------------------------------ received PDUs

  @Override
  public void header(int type, ByteBuffer hdr, int datal) throws NvmeTcpProtocolException {
    if (dead) {
      decoder.stop(); // nothing after the loss reaches the host
      return;
    }
    if (type != NvmeTcpCodec.C2H_DATA || !icDone) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "unexpected PDU type " + type + (icDone ? "" : " before ICResp"));
    }
    int cccid = hdr.getShort(8) & 0xFFFF;
    long datao = hdr.getInt(12) & 0xFFFF_FFFFL;
    Command c = command(cccid);
    if (c == null || c.write || c.data == null) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
          8, "C2HData for command " + cccid + ", which reads nothing");
    }
    if (datao + datal > c.length) {
      throw new NvmeTcpProtocolException(
          NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
          "C2HData DATAO " + datao + " DATAL " + datal + " beyond the " + c.length
              + "-byte buffer of command " + cccid);
    }
    decoder.dataTo(c.data, c.base + (int) datao);
  }

  @Override
  public void pdu(int type, ByteBuffer hdr) throws NvmeTcpProtocolException {
    if (dead) {
      decoder.stop(); // after die(): no completion follows the report of the loss
      return;
    }
    if (!icDone && type != NvmeTcpCodec.ICRESP && type != NvmeTcpCodec.C2H_TERM_REQ) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "expected ICResp, got PDU type " + type);
    }
    switch (type) {
      case NvmeTcpCodec.ICRESP:
        icResp(hdr);
        return;
      case NvmeTcpCodec.CAPSULE_RESP:
        capsuleResp(hdr);
        return;
      case NvmeTcpCodec.C2H_DATA:
        if ((hdr.get(1) & NvmeTcpCodec.FLAG_SUCCESS) != 0) {
          int cccid = hdr.getShort(8) & 0xFFFF;
          Command c = command(cccid);
          if (c != null) {
            c.outstanding = false;
            if (!closing) {
              synthetic.clear().cid(cccid).sqid(qid);
              handler.completed(synthetic);
            }
          }
        }
        return;
      case NvmeTcpCodec.R2T:
        r2t(hdr);
        return;
      case NvmeTcpCodec.C2H_TERM_REQ:
        die(String.format("controller terminated the connection (FES 0x%x, FEI 0x%x)",
            hdr.getShort(8) & 0xFFFF, hdr.getInt(10) & 0xFFFF_FFFFL));
        return;
      default:
        throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
            "unexpected PDU type " + type);
    }
  }

  private void icResp(ByteBuffer hdr) throws NvmeTcpProtocolException {
    if (icDone) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, 0,
          "a second ICResp");
    }
    int pfv = hdr.getShort(8) & 0xFFFF;
    int cpda = hdr.get(10) & 0xFF;
    int dgst = hdr.get(11) & 0xFF;
    long maxh2cdata = hdr.getInt(12) & 0xFFFF_FFFFL;
    boolean hd = (dgst & NvmeTcpCodec.DGST_HDGST) != 0;
    boolean dd = (dgst & NvmeTcpCodec.DGST_DDGST) != 0;
    // TCP transport 3.6.2.3: PFV 0, CPDA 0..31, MAXH2CDATA a multiple of 4 of at least 4 KiB;
    // the controller enables only digests the host asked for
    if (pfv != 0 || cpda > 31 || maxh2cdata < 4096 || maxh2cdata % 4 != 0
        || hd && !wantHeaderDigest || dd && !wantDataDigest) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_UNSUPPORTED_PARAMETER, 8,
          String.format("ICResp PFV %d CPDA %d DGST 0x%x MAXH2CDATA %d", pfv, cpda, dgst,
              maxh2cdata));
    }
    icDone = true;
    maxH2CData = (int) Math.min(maxh2cdata, 1 << 24);
    decoder.digests(hd, dd);
    writer.settings(hd, dd, (cpda + 1) * 4);
    ready.complete(null);
  }

  private void capsuleResp(ByteBuffer hdr) {
    try {
      cqe.wrap(hdr, 8);
    } catch (NvmeProtocolException e) {
      throw new AssertionError(e); // the decoder checked PLEN
    }
    int cid = cqe.cid();
    if (cid >= INTERNAL_CID_BASE) {
      Command c = internal.remove(cid);
      if (c != null) {
        byte[] raw = new byte[CompletionQueueEntry.LENGTH];
        hdr.get(8, raw);
        c.internal.complete(raw);
        return;
      }
    }
    if (cid < commands.length) {
      commands[cid].outstanding = false;
      commands[cid].data = null;
    }
    if (!closing) {
      handler.completed(cqe);
    }
  }

  private void r2t(ByteBuffer hdr) throws NvmeTcpProtocolException {
    int cccid = hdr.getShort(8) & 0xFFFF;
    int ttag = hdr.getShort(10) & 0xFFFF;
    long r2to = hdr.getInt(12) & 0xFFFF_FFFFL;
    long r2tl = hdr.getInt(16) & 0xFFFF_FFFFL;
    Command c = command(cccid);
    if (c == null || !c.write || c.data == null) {
      throw new NvmeTcpProtocolException(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD,
          8, "R2T for command " + cccid + ", which writes nothing");
    }
    long end = r2to + r2tl;
    if (r2tl == 0 || end > c.length) {
      throw new NvmeTcpProtocolException(
          NvmeTcpProtocolException.FES_DATA_TRANSFER_OUT_OF_RANGE, 12,
          "R2T R2TO " + r2to + " R2TL " + r2tl + " beyond the " + c.length
              + "-byte buffer of command " + cccid);
    }
    ByteBuf b = out();
    for (long off = r2to; off < end; ) {
      int n = (int) Math.min(maxH2CData, end - off);
      writer.h2cData(b, cccid, ttag, off, off + n == end, c.data, c.base + (int) off, n);
      off += n;
    }
  }

  /** The outstanding command {@code cid}, or null. */
  private Command command(int cid) {
    Command c = cid < commands.length ? commands[cid]
        : cid >= INTERNAL_CID_BASE ? internal.get(cid) : null;
    return c != null && c.outstanding ? c : null;
  }

  // ------------------------------------------------------------------ teardown

  private void terminate(NvmeTcpProtocolException e) {
    RLOG.warn("{}: queue {}: protocol error from the controller: {}", name, qid, e.getMessage());
    Channel c = ch;
    if (c != null && c.isActive() && !dead) {
      ByteBuf b = out();
      writer.termReq(b, true, e.wireFes(), e.fei(), decoder.headerInError());
      flush();
    }
    die("protocol error: " + e.getMessage());
  }

  /** The connection is gone: report it once (unless the host closed it). */
  void die(String reason) {
    if (dead) {
      return;
    }
    dead = true;
    ready.completeExceptionally(new PathFailureException(name + ": queue " + qid + ": "
        + reason));
    Channel c = ch;
    if (c != null) {
      c.close();
    }
    for (Integer cid : internal.keySet()) {
      Command k = internal.remove(cid);
      if (k != null) {
        k.internal.completeExceptionally(new PathFailureException(name + ": " + reason));
      }
    }
    if (!closing && connected) {
      handler.disconnected(reason);
    }
  }

  /** Host-initiated teardown: no report. */
  void shutdown() {
    closing = true;
    Channel c = ch;
    if (c != null) {
      c.close(); // channelInactive runs die on the loop
    } else {
      die("closed");
    }
  }
}
