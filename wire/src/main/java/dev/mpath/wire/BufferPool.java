package dev.mpath.wire;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Data buffers of one connection, reused: power-of-two size classes from 512 bytes up to the
 * largest transfer, each keeping at most 8 MiB (and at least 4 buffers) for the next
 * command, so a steady load allocates nothing. A buffer handed out has position 0 and limit
 * the length asked for; its contents are whatever the last user left (every user writes all
 * of it before it is read: received data, or a read that fills its whole range).
 *
 * <p>Not thread-safe: the connection's event loop owns it. Used by the NVMe/TCP and iSCSI
 * targets' connections.
 */
public final class BufferPool {
  private static final int MIN_SHIFT = 9;
  private static final long KEEP_BYTES = 8L << 20;

  private final ArrayDeque<ByteBuffer>[] classes;
  private final int[] keep;

  @SuppressWarnings("unchecked")
  public BufferPool(int maxLength) {
    int n = shift(Math.max(maxLength, 1 << MIN_SHIFT)) - MIN_SHIFT + 1;
    classes = new ArrayDeque[n];
    keep = new int[n];
    for (int i = 0; i < n; i++) {
      keep[i] = (int) Math.max(4, KEEP_BYTES >>> (i + MIN_SHIFT));
      classes[i] = new ArrayDeque<>(Math.min(keep[i], 64));
    }
  }

  /** log2 of the smallest power of two at least {@code len}. */
  private static int shift(int len) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(len, 1) - 1);
  }

  /** A buffer of {@code length} bytes (position 0, limit {@code length}). */
  public ByteBuffer take(int length) {
    int s = Math.max(MIN_SHIFT, shift(length));
    int i = s - MIN_SHIFT;
    ByteBuffer b = i < classes.length ? classes[i].poll() : null;
    if (b == null) {
      b = ByteBuffer.allocate(1 << s);
    }
    b.clear().limit(length);
    return b;
  }

  /** Takes a buffer back (one of {@link #take}'s; others are left to the collector). */
  public void give(ByteBuffer b) {
    int cap = b.capacity();
    if (Integer.bitCount(cap) != 1 || cap < (1 << MIN_SHIFT)) {
      return;
    }
    int i = Integer.numberOfTrailingZeros(cap) - MIN_SHIFT;
    if (i < classes.length && classes[i].size() < keep[i]) {
      classes[i].push(b);
    }
  }
}
