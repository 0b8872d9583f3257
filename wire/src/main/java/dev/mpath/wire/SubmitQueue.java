package dev.mpath.wire;

import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Work handed to one connection's event loop from any thread, without a lock and without
 * allocating: an intrusive lock-free list of {@link Node}s (the items themselves carry the
 * link, as the Linux kernel's {@code llist} that nvme-tcp queues requests on). The first
 * item of a batch wakes the loop once; the loop takes the whole batch, in submission order,
 * and then flushes once.
 *
 * <p>An item must not be added again before the loop has {@linkplain Drain#drain taken} it.
 * Added on the loop itself, an item is drained at once (unless a drain is running, which then
 * takes it too).
 */
public final class SubmitQueue {

  /** What can be queued: the item carries its own link. */
  public abstract static class Node {
    private volatile Node next;
  }

  /** Takes the queued items on the event loop. */
  public interface Drain {
    /** One item, in submission order. */
    void drain(Node item);

    /** After a batch (flush here). */
    void batchDone();
  }

  private static final AtomicReferenceFieldUpdater<Node, Node> NEXT =
      AtomicReferenceFieldUpdater.newUpdater(Node.class, Node.class, "next");

  private final EventLoop loop;
  private final Drain drain;
  private final AtomicReference<Node> head = new AtomicReference<>();
  private final Runnable task = this::run;
  private boolean draining; // loop only

  public SubmitQueue(EventLoop loop, Drain drain) {
    this.loop = loop;
    this.drain = drain;
  }

  /** The loop the items are drained on. */
  public EventLoop loop() {
    return loop;
  }

  /**
   * Queues {@code item} (any thread).
   *
   * @return false when the event loop is shut down (the item was not queued)
   */
  public boolean add(Node item) {
    Node prev;
    do {
      prev = head.get();
      NEXT.lazySet(item, prev);
    } while (!head.compareAndSet(prev, item));
    if (prev != null) {
      return true; // a drain is already due
    }
    if (loop.inEventLoop()) {
      if (!draining) {
        run();
      }
      return true;
    }
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      head.compareAndSet(item, null);
      return false;
    }
  }

  private void run() {
    draining = true;
    try {
      Node batch;
      while ((batch = head.getAndSet(null)) != null) {
        // the list is newest first: reverse it
        Node ordered = null;
        while (batch != null) {
          Node next = batch.next;
          NEXT.lazySet(batch, ordered);
          ordered = batch;
          batch = next;
        }
        while (ordered != null) {
          Node next = ordered.next;
          NEXT.lazySet(ordered, null);
          drain.drain(ordered);
          ordered = next;
        }
      }
      drain.batchDone();
    } finally {
      draining = false;
    }
  }
}
