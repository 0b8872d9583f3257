package dev.mpath.nvme.target;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per controller.
 * A task never runs on the stack of {@link #execute} (unless the shared executor itself runs
 * tasks inline; {@link #tryRunInline} asks for that); a task submitted from a running task
 * runs after it. Batches of at most
 * {@link #BATCH} tasks keep one busy controller from starving the others.
 */
final class SerialExecutor implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  static final int BATCH = 64;

  private final Executor base;
  private final String name;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;

  SerialExecutor(Executor base, String name) {
    this.base = base;
    this.name = name;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      submitDrain();
    }
  }

  /**
   * Runs {@code task} on the caller's thread when nothing of this executor is queued or
   * running (then true: done, in order); else false, and the caller queues it with
   * {@link #execute}. Tasks queued meanwhile run after it, on the caller too (a batch).
   */
  boolean tryRunInline(Runnable task) {
    if (!tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
      return false;
    }
    tasks.add(task);
    drain();
    return true;
  }

  private void submitDrain() {
    try {
      base.execute(drain);
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      LOG.debug("{}: executor refused work ({} tasks dropped)", name, tasks.size());
      tasks.clear();
    }
  }

  private void drain() {
    int n = 0;
    while (true) {
      Runnable r = tasks.poll();
      if (r == null) {
        scheduled.set(false);
        if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      try {
        r.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: task failed", name, e);
      }
      if (++n >= BATCH && !tasks.isEmpty()) {
        submitDrain();
        return;
      }
    }
  }
}
