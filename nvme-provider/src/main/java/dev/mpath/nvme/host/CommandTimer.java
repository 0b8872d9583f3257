package dev.mpath.nvme.host;

import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Command timeouts of one association, after Linux's NVMe timeout handling: an I/O command
 * outstanding past its timeout gets an Abort; if the controller does not abort it (Dword 0
 * bit 0 set, the Abort fails, or the aborted command's completion does not follow within
 * the abort wait), the controller is reset, which fails every outstanding command over.
 * An admin command past its timeout resets the controller at once. Asynchronous Event
 * Requests have no deadline.
 *
 * <p>A periodic sweep over the command tables (admin and each I/O queue) on the shared scheduler: no thread or
 * timer per command, and nothing allocated until a command is overdue. A command's timeout
 * is decided against the slot's arm generation, so it never touches a later command that
 * reuses the CID; the CID of an aborted command is not reused before its completion or the
 * reset, so a late completion can never complete another command.
 */
final class CommandTimer {
  private static final RateLimitedLog RLOG = new RateLimitedLog(CommandTimer.class, 1000);

  /** What the timer acts on. */
  interface Queues {
    CommandTable adminTable();

    /** I/O queues now (0 before they are connected). */
    int ioQueueCount();

    /** The command table of the {@code index}-th I/O queue (qid index + 1). */
    CommandTable ioTable(int index);

    /** Sends Abort for {@code cid} of the {@code index}-th I/O queue; true when aborted. */
    CompletableFuture<Boolean> abort(int index, int cid);

    /** Resets the controller (error recovery). */
    void reset(String reason);

    boolean closed();
  }

  private final String name;
  private final Scheduler scheduler;
  private final Queues queues;
  private final long ioTimeoutNanos;
  private final long adminTimeoutNanos;
  private final long abortWaitNanos;
  private final long periodNanos;

  CommandTimer(String name, Scheduler scheduler, Queues queues, Duration io, Duration admin) {
    this.name = name;
    this.scheduler = scheduler;
    this.queues = queues;
    this.ioTimeoutNanos = io.toNanos();
    this.adminTimeoutNanos = admin.toNanos();
    // the Abort and the aborted command's completion are one round trip: a tenth of the
    // I/O timeout, between 10 ms and 5 s, is plenty and keeps the worst case near the timeout
    this.abortWaitNanos = clamp(ioTimeoutNanos / 10, TimeUnit.MILLISECONDS.toNanos(10),
        TimeUnit.SECONDS.toNanos(5));
    this.periodNanos = clamp(Math.min(ioTimeoutNanos, adminTimeoutNanos) / 20,
        TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /** Deadline of an I/O command issued now. */
  long ioDeadline() {
    return scheduler.nanoTime() + ioTimeoutNanos | 1;
  }

  /** Deadline of an admin command issued now. */
  long adminDeadline() {
    return scheduler.nanoTime() + adminTimeoutNanos | 1;
  }

  /** Starts the sweep; it ends by itself once the association is closed. */
  void start() {
    scheduler.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
  }

  private void sweep() {
    if (queues.closed()) {
      return;
    }
    long now = scheduler.nanoTime();
    if (sweepAdmin(now) && sweepIo(now)) {
      scheduler.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** False when it reset the controller. */
  private boolean sweepAdmin(long now) {
    CommandTable t = queues.adminTable();
    for (int cid = 0; cid < t.size(); cid++) {
      CommandTable.Slot s = t.slot(cid);
      long d = s.deadline;
      if (d != 0 && now - d > 0 && s.outstanding() >= 0 && s.deadline == d) {
        queues.reset(String.format("admin command %02Xh (cid %d) not completed within %d ms",
            s.sqe.opcode(), cid, TimeUnit.NANOSECONDS.toMillis(adminTimeoutNanos)));
        return false;
      }
    }
    return true;
  }

  /** False when it reset the controller. */
  private boolean sweepIo(long now) {
    int n = queues.ioQueueCount();
    for (int i = 0; i < n; i++) {
      if (!sweepIo(now, i)) {
        return false;
      }
    }
    return true;
  }

  /** False when it reset the controller. */
  private boolean sweepIo(long now, int index) {
    CommandTable t = queues.ioTable(index);
    for (int cid = 0; cid < t.size(); cid++) {
      CommandTable.Slot s = t.slot(cid);
      long d = s.deadline;
      if (d == 0 || now - d <= 0) {
        continue;
      }
      int gen = s.outstanding();
      if (gen < 0 || s.deadline != d) {
        continue; // completed meanwhile
      }
      if (s.aborting) {
        queues.reset("I/O command cid " + cid + " of queue " + (index + 1) + " still outstanding "
            + TimeUnit.NANOSECONDS.toMillis(abortWaitNanos) + " ms after its Abort");
        return false;
      }
      if (!s.markAborting(gen, now + abortWaitNanos | 1)) {
        continue;
      }
      RLOG.warn("{}: I/O command cid {} of queue {} timed out after {} ms; aborting it", name,
          cid, index + 1, TimeUnit.NANOSECONDS.toMillis(ioTimeoutNanos));
      int c = cid;
      queues.abort(index, cid).whenComplete((aborted, e) -> {
        if ((e != null || !aborted) && s.outstanding() == gen) {
          queues.reset("I/O command cid " + c + " timed out and the controller did not abort it"
              + (e != null ? " (" + HostController.cause(e).getMessage() + ")" : ""));
        }
      });
    }
    return true;
  }
}
