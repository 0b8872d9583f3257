/**
 * The multipath head (not exported). One concern per class: {@code Head} (submit,
 * completion, requeue, topology), {@code PathNode} (per-path state and accounting),
 * {@code Snapshot}/{@code PathTier} (what submitters read, immutable), the selectors,
 * {@code RequeueList}, {@code HeadReservations} (fan-out strategies), {@code Bindings}
 * (user-friendly names), {@code Engine} (registry, events), {@code Jmx}.
 *
 * <p>Choices written down here:
 * <ul>
 *   <li>A path error marks the path <em>faulted</em> in the head (as dm-multipath fails a
 *       path) until the provider reports a fresh usable state or the checker passes; a
 *       faulted path that the provider still reports live counts as one that may become
 *       usable, so I/O waits for the checker instead of failing.
 *   <li>Retries (RETRY) stay on the same path; past {@code maxRetries} the provider's error
 *       reaches the caller. Failovers have no count limit: each one takes a path out, and
 *       parked requests are bounded by the queue timeout.
 *   <li>Queue-if-no-path is on exactly when delayed removal is non-zero.
 *   <li>Path indexes are the smallest free index at attach time.
 * </ul>
 */
package dev.mpath.internal;
