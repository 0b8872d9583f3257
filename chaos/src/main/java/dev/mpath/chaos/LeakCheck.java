package dev.mpath.chaos;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Thread and file-descriptor leaks: runs a connect/close cycle many times and compares the
 * live threads and open descriptors before and after, once they settle (threads and sockets
 * may take a moment to end after a close). Descriptors are counted in {@code /proc/self/fd}
 * (Linux); elsewhere they read -1.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /** One cycle: connect something and close it again. */
  @FunctionalInterface
  public interface Cycle {
    void run() throws Exception;
  }

  /**
   * What changed.
   *
   * @param cycles cycles run
   * @param threadsBefore live threads before the first cycle
   * @param threadsAfter live threads after the last, settled
   * @param fdsBefore open descriptors before (-1: not countable here)
   * @param fdsAfter open descriptors after, settled
   * @param newThreads names of threads alive after that were not before
   */
  public record Report(int cycles, int threadsBefore, int threadsAfter, long fdsBefore,
      long fdsAfter, List<String> newThreads) {
    /** Whether nothing grew (within {@code slack} threads or descriptors). */
    public boolean clean(int slack) {
      return threadsAfter - threadsBefore <= slack
          && (fdsBefore < 0 || fdsAfter - fdsBefore <= slack);
    }

    public String summary() {
      return String.format("%d cycles: threads %d -> %d, fds %d -> %d%s", cycles, threadsBefore,
          threadsAfter, fdsBefore, fdsAfter, newThreads.isEmpty() ? "" : ", new " + newThreads);
    }
  }

  /**
   * Runs {@code cycle} {@code n} times, then waits up to {@code settle} for the counts to
   * come back to where they started.
   */
  public static Report run(int n, Duration settle, Cycle cycle) throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    long fdsBefore = fds();
    for (int i = 0; i < n; i++) {
      cycle.run();
    }
    long deadline = System.nanoTime() + settle.toNanos();
    Set<Thread> after;
    long fdsAfter;
    while (true) {
      after = new HashSet<>(Thread.getAllStackTraces().keySet());
      after.removeIf(t -> !t.isAlive());
      fdsAfter = fds();
      boolean settled = after.size() <= before.size() && (fdsBefore < 0 || fdsAfter <= fdsBefore);
      if (settled || System.nanoTime() > deadline) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    List<String> fresh = new ArrayList<>();
    for (Thread t : after) {
      if (!before.contains(t)) {
        fresh.add(t.getName());
      }
    }
    return new Report(n, before.size(), after.size(), fdsBefore, fdsAfter, fresh);
  }

  private static long fds() {
    String[] l = new File("/proc/self/fd").list();
    return l == null ? -1 : l.length;
  }
}
