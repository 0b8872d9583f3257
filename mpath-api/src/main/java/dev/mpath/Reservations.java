package dev.mpath;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Persistent reservations of one multipath device, protocol-neutral (the operations of
 * Linux {@code pr_ops} plus the read side).
 *
 * <p>Fan-out is the provider's business and hidden here: NVMe registrations belong to the
 * host, so one path suffices; SCSI registrations belong to each I_T nexus, so
 * {@link #register} reaches every usable path, and a path that joins later is registered
 * before it carries I/O (unless the key was preempted meanwhile: a fenced host stays
 * fenced).
 *
 * <p>All methods are thread-safe and asynchronous. Futures complete exceptionally with
 * {@link ReservationConflictException} when the device refuses,
 * {@link PartialRegistrationException} when a registration could not reach every path,
 * {@link NoPathException} when no path could carry the command, or
 * {@link UnsupportedOperationException} when the device has no reservation support.
 */
public interface Reservations {

  /**
   * Registers {@code newKey} (or unregisters with {@code newKey == 0}).
   *
   * @param oldKey the key currently registered, 0 if none
   * @param ignoreExisting register regardless of the current key (SCSI REGISTER AND IGNORE
   *     EXISTING KEY; NVMe IEKEY)
   * @param aptpl persist through power loss (SCSI APTPL; NVMe CPTPL)
   */
  CompletableFuture<Void> register(long oldKey, long newKey, boolean ignoreExisting, boolean aptpl);

  /** Takes a reservation of {@code type} with registered key {@code key}. */
  CompletableFuture<Void> reserve(long key, ReservationType type);

  /** Releases the reservation of {@code type} held with {@code key}. */
  CompletableFuture<Void> release(long key, ReservationType type);

  /**
   * Removes the registrations of {@code preemptKey} (and the reservation if it holds it),
   * taking the reservation as {@code type}; with {@code abort}, also aborts the preempted
   * hosts' outstanding commands.
   */
  CompletableFuture<Void> preempt(long key, long preemptKey, ReservationType type, boolean abort);

  /** Releases the reservation and removes every registration. */
  CompletableFuture<Void> clear(long key);

  /** Reads the registered keys. */
  CompletableFuture<RegisteredKeys> readKeys();

  /** Reads the current reservation, empty if none is held. */
  CompletableFuture<Optional<Reservation>> readReservation();

  /** Reads every registration with who made it (SCSI READ FULL STATUS). */
  CompletableFuture<List<Registration>> readFullStatus();

  /** Reads what the device supports (SCSI REPORT CAPABILITIES). */
  CompletableFuture<ReservationCapabilities> reportCapabilities();
}
