package dev.mpath.spi;

import dev.mpath.DeviceId;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A protocol plugin, found with {@link java.util.ServiceLoader} ({@code provides
 * dev.mpath.spi.MultipathProvider} in a module descriptor, or a
 * {@code META-INF/services} entry on the class path).
 *
 * <p>Each {@code Multipath} instance creates its own provider instances, so a provider may
 * keep per-instance state (name allocators, connections). The provider owns discovery,
 * identification, error classification ({@link Disposition}), access-state tracking,
 * path checking, reconnects and its paths' lifecycles; the head owns path choice,
 * failover, queueing and the reservation fan-out.
 */
public interface MultipathProvider extends AutoCloseable {

  /** Short protocol name: {@code nvme}, {@code scsi}, or a plugin's own. */
  String name();

  /** Whether this provider handles {@code uri} (normally by its scheme). */
  boolean supports(URI uri);

  /** How attempts relate to head requests. */
  default FailoverStyle failoverStyle() {
    return FailoverStyle.REDIRECT;
  }

  /** Which paths reservation commands go to. */
  default ReservationFanout reservationFanout() {
    return ReservationFanout.PER_HOST;
  }

  /** Called once before any other method except {@link #name()} and {@link #supports}. */
  void init(ProviderContext context);

  /**
   * Connects to what {@code uri} names and attaches every path found there. Completes once
   * the initial discovery is done, with the WWIDs reached; fails with an
   * {@link java.io.IOException} when nothing could be reached, or with
   * {@link IllegalArgumentException} for a malformed URI.
   */
  CompletableFuture<List<DeviceId>> connect(URI uri);

  /**
   * The protocol-native name of a new head ({@code nvme<S>n<N>}, {@code sd<letters>}),
   * called when {@code first} creates it. Names must be unique within the provider.
   */
  String headName(DeviceId id, ProviderPath first);

  /**
   * The name of a path. {@code index} is the path's index within its head (the smallest
   * one free). Default: {@code <head>:<index>}, the SCSI multipath scheme.
   */
  default String pathName(String headName, int index, ProviderPath path) {
    return headName + ":" + index;
  }

  /** Disconnects everything and releases the provider's resources. */
  @Override
  void close();
}
