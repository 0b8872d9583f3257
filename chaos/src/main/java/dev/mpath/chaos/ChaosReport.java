package dev.mpath.chaos;

import java.util.List;

/**
 * What a chaos run saw.
 *
 * @param seed the schedule's seed (the same seed and settings repeat the schedule)
 * @param faultsInjected faults the schedule injected
 * @param schedule each fault as {@code "+<ms> <description>"}, in order
 * @param iosVerified requests that completed and were checked (writes acknowledged, reads
 *     verified against the model)
 * @param errorsWhilePathUsable requests that failed although the device had a usable path
 *     when they failed
 * @param errorsOther requests that failed while no path was usable (allowed: the model
 *     takes their writes as maybe-landed)
 * @param lost requests that never completed, even after the grace period
 * @param corrupt reads that showed something the model does not allow, with the first few
 *     reasons in {@code firstCorruptions}
 * @param duplicate completions of a request beyond its first
 * @param overdue requests that took longer than the run's overdue bound
 * @param worstLatencyMillis the longest any request took
 * @param firstCorruptions up to 10 reasons
 */
public record ChaosReport(
    long seed, int faultsInjected, List<String> schedule, long iosVerified,
    long errorsWhilePathUsable, long errorsOther, long lost, long corrupt, long duplicate,
    long overdue, long worstLatencyMillis, List<String> firstCorruptions) {

  /** Whether nothing a caller may not see happened. */
  public boolean clean() {
    return errorsWhilePathUsable == 0 && lost == 0 && corrupt == 0 && duplicate == 0
        && overdue == 0;
  }

  /** A one-line summary. */
  public String summary() {
    return String.format("seed %d: %d faults, %d I/Os verified, %d errors while a path was"
            + " usable, %d other errors, %d lost, %d corrupt, %d duplicate, %d overdue,"
            + " worst latency %d ms",
        seed, faultsInjected, iosVerified, errorsWhilePathUsable, errorsOther, lost, corrupt,
        duplicate, overdue, worstLatencyMillis);
  }
}
