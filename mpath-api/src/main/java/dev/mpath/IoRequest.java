package dev.mpath;

import dev.mpath.internal.RequestState;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable block I/O request for the allocation-free {@link MultipathDevice#submit}
 * form.
 *
 * <p>Allocate one per outstanding I/O slot, set its operation with one of the
 * {@code read/write/flush/writeZeroes/discard} methods and a {@link #completion}, submit,
 * and reuse it once {@link IoCompletion#onComplete} has been called. Nothing is allocated
 * per submission in the steady state for redirect-style providers (NVMe).
 *
 * <p>Buffers: the request transfers the bytes between the buffer's position and limit;
 * their count must be a multiple of the device's block size. Neither the head nor a
 * provider moves the caller's position or limit. While a request is in flight, the caller
 * must not touch it or its buffer.
 *
 * <p>Not thread-safe: one request is owned by one submitter at a time. Completion
 * happens-before the callback, so results written into the buffer are visible there.
 */
public final class IoRequest {

  static {
    RequestState.install(
        new RequestState.Access() {
          @Override
          public RequestState state(IoRequest r) {
            return r.state;
          }

          @Override
          public void blocks(IoRequest r, int blocks) {
            r.blocks = blocks;
          }

          @Override
          public void error(IoRequest r, Throwable error) {
            r.error = error;
          }
        });
  }

  private IoOp op;
  private long lba;
  private int blocks;
  private ByteBuffer buffer;
  private IoCompletion completion;
  private Object attachment;
  private int locality;
  private Throwable error;

  // Head-private bookkeeping; reached through RequestState.of(request).
  private final RequestState state = new RequestState();

  /** A request with no operation set yet. */
  public IoRequest() {}

  /** Sets this request to read {@code dst.remaining()} bytes starting at block {@code lba}. */
  public IoRequest read(long lba, ByteBuffer dst) {
    return set(IoOp.READ, lba, 0, Objects.requireNonNull(dst, "dst"));
  }

  /** Sets this request to write {@code src.remaining()} bytes starting at block {@code lba}. */
  public IoRequest write(long lba, ByteBuffer src) {
    return set(IoOp.WRITE, lba, 0, Objects.requireNonNull(src, "src"));
  }

  /** Sets this request to flush the device's volatile write cache. */
  public IoRequest flush() {
    return set(IoOp.FLUSH, 0, 0, null);
  }

  /** Sets this request to zero {@code blocks} blocks starting at {@code lba}. */
  public IoRequest writeZeroes(long lba, int blocks) {
    return set(IoOp.WRITE_ZEROES, lba, requirePositive(blocks), null);
  }

  /** Sets this request to deallocate {@code blocks} blocks starting at {@code lba}. */
  public IoRequest discard(long lba, int blocks) {
    return set(IoOp.DISCARD, lba, requirePositive(blocks), null);
  }

  /** Sets the callback run when the request completes. */
  public IoRequest completion(IoCompletion completion) {
    this.completion = completion;
    return this;
  }

  /** Attaches an arbitrary caller object (for example the caller's context). */
  public IoRequest attachment(Object attachment) {
    this.attachment = attachment;
    return this;
  }

  /**
   * Sets the submitter's locality (the JVM's stand-in for a NUMA node) used by the
   * {@code numa} policy; 0 by default.
   */
  public IoRequest locality(int locality) {
    if (locality < 0) {
      throw new IllegalArgumentException("locality must be >= 0: " + locality);
    }
    this.locality = locality;
    return this;
  }

  private IoRequest set(IoOp op, long lba, int blocks, ByteBuffer buffer) {
    if (lba < 0) {
      throw new IllegalArgumentException("lba must be >= 0: " + lba);
    }
    this.op = op;
    this.lba = lba;
    this.blocks = blocks;
    this.buffer = buffer;
    return this;
  }

  private static int requirePositive(int blocks) {
    if (blocks <= 0) {
      throw new IllegalArgumentException("blocks must be > 0: " + blocks);
    }
    return blocks;
  }

  /** The operation, or {@code null} if none was set. */
  public IoOp op() {
    return op;
  }

  /** First logical block. */
  public long lba() {
    return lba;
  }

  /**
   * Number of logical blocks. For reads and writes it is known once the head has
   * accepted the request (the buffer size divided by the block size).
   */
  public int blocks() {
    return blocks;
  }

  /** The data buffer for reads and writes, {@code null} otherwise. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** The completion callback. */
  public IoCompletion completion() {
    return completion;
  }

  /** The caller's attachment. */
  public Object attachment() {
    return attachment;
  }

  /** The submitter's locality. */
  public int locality() {
    return locality;
  }

  /**
   * The outcome: {@code null} on success, otherwise an {@link MpathException} subtype
   * ({@link NoPathException}, {@link TargetErrorException},
   * {@link ReservationConflictException}) or the provider's I/O exception.
   */
  public Throwable error() {
    return error;
  }

  @Override
  public String toString() {
    return "IoRequest[" + op + " lba=" + lba + " blocks=" + blocks + "]";
  }
}
