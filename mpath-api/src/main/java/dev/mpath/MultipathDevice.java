package dev.mpath;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One multipath head: a logical unit (SCSI) or namespace (NVMe) reached through any
 * number of paths, identified by its WWID.
 *
 * <p><b>I/O.</b> Two forms. The {@code CompletableFuture} methods are convenient and
 * allocate a little per call. {@link #submit(IoRequest)} allocates nothing per I/O with a
 * redirect-style provider: it completes through the request's {@link IoCompletion}.
 * Either way a request completes exactly once: successfully, or with
 * {@link NoPathException} (no path could carry it within its bound),
 * {@link ReservationConflictException} (fenced), {@link TargetErrorException} (the device
 * refused it), or the provider's I/O error after {@code maxRetries} same-path retries.
 * Path errors never reach the caller while another path can carry the request.
 *
 * <p><b>Thread safety.</b> All methods are thread-safe; I/O may be submitted from any
 * number of threads.
 */
public interface MultipathDevice {

  /** The head's protocol-native name: {@code nvme<S>n<N>} or {@code sd<letters>}. */
  String name();

  /** The user-friendly alias from the bindings file, if user-friendly names are on. */
  Optional<String> alias();

  /** The WWID. */
  DeviceId id();

  /** The provider's name ({@code nvme}, {@code scsi}, or a plugin's). */
  String protocol();

  /** Logical block size in bytes. */
  int blockSize();

  /** Capacity in logical blocks. */
  long capacityBlocks();

  /** The paths, in index order. */
  List<PathInfo> paths();

  /** Whether the head is still registered (false once removed). */
  boolean isPresent();

  /** The current I/O policy. */
  IoPolicy ioPolicy();

  /** Switches the I/O policy; safe under load. */
  void ioPolicy(IoPolicy policy);

  /** Linux {@code delayed_removal_secs}: how long the head outlives its last path. */
  Duration delayedRemoval();

  /** Sets delayed removal; zero turns it (and queue-if-no-path) off. */
  void delayedRemoval(Duration delay);

  /** Requests waiting on the requeue list now. */
  int queued();

  /** The head's counters. */
  IoStats stats();

  /** Persistent reservations of this device. */
  Reservations reservations();

  /**
   * Submits a reusable request (see {@link IoRequest}).
   *
   * @throws IllegalArgumentException if the request has no operation or completion, its
   *     buffer is not a whole number of blocks, or its range is outside the device
   * @throws IllegalStateException if the request is still in flight
   */
  void submit(IoRequest request);

  /** Reads {@code dst.remaining()} bytes from block {@code lba} into {@code dst}. */
  CompletableFuture<Void> read(long lba, ByteBuffer dst);

  /** Writes {@code src.remaining()} bytes to block {@code lba}. */
  CompletableFuture<Void> write(long lba, ByteBuffer src);

  /** Flushes the volatile write cache. */
  CompletableFuture<Void> flush();

  /** Zeroes {@code blocks} blocks from {@code lba}. */
  CompletableFuture<Void> writeZeroes(long lba, int blocks);

  /** Deallocates {@code blocks} blocks from {@code lba}. */
  CompletableFuture<Void> discard(long lba, int blocks);
}
