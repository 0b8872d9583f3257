package dev.mpath.spi;

import dev.mpath.RegisteredKeys;
import dev.mpath.Registration;
import dev.mpath.ReservationCapabilities;
import dev.mpath.Reservation;
import dev.mpath.ReservationType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reservation commands sent through one path, as a provider implements them. The head's
 * fan-out ({@link ReservationFanout}) decides which paths get which commands.
 *
 * <p>Futures complete exceptionally with {@link dev.mpath.ReservationConflictException}
 * when the device refuses, with {@link PathFailureException} when the path (not the device)
 * failed, or with another {@link dev.mpath.MpathException}.
 */
public interface PathReservations {

  CompletableFuture<Void> register(
      long oldKey, long newKey, boolean ignoreExisting, boolean aptpl);

  CompletableFuture<Void> reserve(long key, ReservationType type);

  CompletableFuture<Void> release(long key, ReservationType type);

  CompletableFuture<Void> preempt(long key, long preemptKey, ReservationType type, boolean abort);

  CompletableFuture<Void> clear(long key);

  CompletableFuture<RegisteredKeys> readKeys();

  CompletableFuture<Optional<Reservation>> readReservation();

  /** Every registration in full; default: unsupported. */
  default CompletableFuture<List<Registration>> readFullStatus() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("READ FULL STATUS is not supported"));
  }

  /** Reservation capabilities; default: unsupported. */
  default CompletableFuture<ReservationCapabilities> reportCapabilities() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("REPORT CAPABILITIES is not supported"));
  }
}
