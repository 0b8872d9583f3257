package dev.mpath.nvme.target;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor whose tasks run only when the test calls {@link #runAll()}. */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs tasks (and the tasks they submit) until none is left; returns how many ran. */
  int runAll() {
    int n = 0;
    while (true) {
      Runnable r;
      synchronized (this) {
        if (running) {
          throw new IllegalStateException("runAll re-entered");
        }
        r = tasks.poll();
        if (r == null) {
          return n;
        }
        running = true;
      }
      try {
        r.run();
      } finally {
        synchronized (this) {
          running = false;
        }
      }
      n++;
    }
  }

  synchronized int pending() {
    return tasks.size();
  }
}
