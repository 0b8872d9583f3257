package dev.mpath.alua;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on whichever thread drains the queue (the
 * submitter, unless another thread is already draining). A task submitted from inside a task
 * runs after it, never nested. Lock-free; tasks must not block.
 */
final class SerialRunner implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialRunner.class);

  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /** Queues {@code task} and drains. */
  @Override
  public void execute(Runnable task) {
    enqueue(task);
    drain();
  }

  /** Queues {@code task} without running anything (safe under a caller's lock). */
  void enqueue(Runnable task) {
    queue.add(task);
  }

  /** Runs queued tasks until the queue is empty or another thread is draining it. */
  void drain() {
    while (!queue.isEmpty()) {
      if (!draining.compareAndSet(false, true)) {
        return; // the draining thread re-checks the queue after releasing the flag
      }
      try {
        Runnable task;
        while ((task = queue.poll()) != null) {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.error("ALUA task failed", e);
          }
        }
      } finally {
        draining.set(false);
      }
    }
  }
}
