package dev.mpath.scsi.target;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a backing executor: a logical unit's
 * "single thread" whatever the backing executor is. The backing executor must not run tasks
 * on the caller's stack.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  /** Tasks run per hop before the backing thread is offered to other work. */
  private static final int BATCH = 256;

  private final Executor backing;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean scheduled;
  private boolean shutdown;

  SerialExecutor(Executor backing) {
    this.backing = backing;
  }

  /**
   * Queues a task.
   *
   * @throws RejectedExecutionException after {@link #shutdown()}, or when the backing executor
   *     refuses to start a drain
   */
  @Override
  public void execute(Runnable task) {
    synchronized (queue) {
      if (shutdown) {
        throw new RejectedExecutionException("logical unit executor shut down");
      }
      queue.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      backing.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (queue) {
        queue.clear(); // not scheduled before: this task was the only one
        scheduled = false;
      }
      throw e;
    }
  }

  /** Refuses new tasks; queued ones still run. */
  void shutdown() {
    synchronized (queue) {
      shutdown = true;
    }
  }

  private void drain() {
    while (true) {
      for (int i = 0; i < BATCH; i++) {
        Runnable task;
        synchronized (queue) {
          task = queue.poll();
          if (task == null) {
            scheduled = false;
            return;
          }
        }
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.error("logical unit task failed", e);
        }
      }
      try {
        backing.execute(this::drain); // still scheduled: let other work run first
        return;
      } catch (RejectedExecutionException e) {
        // backing executor shutting down: finish the queue on this thread
      }
    }
  }
}
