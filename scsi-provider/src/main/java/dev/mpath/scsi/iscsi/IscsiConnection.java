package dev.mpath.scsi.iscsi;

import dev.mpath.wire.OutBatch;
import dev.mpath.wire.SubmitQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One iSCSI TCP connection on an event loop of the shared {@link dev.mpath.wire.IoEngine}:
 * received bytes are gathered and cut into PDUs by a {@link PduDecoder} (its caps and BAD
 * state apply), each handed to the {@link Receiver} on the loop; PDUs sent from any thread
 * are written in wire form into {@link #buffer()} and handed to the loop by {@link #flush()}
 * (one reused node on a lock-free {@link SubmitQueue}), which writes each batch with one
 * flush. Senders serialize themselves under the lock the connection was made with (the
 * session's send lock), which the loop takes briefly to take what was written, so PDUs
 * reach the wire in the order they were written, whichever thread sent them.
 */
@ChannelHandler.Sharable // only the one connection attempt that succeeds ever sees events
final class IscsiConnection extends ChannelInboundHandlerAdapter implements SubmitQueue.Drain {
  private static final int CHUNK_INITIAL = 1024;
  /** A peer that does not read what is left to send is cut off after this. */
  static final long CLOSE_GRACE_MILLIS = 2000;

  /** Where the connection's PDUs and its end go (on the event loop). */
  interface Receiver {
    /** The channel is up. */
    void active();

    /**
     * One PDU.
     *
     * @throws IOException to drop the connection (a protocol error): the reason reaches
     *     {@link #closed}
     */
    void pdu(Pdu p) throws IOException;

    /** The connection is gone (once). */
    void closed(String reason);
  }

  /** The one item a flush queues for the loop: "write what is pending". */
  private static final class FlushNode extends SubmitQueue.Node {}

  private final PduDecoder decoder;
  private final Receiver receiver;
  /** Guards {@link #pending} and {@link #queued}: the senders' lock, shared with the loop. */
  private final Object lock;
  private final FlushNode flushNode = new FlushNode();
  private volatile Channel ch;
  private volatile SubmitQueue submissions;
  private volatile boolean gone;
  private ByteBuf pending; // under lock: PDUs written and not handed to the channel yet
  private boolean queued; // under lock: flushNode is on its way to the loop
  private ByteBuf cumulation; // loop only
  private String closeReason; // loop only: why we closed it ourselves
  /** In a read batch: PDUs written meanwhile (answers, resubmissions) go out with one flush. */
  private boolean reading; // loop only
  private boolean flushDue; // loop only

  /**
   * A connection whose PDUs are written under {@code lock} (the session's send lock), which
   * the loop also takes, briefly, to take what was written.
   */
  IscsiConnection(PduDecoder decoder, Receiver receiver, Object lock) {
    this.decoder = decoder;
    this.receiver = receiver;
    this.lock = lock;
  }

  /** A connection whose only writer is its event loop. */
  IscsiConnection(PduDecoder decoder, Receiver receiver) {
    this(decoder, receiver, new Object());
  }

  /**
   * Where the next PDUs are written, in wire form (the caller holds the lock, or is the
   * loop of a connection without one); {@link #flush} hands them to the wire.
   */
  ByteBuf buffer() {
    ByteBuf b = pending;
    if (b == null) {
      b = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK_INITIAL);
      pending = b;
    }
    return b;
  }

  /**
   * Hands what was written to the loop, which writes it in order with one flush per batch
   * (the caller holds the lock, as for {@link #buffer}).
   *
   * @throws IOException once the connection is gone (what was written is dropped)
   */
  void flush() throws IOException {
    if (pending == null || queued) {
      return; // nothing, or the queued flush takes this too
    }
    SubmitQueue s = submissions;
    if (s == null || gone) {
      pending.release();
      pending = null;
      throw new IOException("connection closed");
    }
    queued = true;
    if (!s.add(flushNode)) {
      queued = false;
      pending.release();
      pending = null;
      throw new IOException("connection closed");
    }
  }

  /** Whether the caller runs on the connection's event loop. */
  boolean onLoop() {
    SubmitQueue s = submissions;
    return s != null && s.loop().inEventLoop();
  }

  /** The event loop (after {@link Receiver#active}); null before. */
  io.netty.channel.EventLoop loop() {
    SubmitQueue s = submissions;
    return s == null ? null : s.loop();
  }

  /**
   * Closes the connection (any thread) once what was flushed before has been written, within
   * {@link #CLOSE_GRACE_MILLIS}; {@link Receiver#closed} follows on the loop.
   */
  void close(String reason) {
    end(reason, true);
  }

  /** Drops the connection at once (any thread): nothing more is written. */
  void abort(String reason) {
    end(reason, false);
  }

  private void end(String reason, boolean afterFlush) {
    Channel c = ch;
    if (c == null) {
      gone = true;
      return;
    }
    Runnable r = () -> {
      if (closeReason == null) {
        closeReason = reason;
      }
      if (afterFlush) {
        OutBatch.closeAfterFlush(c, null, CLOSE_GRACE_MILLIS);
      } else {
        gone = true;
        c.close();
      }
    };
    if (c.eventLoop().inEventLoop()) {
      r.run();
    } else {
      c.eventLoop().execute(r);
    }
  }

  /** Whether the connection is closed or being dropped. */
  boolean isGone() {
    return gone;
  }

  /** Bytes handed to the channel and not written to the socket yet (loop only). */
  long unwrittenBytes() {
    Channel c = ch;
    io.netty.channel.ChannelOutboundBuffer b = c == null ? null : c.unsafe().outboundBuffer();
    return b == null ? 0 : b.totalPendingWriteBytes();
  }

  // ------------------------------------------------------------------ the loop's side

  @Override
  public void drain(SubmitQueue.Node item) {
    ByteBuf b;
    synchronized (lock) {
      b = pending;
      pending = null;
      queued = false;
    }
    if (b == null) {
      return;
    }
    Channel c = ch;
    if (gone || c == null) {
      b.release();
      return;
    }
    c.write(b, c.voidPromise());
  }

  @Override
  public void batchDone() {
    if (reading) {
      flushDue = true; // channelReadComplete flushes what the whole read batch wrote
      return;
    }
    Channel c = ch;
    if (c != null && !gone) {
      c.flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    reading = false;
    if (flushDue) {
      flushDue = false;
      Channel c = ch;
      if (c != null && !gone) {
        c.flush();
      }
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel c = ctx.channel();
    ch = c;
    submissions = new SubmitQueue(c.eventLoop(), this);
    if (gone) {
      c.close();
      return;
    }
    receiver.active();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    reading = true;
    if (ctx.channel() != ch || gone) {
      in.release();
      return;
    }
    ByteBuf cum = cumulation;
    if (cum == null) {
      cum = in; // ours now: received buffers are writable
    } else {
      cum.ensureWritable(in.readableBytes());
      cum.writeBytes(in);
      in.release();
    }
    cumulation = cum;
    try {
      while (cum.isReadable() && !gone) {
        // the buffer's own reused view: no allocation per PDU
        ByteBuffer view = cum.internalNioBuffer(cum.readerIndex(), cum.readableBytes());
        int start = view.position();
        Pdu p = decoder.decode(view);
        if (p == null) {
          break;
        }
        cum.skipBytes(view.position() - start);
        receiver.pdu(p);
      }
    } catch (IOException | RuntimeException e) {
      if (closeReason == null) {
        closeReason = e instanceof IscsiProtocolException
            ? "protocol error: " + e.getMessage()
            : e.getMessage() == null ? e.toString() : e.getMessage();
      }
      ctx.close();
    } finally {
      if (cumulation != null && !cumulation.isReadable()) {
        cumulation.release();
        cumulation = null;
      } else if (cumulation != null) {
        cumulation.discardSomeReadBytes();
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ctx.channel() != ch) {
      return;
    }
    if (closeReason == null) {
      closeReason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (ctx.channel() != ch) {
      return;
    }
    gone = true;
    if (cumulation != null) {
      boolean partial = cumulation.isReadable();
      cumulation.release();
      cumulation = null;
      if (partial && closeReason == null) {
        closeReason = "connection closed in the middle of a PDU";
      }
    }
    receiver.closed(closeReason != null ? closeReason : "connection closed by the peer");
  }
}
