package dev.mpath.internal;

import dev.mpath.IoRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for a usable path (Linux {@code head->requeue_list}). Each carries a
 * deadline in its {@link RequestState}; nothing waits forever. Lock-free; only used when
 * no path is usable, so the node allocation of the queue is off the steady-state path.
 */
final class RequeueList {
  private final ConcurrentLinkedQueue<IoRequest> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  void add(IoRequest r) {
    size.incrementAndGet();
    queue.add(r);
  }

  /** Removes up to the number queued now, oldest first. */
  List<IoRequest> takeAll() {
    int n = size.get();
    List<IoRequest> out = new ArrayList<>(n);
    IoRequest r;
    while (out.size() < n && (r = queue.poll()) != null) {
      size.decrementAndGet();
      out.add(r);
    }
    return out;
  }

  /** Removes the requests whose deadline is at or before {@code now}. */
  List<IoRequest> takeExpired(long now) {
    List<IoRequest> out = new ArrayList<>();
    for (Iterator<IoRequest> it = queue.iterator(); it.hasNext(); ) {
      IoRequest r = it.next();
      if (RequestState.of(r).queueDeadlineNanos - now <= 0 && queue.remove(r)) {
        size.decrementAndGet();
        out.add(r);
      }
    }
    return out;
  }

  /** The earliest deadline queued, or {@code fallback} when empty. */
  long earliestDeadline(long fallback) {
    long best = fallback;
    boolean any = false;
    for (IoRequest r : queue) {
      long d = RequestState.of(r).queueDeadlineNanos;
      if (!any || d - best < 0) {
        best = d;
        any = true;
      }
    }
    return best;
  }

  int size() {
    return Math.max(0, size.get());
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }
}
