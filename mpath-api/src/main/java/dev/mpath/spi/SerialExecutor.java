package dev.mpath.spi;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared backing executor: the "single
 * thread" of one controller or logical unit, whatever the backing pool is, so that the
 * thread count follows the pool and not the number of devices.
 *
 * <p>Contract: a task never runs on the stack of {@link #execute} (unless the backing
 * executor itself runs tasks inline; {@link #tryRunInline} asks for that on purpose); a task
 * submitted from a running task runs after it; tasks run in batches of at most {@code batch}
 * before the backing thread is offered to other work, so one busy device does not starve
 * the others. A task that throws is logged and the next one runs. Lock-free on the submit
 * path; thread-safe.
 *
 * <p>Refusals: after {@link #shutdown()} every {@link #execute} throws
 * {@link RejectedExecutionException} (tasks queued before still run). When the backing
 * executor refuses to start a drain, the queued tasks are dropped and the executor made
 * with {@link #strict} rethrows the refusal, the one made with {@link #dropping} logs it at
 * debug level and returns (for work that is moot once the pool is gone, such as
 * notifications of a closing emulator). A refusal in the middle of a drain finishes the
 * queue on the draining thread instead.
 */
public final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor backing;
  private final String name;
  private final int batch;
  private final boolean dropWhenRefused;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile boolean shutdown;

  private SerialExecutor(Executor backing, String name, int batch, boolean dropWhenRefused) {
    this.backing = Objects.requireNonNull(backing, "backing");
    this.name = Objects.requireNonNull(name, "name");
    if (batch < 1) {
      throw new IllegalArgumentException("batch " + batch + " < 1");
    }
    this.batch = batch;
    this.dropWhenRefused = dropWhenRefused;
  }

  /** An executor whose {@link #execute} throws when the backing executor refuses. */
  public static SerialExecutor strict(Executor backing, String name, int batch) {
    return new SerialExecutor(backing, name, batch, false);
  }

  /** An executor that drops its queue (logged at debug) when the backing executor refuses. */
  public static SerialExecutor dropping(Executor backing, String name, int batch) {
    return new SerialExecutor(backing, name, batch, true);
  }

  /**
   * Queues {@code task}.
   *
   * @throws RejectedExecutionException after {@link #shutdown()}, or (from a {@link #strict}
   *     executor) when the backing executor refuses to start a drain
   */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (shutdown) {
      throw new RejectedExecutionException(name + ": executor shut down");
    }
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      try {
        backing.execute(drain);
      } catch (RejectedExecutionException e) {
        int dropped = tasks.size();
        tasks.clear();
        scheduled.set(false);
        if (!dropWhenRefused) {
          throw e;
        }
        LOG.debug("{}: executor refused work ({} tasks dropped)", name, dropped);
      }
    }
  }

  /**
   * Runs {@code task} on the caller's thread when nothing of this executor is queued or
   * running (then true: done, in order); else false, and the caller queues it with
   * {@link #execute}. Tasks queued meanwhile run after it, on the caller too (a batch).
   */
  public boolean tryRunInline(Runnable task) {
    if (shutdown || !tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
      return false;
    }
    try { // run it without queueing it: no queue node per task on the inline path
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.warn("{}: task failed", name, e);
    }
    drain();
    return true;
  }

  /** Refuses new tasks from now on; queued ones still run. */
  public void shutdown() {
    shutdown = true;
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
      if (++n >= batch && !tasks.isEmpty()) {
        try {
          backing.execute(drain); // still scheduled: let other work run first
          return;
        } catch (RejectedExecutionException e) {
          n = 0; // the backing executor is going away: finish the queue here
        }
      }
    }
  }
}
