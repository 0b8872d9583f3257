package dev.mpath.internal;

import dev.mpath.IoRequest;

/**
 * Head-private bookkeeping carried by every {@link IoRequest} (the JVM counterpart of the
 * fields Linux keeps in a request for multipath: the path it went to, its start time,
 * retry count). Reached with {@link #of(IoRequest)}; never visible to applications.
 *
 * <p>Only the thread that owns the request's current attempt touches these fields; the
 * hand-offs between submitter, provider and completion threads are made through the
 * provider's queues, which give the needed happens-before edges.
 */
public final class RequestState {

  /** How the head reaches the private parts of an {@link IoRequest}. */
  public interface Access {
    RequestState state(IoRequest request);

    void blocks(IoRequest request, int blocks);

    void error(IoRequest request, Throwable error);
  }

  private static volatile Access access;

  /** Called once by {@link IoRequest}'s static initialiser. */
  public static void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("already installed");
    }
    access = a;
  }

  static Access access() {
    Access a = access;
    if (a == null) {
      // Loading IoRequest runs its static initialiser, which installs the accessor.
      try {
        Class.forName(IoRequest.class.getName(), true, IoRequest.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return a;
  }

  /** The state of {@code request}. */
  public static RequestState of(IoRequest request) {
    return access().state(request);
  }

  static void setBlocks(IoRequest request, int blocks) {
    access().blocks(request, blocks);
  }

  static void setError(IoRequest request, Throwable error) {
    access().error(request, error);
  }

  /** The head that accepted the request; set on submit. */
  Head head;
  /** The path the current attempt went to, or null while queued. */
  PathNode path;
  /** For a clone (SCSI), the head request it stands for; null otherwise. */
  IoRequest parent;
  /** For a head request of a clone-style path: its clone, reused by each attempt. */
  IoRequest clone;
  /** The caller's buffer {@link #cloneView} is a view of. */
  java.nio.ByteBuffer cloneSource;
  /** The clone's view of the caller's buffer (own position and limit). */
  java.nio.ByteBuffer cloneView;
  /** When the current attempt was handed to its path (service-time policy). */
  long attemptStartNanos;
  /** Same-path retries consumed. */
  int retries;
  /** Times this request was moved to another path. */
  int failovers;
  /** Paths whose same-path retries this request used up (each then hands it to another). */
  int exhausted;
  /** While parked on the requeue list: when it gives up. */
  long queueDeadlineNanos;
  /** Set while the request is owned by the head (submitted and not yet completed). */
  boolean inFlight;
}
