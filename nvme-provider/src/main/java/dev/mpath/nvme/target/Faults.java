package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.NvmeStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * Fault injection for one port of an {@link NvmeSubsystem}; applies to every controller
 * connected through the port, present and future. Thread-safe.
 */
public final class Faults {

  private final NvmeSubsystem subsystem;
  private final int port;
  private volatile boolean killed;
  private volatile boolean hung;
  private volatile boolean ioStalled;
  private volatile boolean refuseAborts;
  private volatile long delayNanos;
  private int failRemaining;
  private int failStatus;
  private volatile boolean failArmed;

  Faults(NvmeSubsystem subsystem, int port) {
    this.subsystem = subsystem;
    this.port = port;
  }

  /** The port id. */
  public int port() {
    return port;
  }

  /**
   * Kills the port: every controller on it is gone at once. Outstanding commands get no
   * completion, every queue's sink gets {@link CompletionSink#disconnected}, and connects
   * through the port are refused ({@link NvmeConnectException.Reason#PORT_DISABLED}) until
   * {@link #revive()}.
   */
  public void kill() {
    killed = true;
    subsystem.killPort(port, "port " + port + " killed");
  }

  /** Accepts connects through the port again (killed controllers stay gone). */
  public void revive() {
    killed = false;
  }

  /**
   * Hangs or un-hangs the port. While hung, commands are accepted and never completed (Keep
   * Alive included, so a controller with a keep-alive timeout eventually expires) and
   * completions that fall due are lost. Un-hanging completes nothing retroactively;
   * asynchronous events raised meanwhile stay pending and go to the next Asynchronous Event
   * Request.
   */
  public void hang(boolean hang) {
    boolean was = hung;
    hung = hang;
    if (was && !hang) {
      subsystem.portResumed(port);
    }
  }

  /**
   * Stalls or resumes the I/O queues of the port's controllers. While stalled, I/O commands
   * are held unexecuted (admin commands, Keep Alive included, still run: the controller
   * looks alive), an Abort takes a held command out and completes it with Command Abort
   * Requested, and resuming executes the rest in order. This is the I/O queue that stops
   * completing while Keep Alive still answers.
   */
  public void stallIo(boolean stall) {
    boolean was = ioStalled;
    ioStalled = stall;
    if (was && !stall) {
      subsystem.portResumed(port);
    }
  }

  /**
   * Makes Abort answer "not aborted" (Dword 0 bit 0 set) for every command, as a controller
   * that cannot abort does: the host then has to reset the controller.
   */
  public void refuseAborts(boolean refuse) {
    refuseAborts = refuse;
  }

  /** Whether the I/O queues are stalled. */
  public boolean isIoStalled() {
    return ioStalled;
  }

  boolean refusesAborts() {
    return refuseAborts;
  }

  /** Adds {@code latency} to every completion of the port (zero for none). */
  public void delay(Duration latency) {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("negative delay " + latency);
    }
    delayNanos = latency.toNanos();
  }

  /**
   * Completes the next {@code n} I/O commands (commands on I/O queues) of the port with
   * {@code status} (its DNR, M and CRD bits as given) instead of executing them. {@code n = 0}
   * cancels.
   */
  public synchronized void failNext(int n, NvmeStatus status) {
    if (n < 0) {
      throw new IllegalArgumentException("negative count " + n);
    }
    Objects.requireNonNull(status, "status");
    failRemaining = n;
    failStatus = status.field();
    failArmed = n > 0;
  }

  /** Revives, un-hangs, un-stalls, removes the delay, pending failures and abort refusal. */
  public void clear() {
    revive();
    hang(false);
    stallIo(false);
    refuseAborts(false);
    delay(Duration.ZERO);
    synchronized (this) {
      failRemaining = 0;
      failArmed = false;
    }
  }

  /** Whether the port is killed. */
  public boolean isKilled() {
    return killed;
  }

  /** Whether the port is hung. */
  public boolean isHung() {
    return hung;
  }

  /** The added completion latency. */
  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  /** Injected failures still to come. */
  public synchronized int failuresPending() {
    return failRemaining;
  }

  long delayNanos() {
    return delayNanos;
  }

  /** The status field of the next injected failure, or -1 for none. */
  int takeFailure() {
    if (!failArmed) {
      return -1;
    }
    synchronized (this) {
      if (failRemaining == 0) {
        return -1;
      }
      if (--failRemaining == 0) {
        failArmed = false;
      }
      return failStatus;
    }
  }

  @Override
  public String toString() {
    return "Faults[port=" + port + (killed ? " killed" : "") + (hung ? " hung" : "")
        + (delayNanos > 0 ? " delay=" + delay() : "") + "]";
  }
}
