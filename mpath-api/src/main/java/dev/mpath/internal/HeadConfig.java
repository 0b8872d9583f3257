package dev.mpath.internal;

import dev.mpath.IoPolicy;
import java.time.Duration;

/**
 * Per-head settings fixed at {@code Multipath} build time (the policy and delayed removal
 * can be changed per head afterwards).
 *
 * @param ioPolicy initial I/O policy
 * @param maxRetries same-path retries before a RETRY verdict becomes the caller's error
 * @param delayedRemoval how long a head outlives its last path, queueing I/O (0: off)
 * @param queueTimeout longest time a request waits on the requeue list
 * @param checkInterval path checker period (0: no checker)
 * @param checkTimeout bound of one path check; a check past it faults the path
 */
public record HeadConfig(
    IoPolicy ioPolicy,
    int maxRetries,
    Duration delayedRemoval,
    Duration queueTimeout,
    Duration checkInterval,
    Duration checkTimeout) {}
