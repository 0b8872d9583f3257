package dev.mpath;

import dev.mpath.internal.Selectors;
import dev.mpath.spi.PathSelector;
import java.util.Locale;
import java.util.Objects;

/**
 * How a head spreads I/O over its usable paths (Linux {@code iopolicy}; multipath-tools
 * path selectors). Optimized paths are always used before non-optimized ones; the policy
 * chooses within that tier. Immutable; can be changed on a live head at any time
 * ({@link MultipathDevice#ioPolicy(IoPolicy)}), in-flight I/O is unaffected.
 *
 * <ul>
 *   <li>{@link #numa()}: the path whose locality is nearest the submitter's
 *       ({@link IoRequest#locality(int)}), cached per locality until the paths change.
 *   <li>{@link #roundRobin(int)}: rotate, moving on after {@code rrMinIo} requests.
 *   <li>{@link #queueDepth()}: the path with the fewest requests in flight.
 *   <li>{@link #serviceTime()}: the path with the least (in flight + 1) x latency average.
 *   <li>{@link #adaptive()}: latency-weighted; each path's share proportional to the inverse
 *       of its latency average (after the Linux NVMe "adaptive" policy proposal).
 *   <li>{@link #failover(Failback)}: active/passive; one path carries everything, the best
 *       one (preferred, then highest priority, then lowest index), with failback.
 * </ul>
 */
public final class IoPolicy {

  private final String name;
  private final int rrMinIo;
  private final Failback failback;
  private final PathSelector.Factory factory;
  private final boolean usesLatency;

  private IoPolicy(String name, int rrMinIo, Failback failback, PathSelector.Factory factory) {
    this(name, rrMinIo, failback, factory, false);
  }

  private IoPolicy(
      String name, int rrMinIo, Failback failback, PathSelector.Factory factory, boolean usesLatency) {
    this.name = name;
    this.rrMinIo = rrMinIo;
    this.failback = failback;
    this.factory = factory;
    this.usesLatency = usesLatency;
  }

  /** Locality-nearest path (the Linux NVMe default). */
  public static IoPolicy numa() {
    return new IoPolicy("numa", 0, null, s -> Selectors.numa());
  }

  /** Round robin with a switch after every request. */
  public static IoPolicy roundRobin() {
    return roundRobin(1);
  }

  /** Round robin switching paths after {@code rrMinIo} requests (multipath-tools rr_min_io). */
  public static IoPolicy roundRobin(int rrMinIo) {
    if (rrMinIo < 1) {
      throw new IllegalArgumentException("rrMinIo must be >= 1: " + rrMinIo);
    }
    return new IoPolicy("round-robin", rrMinIo, null, s -> Selectors.roundRobin(rrMinIo));
  }

  /** Fewest requests in flight. */
  public static IoPolicy queueDepth() {
    return new IoPolicy("queue-depth", 0, null, s -> Selectors.queueDepth());
  }

  /** Fewest requests in flight weighted by each path's latency average. */
  public static IoPolicy serviceTime() {
    return new IoPolicy("service-time", 0, null, s -> Selectors.serviceTime(), true);
  }

  /**
   * Latency-weighted: each usable path carries a share of the I/O from its completion-latency
   * moving average, recomputed every 256 requests: shares go as 1/latency^2, so the requests
   * a path holds at once go as 1/latency, and a slower path carries a proportionate part
   * rather than half (round robin) or nothing. Unmeasured paths get the largest weight until
   * measured.
   */
  public static IoPolicy adaptive() {
    return new IoPolicy("adaptive", 0, null, s -> Selectors.adaptive(), true);
  }

  /** Active/passive with immediate failback. */
  public static IoPolicy failover() {
    return failover(Failback.IMMEDIATE);
  }

  /** Active/passive with the given failback. */
  public static IoPolicy failover(Failback failback) {
    Objects.requireNonNull(failback, "failback");
    return new IoPolicy("failover", 0, failback, s -> Selectors.failover(failback, s));
  }

  /** A plugin policy. {@code factory} makes one selector per head. */
  public static IoPolicy custom(String name, PathSelector.Factory factory) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(factory, "factory");
    return new IoPolicy(name, 0, null, factory, true);
  }

  /**
   * Parses a policy name as written in sysfs or multipath.conf: {@code numa},
   * {@code round-robin}, {@code queue-depth}, {@code service-time}, {@code adaptive},
   * {@code failover}.
   *
   * @throws IllegalArgumentException for other names
   */
  public static IoPolicy parse(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "numa":
        return numa();
      case "round-robin":
        return roundRobin();
      case "queue-depth":
        return queueDepth();
      case "service-time":
        return serviceTime();
      case "adaptive":
        return adaptive();
      case "failover":
        return failover();
      default:
        throw new IllegalArgumentException(
            "unknown I/O policy '" + name
                + "' (numa, round-robin, queue-depth, service-time, adaptive, failover)");
    }
  }

  /** The policy's name as sysfs spells it. */
  public String name() {
    return name;
  }

  /** The round-robin switch interval; 0 for other policies. */
  public int rrMinIo() {
    return rrMinIo;
  }

  /** The failback of the failover policy; {@code null} for other policies. */
  public Failback failback() {
    return failback;
  }

  /**
   * Whether the policy reads path latencies ({@link PathInfo#serviceTimeNanos()}); only
   * then does the head time each attempt. True for {@code service-time}, {@code adaptive} and
   * custom policies.
   */
  public boolean usesLatency() {
    return usesLatency;
  }

  /** Makes a fresh selector for one head. */
  public PathSelector newSelector(dev.mpath.spi.Scheduler scheduler) {
    return factory.create(scheduler);
  }

  @Override
  public String toString() {
    if (rrMinIo > 1) {
      return name + " rr_min_io=" + rrMinIo;
    }
    if (failback != null) {
      return name + " failback=" + failback;
    }
    return name;
  }
}
