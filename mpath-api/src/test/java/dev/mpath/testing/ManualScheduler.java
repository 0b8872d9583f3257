package dev.mpath.testing;

import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} whose clock only moves when a test says so. Delayed tasks run from
 * {@link #advance(Duration)} (in deadline order, on the caller's thread); tasks due now run
 * from {@link #runDue()}, or at once on {@code immediate} when one is given (for
 * multi-threaded tests that must not pump).
 */
public final class ManualScheduler implements Scheduler {
  private final Executor immediate;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now = 1_000_000_000L;
  private long seq;

  private static final class Task implements Comparable<Task> {
    final long due;
    final long seq;
    final Runnable run;
    volatile boolean cancelled;

    Task(long due, long seq, Runnable run) {
      this.due = due;
      this.seq = seq;
      this.run = run;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** Every task waits for {@link #runDue()} or {@link #advance}. */
  public ManualScheduler() {
    this(null);
  }

  /** Tasks with no delay go straight to {@code immediate}. */
  public ManualScheduler(Executor immediate) {
    this.immediate = immediate;
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    long nanos = unit.toNanos(delay);
    if (nanos <= 0 && immediate != null) {
      immediate.execute(task);
      return () -> {};
    }
    Task t;
    synchronized (this) {
      t = new Task(now + Math.max(0, nanos), seq++, task);
      tasks.add(t);
    }
    return () -> t.cancelled = true;
  }

  /** Runs every task due now, including ones those tasks schedule for now. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward, running due tasks in order at their due times. */
  public void advance(Duration d) {
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
        t.run.run();
      }
    }
  }

  /** Tasks waiting (cancelled ones included until their time passes). */
  public synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }
}
