package dev.mpath.examples.plugin;

import dev.mpath.DeviceId;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.ReservationFanout;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete transport plugin in a few hundred lines: a file is the device, and
 * {@code paths=N} independent queues onto it are its paths. It is registered only through
 * {@link java.util.ServiceLoader} ({@code provides} in {@code module-info.java} and
 * {@code META-INF/services/dev.mpath.spi.MultipathProvider}); mpath itself knows nothing
 * about it. See the package documentation for the URI and {@code docs/plugins.md} for the
 * walk-through.
 *
 * <p>One instance per {@code Multipath} (each acts as one <em>host</em>); thread-safe.
 */
public final class FileMpProvider implements MultipathProvider {
  private static final Logger LOG = LoggerFactory.getLogger(FileMpProvider.class);

  /** The URI scheme: {@code file+mp:///abs/path?paths=N&blockSize=B&blocks=C}. */
  public static final String SCHEME = "file+mp";
  /** The provider's (protocol's) name, as {@code MultipathDevice.protocol()} reports it. */
  public static final String PROTOCOL = "filemp";
  /** {@code Multipath.builder().property(...)} key: this host's id for reservations. */
  public static final String HOST_ID_PROPERTY = "filemp.hostId";

  // Status values of TargetErrorException.status(). The example borrows NVMe's encoding
  // (SCT << 8 | SC) so that they read like NVMe statuses.
  /** Invalid Field in Command (NVMe SCT 0h, SC 02h). */
  public static final int STATUS_INVALID_FIELD = 0x002;
  /** LBA Out of Range (NVMe SCT 0h, SC 80h). */
  public static final int STATUS_LBA_OUT_OF_RANGE = 0x080;
  /** Reservation Conflict (NVMe SCT 0h, SC 83h). */
  public static final int STATUS_RESERVATION_CONFLICT = 0x083;
  /** Unrecovered Read Error, the medium error (NVMe SCT 2h, SC 81h). */
  public static final int STATUS_MEDIUM_ERROR = 0x281;

  /** How long {@link #close()} waits for the path queues to drain. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final AtomicInteger HOSTS = new AtomicInteger();

  private final Map<Path, FileTarget> targets = new HashMap<>(); // guarded by itself
  private final Map<DeviceId, String> headNames = new ConcurrentHashMap<>();
  private final AtomicInteger nextHead = new AtomicInteger();
  private volatile ProviderContext context;
  private volatile String host;
  private volatile boolean closed;

  /** ServiceLoader needs a public no-argument constructor. Do nothing here; see init. */
  public FileMpProvider() {}

  /**
   * The WWID an image file gets: {@code naa.6} followed by 31 hex digits of the SHA-256 of
   * its real path (symbolic links resolved), so it is stable across runs.
   *
   * @throws IOException if the file does not exist
   */
  public static DeviceId deviceId(Path file) throws IOException {
    return FileImage.deviceIdOf(file.toRealPath());
  }

  @Override
  public String name() {
    return PROTOCOL;
  }

  @Override
  public boolean supports(URI uri) {
    return SCHEME.equalsIgnoreCase(uri.getScheme());
  }

  /**
   * REDIRECT: a file+mp command either completes whole or not at all (no residual, no
   * partial transfer), exactly like NVMe. After a path error nothing needs undoing, so the
   * head may hand the caller's request object itself to the next path: no clone, no
   * allocation by the head. A transport that can complete part of a transfer (SCSI, with
   * its residual count) must choose CLONE instead.
   */
  @Override
  public FailoverStyle failoverStyle() {
    return FailoverStyle.REDIRECT;
  }

  /**
   * PER_HOST: in this model a registration belongs to the host (the provider instance),
   * not to a path, as NVMe registrations belong to the Host Identifier. One path carries
   * each reservation command; the head tries the next path on a PathFailureException.
   */
  @Override
  public ReservationFanout reservationFanout() {
    return ReservationFanout.PER_HOST;
  }

  @Override
  public void init(ProviderContext context) {
    this.context = context;
    this.host = context.property(HOST_ID_PROPERTY).orElse("host-" + HOSTS.incrementAndGet());
  }

  /**
   * Opens (creating if asked) the image and attaches its paths. Opening a local file is
   * quick, so this example connects on the caller's thread and returns a completed
   * future; a network transport would connect on its own thread and complete the future
   * from there. Connecting an image this provider has open already is a no-op that
   * returns its WWID.
   */
  @Override
  public CompletableFuture<List<DeviceId>> connect(URI uri) {
    ImageSpec spec;
    try {
      spec = ImageSpec.parse(uri);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (closed || context == null) {
      return CompletableFuture.failedFuture(new IOException(PROTOCOL + " provider is closed"));
    }
    FileImage image;
    try {
      image = FileImage.open(spec.file(), spec.blockSize(), spec.blocks());
    } catch (IOException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    FileTarget target;
    FileTarget existing;
    synchronized (targets) {
      existing = targets.get(image.file);
      if (existing != null && existing.isOpen()) {
        target = null;
      } else {
        target = new FileTarget(this, image, host, spec.paths(), context.scheduler());
        targets.put(image.file, target);
      }
    }
    if (target == null) {
      image.release(); // ours was an extra reference
      return CompletableFuture.completedFuture(List.of(existing.deviceId()));
    }
    try {
      target.attachAll(context); // outside our lock: the head calls back into headName()
    } catch (RuntimeException e) {
      target.close();
      return CompletableFuture.failedFuture(
          new IOException("cannot attach " + uri + ": " + e.getMessage(), e));
    }
    LOG.info("{}: {} path(s) to {} ({})", PROTOCOL, spec.paths(), image.file, image.id);
    return CompletableFuture.completedFuture(List.of(image.id));
  }

  /** {@code filemp<N>}, N counting from 0 per provider; a WWID keeps its name. */
  @Override
  public String headName(DeviceId id, ProviderPath first) {
    return headNames.computeIfAbsent(id, k -> PROTOCOL + nextHead.getAndIncrement());
  }

  // pathName: the default, <head>:<index> (filemp0:0, filemp0:1, ...).

  /** A target's last path is gone. */
  void forget(FileTarget target) {
    synchronized (targets) {
      targets.remove(target.file(), target);
    }
  }

  /**
   * Removes every path (in-flight I/O completes with a path error), then waits, bounded,
   * for the queues to drain so no I/O runs against a closed file.
   */
  @Override
  public void close() {
    closed = true;
    List<FileTarget> all;
    synchronized (targets) {
      all = new ArrayList<>(targets.values());
    }
    all.forEach(FileTarget::close);
    // Real time on purpose: this is a real wait for real threads, not protocol timing.
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (FileTarget t : all) {
      try {
        t.closed().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn("{}: I/O still running after {} s; {} stays open", t, CLOSE_TIMEOUT.toSeconds(),
            t.file());
      } catch (ExecutionException e) {
        LOG.warn("{}: closing failed", t, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
