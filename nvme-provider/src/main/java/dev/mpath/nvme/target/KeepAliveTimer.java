package dev.mpath.nvme.target;

import dev.mpath.spi.Scheduler;
import java.util.concurrent.TimeUnit;

/**
 * The Keep Alive Timer of one controller (NVMe base 2.0, 3.9.5): the Keep Alive Timeout set
 * at connect or by Set Features 0Fh, the time of the last command (traffic-based keep alive,
 * CTRATT TBKAS: any command on any queue counts) and the timer that calls {@code expired}
 * once the controller has been idle for longer than {@link #toleratedIdleNanos}.
 *
 * <p>Thread-safety: {@link #touch} and the reads are lock-free (volatile); arming, stopping
 * and the expiry check are serialised on this object. {@code expired} runs on the scheduler's
 * thread, outside the monitor, at most once per arming; one that was already past its check
 * when {@link #stop} ran may still run, so {@code expired} must be idempotent.
 */
final class KeepAliveTimer {
  /** Upper bound of the keep alive tolerance ({@link #toleratedIdleNanos}). */
  static final long KATO_TOLERANCE_MAX_MILLIS = 10_000;

  private final Scheduler scheduler;
  private final Runnable expired;
  private volatile int katoMillis;
  private volatile long lastActivity;
  private Scheduler.Cancellable katoTimer; // this
  private long katoGeneration; // this
  private boolean stopped; // this

  KeepAliveTimer(Scheduler scheduler, int katoMillis, Runnable expired) {
    this.scheduler = scheduler;
    this.katoMillis = katoMillis;
    this.expired = expired;
    this.lastActivity = scheduler.nanoTime();
  }

  /** The Keep Alive Timeout in ms (0: none). */
  int katoMillis() {
    return katoMillis;
  }

  /** Set Features Keep Alive Timer: the new timeout counts from now. */
  void katoMillis(int v) {
    katoMillis = v;
    touch();
    arm();
  }

  /** A command arrived. */
  void touch() {
    lastActivity = scheduler.nanoTime();
  }

  /** (Re)starts the timer for the current timeout; none for a timeout of 0 or once stopped. */
  synchronized void arm() {
    katoGeneration++;
    if (katoTimer != null) {
      katoTimer.cancel();
      katoTimer = null;
    }
    int k = katoMillis;
    if (k > 0 && !stopped) {
      long gen = katoGeneration;
      katoTimer = scheduler.schedule(() -> katoCheck(gen), toleratedIdleNanos(k),
          TimeUnit.NANOSECONDS);
    }
  }

  /** The controller is gone: the timer is cancelled for good. */
  synchronized void stop() {
    stopped = true;
    katoGeneration++;
    if (katoTimer != null) {
      katoTimer.cancel();
      katoTimer = null;
    }
  }

  /**
   * How long the controller may go without a command before the keep alive timer expires:
   * KATO plus a tolerance of KATO again, at most {@link #KATO_TOLERANCE_MAX_MILLIS} (NVMe base
   * 2.0, 3.9.5 lets the controller allow for the transport's round trip). A host sends Keep
   * Alive at KATO/2 or faster (Linux: KATO/2, KATO/4 with TBKAS), so one keep-alive that is a
   * slow round trip late never kills the association; a host that stopped is still noticed
   * within twice KATO.
   */
  static long toleratedIdleNanos(int katoMillis) {
    long tolerance = Math.min(katoMillis, KATO_TOLERANCE_MAX_MILLIS);
    return TimeUnit.MILLISECONDS.toNanos(katoMillis + tolerance);
  }

  private void katoCheck(long gen) {
    synchronized (this) {
      if (stopped || gen != katoGeneration) {
        return;
      }
      long kato = toleratedIdleNanos(katoMillis);
      long idle = scheduler.nanoTime() - lastActivity;
      if (idle < kato) {
        katoTimer = scheduler.schedule(() -> katoCheck(gen), kato - idle, TimeUnit.NANOSECONDS);
        return;
      }
      katoTimer = null;
    }
    expired.run();
  }
}
