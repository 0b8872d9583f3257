package dev.mpath.spi;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import java.util.concurrent.CompletableFuture;

/**
 * One route to a device, implemented by a provider and handed to the head with
 * {@link ProviderContext#attach(ProviderPath)}.
 *
 * <p>State is read live: the getters report the provider's current view, and the provider
 * calls {@link PathSink#stateChanged()} whenever any of them changes so the head re-reads
 * them. All methods may be called from any thread and must not block.
 *
 * <p>Lock discipline: the head calls the getters while holding its own lock, so they must
 * be plain (volatile) reads, and a provider must not hold a lock of its own while it calls
 * into the {@link PathSink}.
 */
public interface ProviderPath {

  /** The WWID of the device behind this path; never changes for a given path. */
  DeviceId deviceId();

  /** Where the path goes, for listings (e.g. {@code nvme+loop://t1/nqn... cntlid 2}). */
  String transport();

  /** Logical block size in bytes. */
  int blockSize();

  /** Capacity in logical blocks. */
  long capacityBlocks();

  /** Link/controller state now. */
  PathState state();

  /** Access state now. */
  AccessState accessState();

  /**
   * Priority (higher is better), by default from the access state in the multipath-tools
   * ALUA scale: optimized 50, non-optimized 10, standby 1, else 0.
   */
  default int priority() {
    switch (accessState()) {
      case OPTIMIZED:
        return 50;
      case NON_OPTIMIZED:
        return 10;
      case STANDBY:
        return 1;
      default:
        return 0;
    }
  }

  /** Whether the target prefers this path (ALUA PREF). */
  default boolean preferred() {
    return false;
  }

  /** Locality number for the {@code numa} policy (a JVM stand-in for the NUMA node). */
  default int locality() {
    return 0;
  }

  /**
   * Starts an attempt. The provider must call
   * {@link PathSink#complete(IoRequest, Disposition, Throwable)} (or
   * {@link PathSink#retry}) exactly once for it, later on any thread or already on the
   * caller's stack. The request's buffer position and limit must not be moved. A runtime
   * exception thrown here counts as a {@link Disposition#PATH_ERROR} completion.
   */
  void submit(IoRequest attempt);

  /**
   * Path checker (NVMe Keep Alive, SCSI TEST UNIT READY, iSCSI NOP): completes with
   * {@code true} when the path can carry I/O. Default: the path is live.
   */
  default CompletableFuture<Boolean> check() {
    return CompletableFuture.completedFuture(state() == PathState.LIVE);
  }

  /**
   * This path's own bound on {@link #check()} (for example its URI's command timeout), or
   * null for the head's ({@code Multipath.Builder.checkTimeout}). A check that has not
   * completed by then counts as failed: the path is faulted.
   */
  default java.time.Duration checkTimeout() {
    return null;
  }

  /**
   * The head has no usable path left and this one is live but in standby: make it usable
   * if the protocol can (SCSI explicit ALUA: SET TARGET PORT GROUPS, as Linux
   * {@code scsi_dh_activate}). Asynchronous; report the outcome through
   * {@link PathSink#stateChanged()}. Called at most once per such episode. Default: nothing.
   */
  default void activate() {}

  /**
   * Whether {@link #activate()} can make this standby path usable; while it can, the head
   * queues I/O for the activation rather than failing it. Default false.
   */
  default boolean canActivate() {
    return false;
  }

  /**
   * Called once when the path joins its head, before it can receive any submission: the
   * sink through which the provider reports on this path (the same one
   * {@link ProviderContext#attach} returns). Default: nothing.
   */
  default void attached(PathSink sink) {}

  /** Reservation commands through this path, or {@code null} if unsupported. */
  default PathReservations reservations() {
    return null;
  }
}
