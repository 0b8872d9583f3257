package dev.mpath.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.TimeUnit;

/**
 * The bytes a connection's event loop sends in one write: PDUs are appended as they are
 * built (a batch of submissions, the answers to one read) and flushed once. The buffer is a
 * pooled direct one from the channel's allocator, so building and sending allocate nothing.
 *
 * <p>Not thread-safe: the connection's event loop owns it.
 */
public final class OutBatch {
  private final int initialCapacity;
  private Channel channel;
  private ByteBuf buf;

  /** @param initialCapacity bytes a new buffer starts with (it grows to the batch) */
  public OutBatch(int initialCapacity) {
    this.initialCapacity = initialCapacity;
  }

  /** The channel the batch goes to (once it is active). */
  public void channel(Channel c) {
    this.channel = c;
  }

  /** The buffer to append to (a new one when nothing is pending). */
  public ByteBuf buf() {
    ByteBuf b = buf;
    if (b == null) {
      b = buf = channel.alloc().ioBuffer(initialCapacity);
    }
    return b;
  }

  /** Writes and flushes what is pending, if anything (no promise: errors reach the pipeline). */
  public void flush() {
    ByteBuf b = buf;
    if (b == null) {
      return;
    }
    buf = null;
    channel.writeAndFlush(b, channel.voidPromise());
  }

  /** Hands what is pending to the caller (null when nothing is), who must write or release it. */
  public ByteBuf take() {
    ByteBuf b = buf;
    buf = null;
    return b;
  }

  /**
   * Closes the channel once {@code last} (may be null) and everything written before it have
   * gone out, and at the latest after {@code graceMillis}, so a peer that does not read
   * cannot keep the socket (on the channel's event loop).
   */
  public static void closeAfterFlush(Channel c, ByteBuf last, long graceMillis) {
    if (!c.isActive()) {
      if (last != null) {
        last.release();
      }
      c.close();
      return;
    }
    c.writeAndFlush(last != null ? last : Unpooled.EMPTY_BUFFER)
        .addListener(ChannelFutureListener.CLOSE);
    c.eventLoop().schedule(() -> c.close(), graceMillis, TimeUnit.MILLISECONDS);
  }

  /** Sends what is pending and then closes the channel (see {@link #closeAfterFlush}). */
  public void flushAndClose(long graceMillis) {
    closeAfterFlush(channel, take(), graceMillis);
  }

  /** Drops what is pending (the connection is gone). */
  public void discard() {
    ByteBuf b = take();
    if (b != null) {
      b.release();
    }
  }
}
