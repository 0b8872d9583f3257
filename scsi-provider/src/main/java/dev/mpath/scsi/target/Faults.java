package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Fault injection for one target port (every I_T nexus through it).
 *
 * <ul>
 *   <li>{@link #kill()}: every session on the port is disconnected ({@link
 *       ResponseSink#disconnected}), outstanding commands get no response, new logins are
 *       refused until {@link #revive()}.</li>
 *   <li>{@link #hang(boolean) hang(true)}: commands are accepted but neither executed nor
 *       answered, and answers of commands already executing are held back; {@code hang(false)}
 *       releases everything in order (held answers first, then held commands run). A kill
 *       while hung drops it all.</li>
 *   <li>{@link #delay(Duration)}: each answer is held for the delay after the command ran
 *       (scheduler time); answers of one session stay in order.</li>
 *   <li>{@link #failNext}: the next {@code n} commands through the port, whatever they are, are
 *       not executed and answer with the given status and sense.</li>
 *   <li>{@link #partialNext}: the next {@code n} READ/WRITE commands that move data move only
 *       {@code percent}% of it (rounded down to whole blocks; a write changes only those
 *       blocks), then end in CHECK CONDITION (ABORTED COMMAND, 47h/00h SCSI PARITY ERROR) or in
 *       GOOD with the rest as underflow residual.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class Faults {
  private final ScsiTarget target;
  private final int port;

  // Guarded by this.
  private boolean killed;
  private boolean hung;
  private volatile boolean rejectTmf;
  private long delayNanos;
  private int failCount;
  private int failStatus;
  private byte[] failSense;
  private int partialCount;
  private int partialPercent;
  private boolean partialCheck;
  private final Set<Session> sessions = new LinkedHashSet<>();
  private final List<Command> parked = new ArrayList<>();

  /** A partial transfer to inject. */
  record Partial(int percent, boolean checkCondition) {}

  Faults(ScsiTarget target, int port) {
    this.target = target;
    this.port = port;
  }

  /** The relative target port identifier these faults apply to. */
  public int relativeTargetPort() {
    return port;
  }

  /**
   * Kills the port: disconnects every session on it (their sinks get {@link
   * ResponseSink#disconnected} on this thread), drops held commands, refuses new logins.
   */
  public void kill() {
    List<Session> victims;
    synchronized (this) {
      killed = true;
      parked.clear();
      victims = new ArrayList<>(sessions);
      sessions.clear();
    }
    for (Session s : victims) {
      s.disconnect("target port " + port + " killed");
    }
  }

  /** Lets logins through the port again (sessions killed before stay gone). */
  public synchronized void revive() {
    killed = false;
  }

  /** Whether the port is killed. */
  public synchronized boolean isKilled() {
    return killed;
  }

  /** Hangs ({@code true}) or releases ({@code false}) the port; see the class comment. */
  public void hang(boolean on) {
    List<Session> release;
    synchronized (this) {
      if (hung == on) {
        return;
      }
      hung = on;
      if (on) {
        return;
      }
      release = new ArrayList<>(sessions);
      // Held commands go to their logical units now; their answers queue behind the answers
      // held so far (a session's held answers stay ahead of anything answered later).
      for (Command c : parked) {
        target.dispatch(c, false);
      }
      parked.clear();
    }
    // Lock order: a session's lock may be held when this lock is taken, never the reverse.
    for (Session s : release) {
      s.kickDelayed();
    }
  }

  /**
   * Makes task management functions through the port fail (ABORT TASK and LOGICAL UNIT
   * RESET answer FUNCTION REJECTED), so an initiator's error handling has to escalate to
   * dropping the nexus.
   */
  public void rejectTaskManagement(boolean reject) {
    rejectTmf = reject;
  }

  boolean rejectsTaskManagement() {
    return rejectTmf;
  }

  /** Whether the port is hung. */
  public synchronized boolean isHung() {
    return hung;
  }

  /** Holds every answer for {@code d} (zero: no delay). */
  public synchronized void delay(Duration d) {
    Objects.requireNonNull(d, "d");
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + d);
    }
    delayNanos = d.toNanos();
  }

  /** The current answer delay. */
  public synchronized Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  /**
   * The next {@code n} commands answer {@code status} with {@code sense} without running.
   *
   * @param n commands to fail, 0 cancels
   * @param status SAM status byte, e.g. 0x02 CHECK CONDITION, 0x08 BUSY, 0x28 TASK SET FULL
   * @param sense sense bytes (required for CHECK CONDITION, ignored otherwise)
   */
  public synchronized void failNext(int n, int status, byte[] sense) {
    if (n < 0) {
      throw new IllegalArgumentException("negative count: " + n);
    }
    if (status < 0 || status > 0xFF) {
      throw new IllegalArgumentException("status is one byte: " + status);
    }
    boolean check = status == ScsiStatus.CHECK_CONDITION.code();
    if (check && (sense == null || sense.length == 0)) {
      throw new IllegalArgumentException("CHECK CONDITION needs sense data");
    }
    if (check && sense.length > SenseData.MAX_LENGTH) {
      throw new IllegalArgumentException("sense data longer than " + SenseData.MAX_LENGTH);
    }
    failCount = n;
    failStatus = status;
    failSense = check ? sense.clone() : null;
  }

  /** {@link #failNext(int, int, byte[])} with typed arguments ({@code sense} may be null). */
  public void failNext(int n, ScsiStatus status, SenseData sense) {
    failNext(n, status.code(), sense == null ? null : sense.encode());
  }

  /**
   * The next {@code n} READ/WRITE commands that move data move only {@code percent}% of it.
   *
   * @param n commands, 0 cancels
   * @param percent 0..99 (100 would not be partial)
   * @param checkCondition end in CHECK CONDITION (else GOOD with a residual)
   */
  public synchronized void partialNext(int n, int percent, boolean checkCondition) {
    if (n < 0) {
      throw new IllegalArgumentException("negative count: " + n);
    }
    if (percent < 0 || percent > 99) {
      throw new IllegalArgumentException("percent must be 0..99: " + percent);
    }
    partialCount = n;
    partialPercent = percent;
    partialCheck = checkCondition;
  }

  /** Clears every fault but a kill: no hang (held work released), no delay, no failures. */
  public void clear() {
    synchronized (this) {
      delayNanos = 0;
      failCount = 0;
      failSense = null;
      partialCount = 0;
    }
    rejectTmf = false;
    hang(false);
  }

  // ------------------------------------------------------------------ device server side

  /** Admits a command: dispatches it, holds it (hung) or drops it (killed). */
  void submit(Command c) {
    synchronized (this) {
      if (killed) {
        return;
      }
      if (hung) {
        parked.add(c);
        return;
      }
    }
    // outside this lock: the command may run right here (lock order, see hang)
    target.dispatch(c, true);
  }

  /** The injected answer for the next command, or null to run it. */
  synchronized ScsiResponse takeFailure(int dataLength) {
    if (failCount == 0) {
      return null;
    }
    failCount--;
    return new ScsiResponse(failStatus, failSense, 0, Math.max(0, dataLength));
  }

  /** The partial transfer to inject into a READ/WRITE about to move data, or null. */
  synchronized Partial takePartial() {
    if (partialCount == 0) {
      return null;
    }
    partialCount--;
    return new Partial(partialPercent, partialCheck);
  }

  synchronized long delayNanos() {
    return delayNanos;
  }

  /** Registers a new session; false when the port is killed. */
  synchronized boolean attach(Session s) {
    if (killed) {
      return false;
    }
    sessions.add(s);
    return true;
  }

  /** Takes parked commands of {@code s} that {@code which} selects out: they never run. */
  synchronized void unpark(Session s, java.util.function.Predicate<Command> which) {
    parked.removeIf(c -> c.session == s && which.test(c));
  }

  synchronized void detach(Session s) {
    sessions.remove(s);
    parked.removeIf(c -> c.session == s);
  }

  synchronized List<Session> sessions() {
    return new ArrayList<>(sessions);
  }
}
