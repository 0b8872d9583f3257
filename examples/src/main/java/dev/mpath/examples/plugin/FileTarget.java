package dev.mpath.examples.plugin;

import dev.mpath.DeviceId;
import dev.mpath.MultipathDevice;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.Scheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One image as one host ({@link FileMpProvider} instance) reaches it: its paths, and the
 * application's way in to their fault-injection API.
 *
 * <p>A provider found by {@link java.util.ServiceLoader} is created inside
 * {@code Multipath}, out of the application's reach, so the example keeps a small static
 * registry keyed by the multipath head: {@code FileTarget.of(device).path(1).kill()}.
 * Entries go away when the image's last path is removed or the provider closes.
 */
public final class FileTarget {
  private static final Map<MultipathDevice, FileTarget> BY_HEAD = new ConcurrentHashMap<>();

  private final FileMpProvider provider;
  private final FileImage image;
  private final String host;
  private final List<FilePath> paths;
  private final AtomicInteger openPaths;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile MultipathDevice head;
  private volatile boolean closing;

  FileTarget(FileMpProvider provider, FileImage image, String host, int paths,
      Scheduler scheduler) {
    this.provider = provider;
    this.image = image;
    this.host = host;
    List<FilePath> list = new ArrayList<>(paths);
    for (int i = 0; i < paths; i++) {
      list.add(new FilePath(this, i, scheduler));
    }
    this.paths = List.copyOf(list);
    this.openPaths = new AtomicInteger(paths);
  }

  /**
   * The target behind a {@code file+mp} head.
   *
   * @throws IllegalArgumentException if {@code device} is not an open {@code file+mp} head
   */
  public static FileTarget of(MultipathDevice device) {
    FileTarget t = BY_HEAD.get(device);
    if (t == null) {
      throw new IllegalArgumentException(device.name() + " is not an open file+mp device");
    }
    return t;
  }

  /** The WWID (see {@link FileMpProvider#deviceId(Path)}). */
  public DeviceId deviceId() {
    return image.id;
  }

  /** The image file (its real path). */
  public Path file() {
    return image.file;
  }

  /** This host's id in the reservation model ({@link FileMpProvider#HOST_ID_PROPERTY}). */
  public String host() {
    return host;
  }

  /** The paths, by index (removed ones included). */
  public List<FilePath> paths() {
    return paths;
  }

  /** Path {@code index}. */
  public FilePath path(int index) {
    return paths.get(index);
  }

  // ------------------------------------------------------------------ provider side

  FileImage image() {
    return image;
  }

  /** Whether the target still has a path that is not removed. */
  boolean isOpen() {
    if (closing) {
      return false;
    }
    for (FilePath p : paths) {
      if (!p.isRemoved()) {
        return true;
      }
    }
    return false;
  }

  /** Completes once every path's queue has stopped and the image is released. */
  CompletableFuture<Void> closed() {
    return closed;
  }

  /**
   * Attaches every path (each joins the head of {@link #deviceId()}, in state CONNECTING),
   * then brings them up. Attaching first means the head exists, with every path, before
   * any path can carry I/O.
   *
   * @throws IllegalStateException if the head refuses a path (another provider owns the WWID)
   */
  void attachAll(ProviderContext context) {
    for (FilePath p : paths) {
      PathSink sink = context.attach(p); // the head calls p.attached(sink) first
      if (head == null) {
        head = sink.device();
        BY_HEAD.put(head, this);
      }
    }
    for (FilePath p : paths) {
      p.connected();
    }
  }

  /** Removes every path; {@link #closed()} completes when their queues have drained. */
  void close() {
    closing = true;
    paths.forEach(FilePath::remove);
  }

  /** Called once per path, on its queue thread, after its last command. */
  void pathClosed() {
    if (openPaths.decrementAndGet() > 0) {
      return;
    }
    closing = true;
    MultipathDevice h = head;
    if (h != null) {
      BY_HEAD.remove(h, this);
    }
    provider.forget(this);
    image.release();
    closed.complete(null);
  }

  @Override
  public String toString() {
    return "FileTarget[" + image.file + " " + image.id + " host " + host + "]";
  }
}
