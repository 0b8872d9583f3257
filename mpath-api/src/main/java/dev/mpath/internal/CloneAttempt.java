package dev.mpath.internal;

import dev.mpath.IoRequest;
import java.nio.ByteBuffer;

/**
 * The attempt a clone-style provider ({@link dev.mpath.spi.FailoverStyle#CLONE}, SCSI) is
 * given in place of the head's request: a fresh request sharing the request's data but not
 * its buffer position, as dm-multipath clones a request per attempt. The request keeps its
 * clone, and the clone its view of the caller's buffer, from one attempt to the next (and
 * from one use of the request to the next), so that steady-state I/O allocates nothing.
 *
 * <p>Thread-safety: none needed; the clone is touched only by the thread that owns the
 * request's current attempt (see {@link RequestState}): an attempt is only made once the
 * one before it has completed, and a clone-style provider completes each attempt exactly
 * once and uses nothing of it after.
 */
final class CloneAttempt {
  private CloneAttempt() {}

  /** The clone of {@code r}, armed for its next attempt. */
  static IoRequest of(IoRequest r, RequestState st) {
    IoRequest c = st.clone;
    if (c == null) {
      c = new IoRequest();
      st.clone = c;
    }
    switch (r.op()) {
      case READ:
        c.read(r.lba(), viewOf(r.buffer(), st));
        break;
      case WRITE:
        c.write(r.lba(), viewOf(r.buffer(), st));
        break;
      case FLUSH:
        c.flush();
        break;
      case WRITE_ZEROES:
        c.writeZeroes(r.lba(), r.blocks());
        break;
      case DISCARD:
        c.discard(r.lba(), r.blocks());
        break;
      default:
        throw new AssertionError(r.op());
    }
    RequestState.setBlocks(c, r.blocks());
    c.locality(r.locality()).attachment(r.attachment());
    RequestState.of(c).parent = r;
    return c;
  }

  /** A view of {@code b} with its position and limit, reused while the caller reuses {@code b}. */
  private static ByteBuffer viewOf(ByteBuffer b, RequestState st) {
    ByteBuffer v = st.cloneView;
    if (v == null || st.cloneSource != b) {
      v = b.duplicate();
      st.cloneSource = b;
      st.cloneView = v;
      return v;
    }
    v.clear();
    v.limit(b.limit()).position(b.position());
    return v;
  }
}
