package dev.mpath.alua;

import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/** Hand-driven scheduler: time moves only in {@link #advance(Duration)}; tasks run inline there. */
final class FakeScheduler implements Scheduler {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long now = 5_000_000_000L;
  private long seq;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    Task t = new Task(now + Math.max(0, unit.toNanos(delay)), seq++, task);
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  /** Moves time forward by {@code d}, running every task that falls due, in order. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Task t;
      synchronized (this) {
        t = tasks.peek();
        if (t == null || t.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, t.due);
      }
      if (!t.cancelled) {
        t.task.run();
      }
    }
  }

  void advanceSeconds(long s) {
    advance(Duration.ofSeconds(s));
  }

  /** Runs tasks already due (zero-delay tasks) without moving time. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Live (not cancelled) tasks. */
  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  private static final class Task {
    final long due;
    final long seq;
    final Runnable task;
    volatile boolean cancelled;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }
  }
}
