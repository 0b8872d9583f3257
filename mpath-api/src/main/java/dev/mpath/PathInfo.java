package dev.mpath;

/**
 * A read-only, live view of one path of a head. Values are read at call time and may
 * change at any moment; thread-safe.
 */
public interface PathInfo {

  /** The path's name: NVMe {@code nvme<S>c<C>n<N>}, SCSI {@code sd<letters>:<index>}. */
  String name();

  /** Index of the path within its head, stable while the path is attached. */
  int index();

  /** Where the path goes, in the provider's words (for listings). */
  String transport();

  /** Link/controller state. */
  PathState state();

  /** Asymmetric access state. */
  AccessState accessState();

  /**
   * Whether the head considers the path failed although the provider reports it live
   * (an I/O path error or a failing checker; cleared by the next passing check).
   */
  boolean faulted();

  /** Whether the path can carry I/O now. */
  boolean usable();

  /** Locality number used by the {@code numa} policy. */
  int locality();

  /** Priority in the multipath-tools sense (higher is better; ALUA: AO 50, AN 10, ...). */
  int priority();

  /** Whether the target marks this path preferred (ALUA PREF bit). */
  boolean preferred();

  /** Requests currently in flight on this path. */
  int inFlight();

  /**
   * Latency moving average in nanoseconds (0 before the first completion). Measured only
   * while the head's policy uses latencies ({@link IoPolicy#usesLatency()}).
   */
  long serviceTimeNanos();

  /** Counters of this path. */
  IoStats stats();
}
