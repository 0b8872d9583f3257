package dev.mpath;

import java.time.Duration;
import java.util.Objects;

/**
 * When the {@code failover} policy returns I/O to the best path after it was moved away
 * (multipath-tools {@code failback}). Only the choice among usable paths of the same
 * access tier is governed here: an optimized path always wins over a non-optimized one.
 *
 * <ul>
 *   <li>{@link #IMMEDIATE}: as soon as a better path is usable.
 *   <li>{@link #MANUAL}: never by itself; the active path changes only when it fails, or
 *       when the operator sets the policy again.
 *   <li>{@link #FOLLOWOVER}: only when the better path has just come back from being
 *       unusable, not when it merely became better (another host's failover).
 *   <li>{@link #deferred(Duration)}: once the better path has stayed better that long.
 * </ul>
 */
public final class Failback {

  /** The modes. */
  public enum Mode {
    IMMEDIATE,
    MANUAL,
    FOLLOWOVER,
    DEFERRED
  }

  public static final Failback IMMEDIATE = new Failback(Mode.IMMEDIATE, Duration.ZERO);
  public static final Failback MANUAL = new Failback(Mode.MANUAL, Duration.ZERO);
  public static final Failback FOLLOWOVER = new Failback(Mode.FOLLOWOVER, Duration.ZERO);

  private final Mode mode;
  private final Duration delay;

  private Failback(Mode mode, Duration delay) {
    this.mode = mode;
    this.delay = delay;
  }

  /** Fail back once the better path has been usable for {@code delay}. */
  public static Failback deferred(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("deferred failback needs a positive delay: " + delay);
    }
    return new Failback(Mode.DEFERRED, delay);
  }

  /**
   * Parses the multipath-tools spelling: {@code immediate}, {@code manual},
   * {@code followover} or a number of seconds.
   */
  public static Failback parse(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "immediate":
        return IMMEDIATE;
      case "manual":
        return MANUAL;
      case "followover":
        return FOLLOWOVER;
      default:
        try {
          return deferred(Duration.ofSeconds(Long.parseLong(text.trim())));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "failback must be immediate, manual, followover or seconds: '" + text + "'");
        }
    }
  }

  public Mode mode() {
    return mode;
  }

  /** The delay of {@link Mode#DEFERRED}; zero otherwise. */
  public Duration delay() {
    return delay;
  }

  @Override
  public String toString() {
    return mode == Mode.DEFERRED ? Long.toString(delay.toSeconds()) : mode.name().toLowerCase();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Failback && ((Failback) o).mode == mode && ((Failback) o).delay.equals(delay);
  }

  @Override
  public int hashCode() {
    return mode.hashCode() * 31 + delay.hashCode();
  }
}
