package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I_T nexus: an initiator port logged in through one target port, from {@link
 * ScsiTarget#login} until {@link #logout()}, a kill of its port, a new login of the same
 * nexus, or the target's close.
 *
 * <p>Thread-safe. Commands may be submitted from any thread; commands to one logical unit run
 * in submission order, and their answers reach the sink in that order. Answers are delivered
 * one at a time per session.
 */
public final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  private final ScsiTarget target;
  private final Faults faults;
  private final Nexus nexus;
  private final ResponseSink sink;
  private final Scheduler scheduler;
  private volatile boolean alive = true;

  // Guarded by this: answers held back by a delay or a hang, in order.
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long lastDue;
  private boolean pumpPending;

  /** Commands answered, for reuse (at most {@link #POOLED}). */
  private final ArrayDeque<Command> pool = new ArrayDeque<>();
  private static final int POOLED = 1024;
  private final boolean lendsBuffers;
  private final boolean runsInline;

  private record Held(long due, long tag, int lun, ScsiResponse response, Executor executor) {}

  Session(ScsiTarget target, Faults faults, Nexus nexus, ResponseSink sink, Scheduler scheduler) {
    this.target = target;
    this.faults = faults;
    this.nexus = nexus;
    this.sink = sink;
    this.scheduler = scheduler;
    this.lendsBuffers = sink.lendsBuffers();
    this.runsInline = sink.runsCommandsInline();
  }

  /** The I_T nexus. */
  public Nexus nexus() {
    return nexus;
  }

  /** Whether the session is still logged in. */
  public boolean isActive() {
    return alive;
  }

  /**
   * Executes one command asynchronously; the answer goes to the session's sink with the same
   * tag, on the logical unit's thread. Nothing is executed on the caller's stack, unless the
   * sink {@linkplain ResponseSink#runsCommandsInline allows it}.
   *
   * <p>{@code cdb} is copied before return (at most 260 bytes are kept). {@code data} is the
   * data-out buffer (WRITE, PERSISTENT RESERVE OUT, UNMAP, SET TARGET PORT GROUPS), read from
   * its position to its limit, or the data-in buffer, filled from its position; the caller's
   * position and limit never move (the buffer's content is shared until the answer arrives),
   * unless the sink {@linkplain ResponseSink#lendsBuffers lends its buffers}: then they may
   * move while the command runs and are back where they were when the answer is delivered.
   * Malformed commands are answered with CHECK CONDITION, never thrown. After the session
   * ended, commands are dropped without an answer.
   *
   * @param tag the caller's tag, echoed in the answer
   * @param lun the logical unit number (a LUN the target lacks answers as SPC-4 says)
   * @param cdb the CDB
   * @param data the data buffer, may be null for commands that move no data
   * @param dataLength the expected data transfer length (EDTL) in bytes
   */
  public void execute(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    if (!alive) {
      return;
    }
    Command c;
    synchronized (pool) {
      c = pool.pollLast();
    }
    if (c == null) {
      c = new Command(this);
    }
    faults.submit(c.set(tag, lun, cdb, data, dataLength, lendsBuffers));
  }

  /**
   * Ends the session (initiator logout): commands not yet answered get no answer, and the sink
   * is not told ({@link ResponseSink#disconnected} is for ends the initiator did not ask for).
   */
  public void logout() {
    end();
  }

  /**
   * ABORT TASK (SAM-5 7.2): the task {@code tag} of this nexus is aborted. One not yet
   * executed (held by a hung port) never executes; an answer not yet delivered (held by a
   * delay or a hang) is never sent. A task that is not found (done, or unknown) makes no
   * difference: the function completes either way, as SAM-5 says.
   *
   * @return true: FUNCTION COMPLETE; false: FUNCTION REJECTED (a fault injected on the port)
   */
  public boolean abortTask(long tag) {
    if (faults.rejectsTaskManagement()) {
      return false;
    }
    faults.unpark(this, c -> c.tag == tag);
    synchronized (this) {
      held.removeIf(h -> h.tag == tag);
    }
    return true;
  }

  /**
   * LOGICAL UNIT RESET (SAM-5 7.6) received through this nexus: every task of every nexus on
   * {@code lun} is aborted as {@link #abortTask} does (a held command never runs, a queued one
   * is dropped when its turn comes, an answer not yet delivered is never sent; with TAS 0 the
   * other nexuses get no status for theirs), and every nexus known to the logical unit,
   * this one included, gets the unit attention BUS DEVICE RESET FUNCTION OCCURRED (29h/03h).
   * Persistent reservations survive it. A LUN the target lacks has nothing to reset.
   *
   * @return true: FUNCTION COMPLETE; false: FUNCTION REJECTED (a fault injected on the port)
   */
  public boolean lunReset(int lun) {
    if (faults.rejectsTaskManagement()) {
      return false;
    }
    target.resetLun(lun);
    return true;
  }

  /**
   * ABORT TASK SET (SAM-5 7.3) received through this nexus: every task of this nexus on
   * {@code lun} is aborted as {@link #abortTask} does; other nexuses' tasks, the logical unit's
   * state and its unit attentions are untouched.
   *
   * @return true: FUNCTION COMPLETE; false: FUNCTION REJECTED (a fault injected on the port)
   */
  public boolean abortTaskSet(int lun) {
    if (faults.rejectsTaskManagement()) {
      return false;
    }
    abortTasksOf(lun);
    return true;
  }

  /**
   * A target reset received through this nexus (iSCSI TARGET WARM RESET, or TARGET COLD RESET
   * when {@code cold}): every logical unit is reset as {@link #lunReset} does, its SPC-2
   * reservation released, and every nexus gets BUS DEVICE RESET FUNCTION OCCURRED (29h/03h),
   * or POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h) for a cold reset, which RFC
   * 7143 11.5.1 treats as a power-on. Persistent reservations survive it.
   *
   * @return true: FUNCTION COMPLETE; false: FUNCTION REJECTED (a fault injected on the port)
   */
  public boolean targetReset(boolean cold) {
    if (faults.rejectsTaskManagement()) {
      return false;
    }
    target.resetAll(cold ? Asc.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED
        : Asc.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    return true;
  }

  /** Drops this nexus's held commands and undelivered answers for {@code lun} (a LUN reset). */
  void abortTasksOf(int lun) {
    faults.unpark(this, c -> c.lun == lun);
    synchronized (this) {
      held.removeIf(h -> h.lun == lun);
    }
  }

  @Override
  public String toString() {
    return "Session[" + nexus + (alive ? "" : ", ended") + "]";
  }

  // ------------------------------------------------------------------ device server side

  Faults faults() {
    return faults;
  }

  ScsiTarget target() {
    return target;
  }

  /** Whether the sink lets commands run on the submitter's stack. */
  boolean runsInline() {
    return runsInline;
  }

  /** Takes back a command whose answer was delivered (or that will never have one). */
  void recycle(Command c) {
    c.clear();
    synchronized (pool) {
      if (pool.size() < POOLED) {
        pool.addLast(c);
      }
    }
  }

  /** Ends the session and tells the sink; no-op when already ended. */
  void disconnect(String reason) {
    if (end()) {
      try {
        sink.disconnected(reason);
      } catch (RuntimeException e) {
        LOG.warn("response sink of {} failed on disconnect", nexus, e);
      }
    }
  }

  private boolean end() {
    synchronized (this) {
      if (!alive) {
        return false;
      }
      alive = false;
      held.clear();
    }
    faults.detach(this);
    target.forget(this);
    return true;
  }

  /**
   * Delivers an answer (called on the logical unit's executor {@code executor}): at once, or
   * held behind earlier held answers, a delay or a hang.
   */
  void deliver(Executor executor, long tag, int lun, ScsiResponse response) {
    synchronized (this) {
      if (!alive) {
        return;
      }
      long delay = faults.delayNanos();
      boolean hung = faults.isHung();
      if (delay == 0 && !hung && held.isEmpty()) {
        complete(tag, response);
        return;
      }
      long now = scheduler.nanoTime();
      long due = Math.max(now + delay, lastDue);
      lastDue = due;
      held.add(new Held(due, tag, lun, response, executor));
      if (!hung) {
        schedulePump(held.peek(), now);
      }
    }
  }

  /** After a hang ends: starts delivering held answers. */
  void kickDelayed() {
    synchronized (this) {
      Held head = held.peek();
      if (alive && head != null) {
        schedulePump(head, scheduler.nanoTime());
      }
    }
  }

  private void schedulePump(Held head, long now) {
    if (pumpPending) {
      return; // the pending pump is for the same head (answers leave in order)
    }
    pumpPending = true;
    Executor ex = head.executor;
    scheduler.schedule(() -> {
      try {
        ex.execute(this::drainHeld);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          pumpPending = false;
        }
        LOG.debug("logical unit gone; held answers of {} dropped", nexus);
      }
    }, Math.max(0, head.due - now), TimeUnit.NANOSECONDS);
  }

  private void drainHeld() {
    synchronized (this) {
      pumpPending = false;
      if (!alive || faults.isHung()) {
        return;
      }
      long now = scheduler.nanoTime();
      Held h;
      while ((h = held.peek()) != null && h.due <= now) {
        held.poll();
        complete(h.tag, h.response);
        if (!alive) {
          return;
        }
      }
      if (h != null) {
        schedulePump(h, now);
      }
    }
  }

  private void complete(long tag, ScsiResponse response) {
    try {
      sink.complete(tag, response);
    } catch (RuntimeException e) {
      LOG.warn("response sink of {} failed on tag {}", nexus, tag, e);
    }
  }
}
