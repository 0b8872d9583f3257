/**
 * The mpath application API: {@link dev.mpath.Multipath} (entry point),
 * {@link dev.mpath.MultipathDevice} (one head per WWID), I/O in a
 * {@link java.util.concurrent.CompletableFuture} form and an allocation-free
 * {@link dev.mpath.IoRequest} form, {@link dev.mpath.Reservations}, states, policies, events
 * and typed exceptions.
 *
 * <p>Error contract of every I/O: it completes exactly once, successfully or with
 * {@link dev.mpath.NoPathException} (no path within the bound),
 * {@link dev.mpath.ReservationConflictException} (fenced),
 * {@link dev.mpath.TargetErrorException} (the device refused it), or the provider's error
 * after the same-path retries ran out. Path failures are invisible while a path remains.
 */
package dev.mpath;
