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
  /** Buffers were written (by {@link #append}) but not flushed. */
  private boolean unflushed;

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

  /**
   * Appends {@code data} without copying it: what is pending is written first, then
   * {@code data}, whose ownership passes to the channel (released once sent or failed);
   * both go out with the next {@link #flush}. For large payloads (read data), where a copy
   * into the batch would cost more than a second buffer in the socket write.
   */
  public void append(ByteBuf data) {
    ByteBuf b = buf;
    if (b != null) {
      buf = null;
      channel.write(b, channel.voidPromise());
    }
    channel.write(data, channel.voidPromise());
    unflushed = true;
  }

  /** Writes and flushes what is pending, if anything (no promise: errors reach the pipeline). */
  public void flush() {
    ByteBuf b = buf;
    boolean appended = unflushed;
    unflushed = false;
    if (b == null) {
      if (appended) {
        channel.flush();
      }
      return;
    }
    buf = null;
    channel.writeAndFlush(b, channel.voidPromise());
  }

  /** Hands what is pending to the caller (null when nothing is), who must write or release it. */
  public ByteBuf take() {
    ByteBuf b = buf;
    buf = null;
    unflushed = false; // appended buffers went to the channel, and go with its next flush
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
