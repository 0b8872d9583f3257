package dev.mpath;

/**
 * A snapshot of the counters of a head or a path. Counters only grow; take two snapshots
 * to compute rates.
 *
 * @param ios requests completed successfully
 * @param bytes data bytes moved by those requests
 * @param errors requests completed with an error (for a path: attempts that failed on it)
 * @param failovers requests moved to another path after a path error
 * @param retries same-path retries
 * @param requeues requests parked on the requeue list because no path was usable
 * @param noPathFailures requests failed with {@link NoPathException}
 */
public record IoStats(
    long ios, long bytes, long errors, long failovers, long retries, long requeues,
    long noPathFailures) {}
