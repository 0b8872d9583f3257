package dev.mpath.examples.plugin;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.PathState;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The smallest provider there is: paths that do no work and complete every request at once,
 * on the submitting thread. It measures what the head itself costs ({@code mpath overhead},
 * the JMH head benchmark): the same path is driven through a head and directly, through
 * {@link #direct}, which completes as a head-less provider would.
 *
 * <p>Paths are attached by the caller ({@link Provider#attach}); the provider never answers
 * a URI. Not thread-safe beyond what the head guarantees (one submitter per request).
 */
public final class InstantPaths {
  private InstantPaths() {}

  /** A path that completes every request at once. */
  public static final class Path implements ProviderPath {
    private final DeviceId id;
    private PathSink sink;
    private long submitted;

    public Path(DeviceId id) {
      this.id = id;
    }

    /** Requests submitted to this path so far. */
    public long submitted() {
      return submitted;
    }

    @Override
    public void attached(PathSink sink) {
      this.sink = sink;
    }

    @Override
    public DeviceId deviceId() {
      return id;
    }

    @Override
    public String transport() {
      return "instant";
    }

    @Override
    public int blockSize() {
      return 512;
    }

    @Override
    public long capacityBlocks() {
      return 1 << 20;
    }

    @Override
    public PathState state() {
      return PathState.LIVE;
    }

    @Override
    public AccessState accessState() {
      return AccessState.OPTIMIZED;
    }

    @Override
    public void submit(IoRequest attempt) {
      submitted++;
      sink.complete(attempt, Disposition.SUCCESS, null);
    }
  }

  /** Attaches instant paths; never reached by URI. */
  public static final class Provider implements MultipathProvider {
    private ProviderContext ctx;

    @Override
    public String name() {
      return "instant";
    }

    @Override
    public boolean supports(URI uri) {
      return false;
    }

    @Override
    public void init(ProviderContext context) {
      this.ctx = context;
    }

    /** Attaches {@code p} (after the provider was given to a built {@code Multipath}). */
    public void attach(Path p) {
      ctx.attach(p);
    }

    @Override
    public CompletableFuture<List<DeviceId>> connect(URI uri) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public String headName(DeviceId id, ProviderPath first) {
      return "instant0";
    }

    @Override
    public void close() {}
  }

  /** A path driven without a head: its completions go straight to the request's callback. */
  public static Path direct(DeviceId id) {
    Path p = new Path(id);
    p.attached(new DirectSink());
    return p;
  }

  private static final class DirectSink implements PathSink {
    @Override
    public String name() {
      return "direct";
    }

    @Override
    public MultipathDevice device() {
      return null;
    }

    @Override
    public void complete(IoRequest attempt, Disposition d, Throwable error) {
      attempt.completion().onComplete(attempt);
    }

    @Override
    public void retry(IoRequest attempt, Throwable error, long delay, TimeUnit unit) {}

    @Override
    public void stateChanged() {}

    @Override
    public void detach() {}
  }
}
