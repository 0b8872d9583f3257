package dev.mpath;

import dev.mpath.internal.Bindings;
import dev.mpath.internal.Engine;
import dev.mpath.internal.HeadConfig;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The entry point: a set of providers and the multipath heads they feed.
 *
 * <pre>{@code
 * try (Multipath mp = Multipath.builder().ioPolicy(IoPolicy.roundRobin()).build()) {
 *   MultipathDevice dev = mp.connect(URI.create("nvme+loop://demo/nqn.2024-01.dev.mpath:sub1"))
 *       .join().get(0);
 *   dev.write(0, ByteBuffer.wrap(data)).join();
 * }
 * }</pre>
 *
 * <p>Providers are found with {@link ServiceLoader} (module path or class path) unless
 * {@link Builder#discoverProviders(boolean)} turns that off; explicitly added providers come
 * first. Each instance gets its own provider instances.
 *
 * <p>Thread-safe. {@link #close()} disconnects every provider, removes every head and fails
 * queued I/O with {@link NoPathException}.
 */
public final class Multipath implements AutoCloseable {
  private final Engine engine;

  private Multipath(Engine engine) {
    this.engine = engine;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to a target URI ({@code nvme+loop://}, {@code nvme+tcp://},
   * {@code scsi+loop://}, {@code iscsi://}, or a plugin's scheme) and attaches every path
   * found there. Completes with the heads that the URI reached, or exceptionally with
   * {@link IllegalArgumentException} (no provider for the scheme, malformed URI) or an
   * {@link java.io.IOException} (unreachable).
   */
  public CompletableFuture<List<MultipathDevice>> connect(URI uri) {
    return engine.connect(uri);
  }

  /** Every head, in creation order. */
  public List<MultipathDevice> devices() {
    return engine.devices();
  }

  /** The head with this name ({@code nvme1n1}, {@code sda}) or alias ({@code mpatha}). */
  public Optional<MultipathDevice> device(String nameOrAlias) {
    return engine.device(nameOrAlias);
  }

  /** The head of this WWID. */
  public Optional<MultipathDevice> device(DeviceId id) {
    return engine.device(id);
  }

  /** The providers in use, in the order URIs are offered to them. */
  public List<String> providers() {
    return engine.providers().stream().map(MultipathProvider::name).toList();
  }

  /** Adds an event listener (see {@link MultipathEvent} for the delivery contract). */
  public void addListener(Consumer<? super MultipathEvent> listener) {
    engine.addListener(listener);
  }

  /** Removes a listener added before. */
  public void removeListener(Consumer<? super MultipathEvent> listener) {
    engine.removeListener(listener);
  }

  @Override
  public void close() {
    engine.close();
  }

  /** Configures a {@link Multipath}. Not thread-safe; {@link #build()} may be called once. */
  public static final class Builder {
    private final List<MultipathProvider> providers = new ArrayList<>();
    private boolean discover = true;
    private Scheduler scheduler;
    private Executor eventExecutor;
    private IoPolicy ioPolicy = IoPolicy.numa();
    private int maxRetries = 5;
    private Duration delayedRemoval = Duration.ZERO;
    private Duration queueTimeout = Duration.ofSeconds(120);
    private Duration checkInterval = Duration.ofSeconds(5);
    private Duration checkTimeout = Duration.ofSeconds(30);
    private Path bindingsFile;
    private String aliasPrefix = "mpath";
    private String jmxDomain = "dev.mpath";
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    /** Adds a provider explicitly (tried before discovered ones). */
    public Builder provider(MultipathProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Whether to add the providers {@link ServiceLoader} finds (default true). */
    public Builder discoverProviders(boolean discover) {
      this.discover = discover;
      return this;
    }

    /** Time source and timer (default: the system clock and one daemon thread). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where listeners run (default: one daemon thread, events in order). */
    public Builder eventExecutor(Executor executor) {
      this.eventExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** I/O policy of new heads (default {@code numa}, as Linux NVMe). */
    public Builder ioPolicy(IoPolicy policy) {
      this.ioPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Same-path retries before the error reaches the caller (default 5). */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * How long a head outlives its last path with I/O queued (Linux
     * {@code delayed_removal_secs}); also turns on queue-if-no-path. Default zero: off.
     */
    public Builder delayedRemoval(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("negative delayed removal");
      }
      this.delayedRemoval = delay;
      return this;
    }

    /** Longest wait of a request for a usable path (default 120 s). */
    public Builder queueTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("queue timeout must be positive");
      }
      this.queueTimeout = timeout;
      return this;
    }

    /** Path checker period (default 5 s, as multipathd's polling interval); zero: off. */
    public Builder checkInterval(Duration interval) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("negative check interval");
      }
      this.checkInterval = interval;
      return this;
    }

    /**
     * Bound of one path check (default 30 s, multipathd's checker_timeout default: the SCSI
     * command timeout). A check that has not answered by then counts as failed and faults
     * the path; a path may set its own ({@link dev.mpath.spi.ProviderPath#checkTimeout}).
     */
    public Builder checkTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("check timeout must be positive");
      }
      this.checkTimeout = timeout;
      return this;
    }

    /**
     * Turns user-friendly names on: heads get aliases ({@code mpatha}, ...) bound to their
     * WWIDs in this multipath-tools-format bindings file.
     */
    public Builder userFriendlyNames(Path bindingsFile) {
      this.bindingsFile = Objects.requireNonNull(bindingsFile, "bindingsFile");
      return this;
    }

    /** Prefix of generated aliases (default {@code mpath}). */
    public Builder aliasPrefix(String prefix) {
      this.aliasPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** MBean domain (default {@code dev.mpath}); {@code null} turns JMX off. */
    public Builder jmxDomain(String domain) {
      this.jmxDomain = domain;
      return this;
    }

    /** A provider setting (for example a host NQN or an initiator name). */
    public Builder property(String key, String value) {
      properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the instance and initialises its providers.
     *
     * @throws UncheckedIOException if the bindings file cannot be read or is malformed (the
     *     cause names the line)
     */
    public Multipath build() {
      List<MultipathProvider> all = new ArrayList<>(providers);
      if (discover) {
        for (MultipathProvider p : ServiceLoader.load(MultipathProvider.class)) {
          if (all.stream().noneMatch(q -> q.name().equals(p.name()))) {
            all.add(p);
          }
        }
      }
      Bindings bindings = null;
      if (bindingsFile != null) {
        try {
          bindings = Bindings.open(bindingsFile, aliasPrefix);
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
      SystemScheduler ownScheduler = scheduler == null ? new SystemScheduler("mpath-timer") : null;
      ExecutorService ownEvents =
          eventExecutor == null
              ? Executors.newSingleThreadExecutor(
                  r -> {
                    Thread t = new Thread(r, "mpath-events");
                    t.setDaemon(true);
                    return t;
                  })
              : null;
      HeadConfig config =
          new HeadConfig(ioPolicy, maxRetries, delayedRemoval, queueTimeout, checkInterval,
              checkTimeout);
      return new Multipath(
          new Engine(
              all,
              ownScheduler != null ? ownScheduler : scheduler,
              ownScheduler,
              ownEvents != null ? ownEvents : eventExecutor,
              ownEvents == null ? null : ownEvents::shutdownNow,
              config,
              bindings,
              jmxDomain,
              properties));
    }
  }
}
