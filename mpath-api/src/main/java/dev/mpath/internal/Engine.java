package dev.mpath.internal;

import dev.mpath.DeviceId;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link dev.mpath.Multipath}: providers, the registry of heads by
 * WWID, name and alias, event delivery and JMX registration.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final List<MultipathProvider> providers;
  private final Scheduler scheduler;
  private final AutoCloseable schedulerOwner;
  private final Executor eventExecutor;
  private final AutoCloseable eventOwner;
  private final HeadConfig config;
  private final Bindings bindings;
  private final Jmx jmx;
  private final Map<String, String> properties;

  private final Object registry = new Object();
  private final Map<DeviceId, Head> byId = new LinkedHashMap<>();
  private final Map<String, Head> byName = new HashMap<>();
  private final List<Consumer<? super MultipathEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * @param schedulerOwner closed with the engine (the default scheduler), or null
   * @param eventOwner closed with the engine (the default event thread), or null
   * @param bindings user-friendly names, or null when off
   * @param jmxDomain MBean domain, or null for no JMX
   */
  public Engine(
      List<MultipathProvider> providers,
      Scheduler scheduler,
      AutoCloseable schedulerOwner,
      Executor eventExecutor,
      AutoCloseable eventOwner,
      HeadConfig config,
      Bindings bindings,
      String jmxDomain,
      Map<String, String> properties) {
    this.providers = List.copyOf(providers);
    this.scheduler = scheduler;
    this.schedulerOwner = schedulerOwner;
    this.eventExecutor = eventExecutor;
    this.eventOwner = eventOwner;
    this.config = config;
    this.bindings = bindings;
    this.jmx = jmxDomain == null ? null : new Jmx(jmxDomain);
    this.properties = Map.copyOf(properties);
    for (MultipathProvider p : this.providers) {
      p.init(new Context(p));
    }
  }

  Scheduler scheduler() {
    return scheduler;
  }

  public List<MultipathProvider> providers() {
    return providers;
  }

  // ------------------------------------------------------------------ connect

  public CompletableFuture<List<MultipathDevice>> connect(URI uri) {
    Objects.requireNonNull(uri, "uri");
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    for (MultipathProvider p : providers) {
      if (p.supports(uri)) {
        CompletableFuture<List<DeviceId>> f;
        try {
          f = p.connect(uri);
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
        return f.thenApply(
            ids -> {
              List<MultipathDevice> out = new ArrayList<>();
              for (DeviceId id : ids) {
                device(id).ifPresent(out::add);
              }
              return out;
            });
      }
    }
    return CompletableFuture.failedFuture(
        new IllegalArgumentException(
            "no provider for '" + uri + "' (scheme '" + uri.getScheme() + "'; providers: "
                + providers.stream().map(MultipathProvider::name).toList() + ")"));
  }

  // ------------------------------------------------------------------ registry

  public List<MultipathDevice> devices() {
    synchronized (registry) {
      return List.copyOf(byId.values());
    }
  }

  public Optional<MultipathDevice> device(DeviceId id) {
    synchronized (registry) {
      return Optional.ofNullable(byId.get(id));
    }
  }

  /** By name or alias. */
  public Optional<MultipathDevice> device(String name) {
    synchronized (registry) {
      return Optional.ofNullable(byName.get(name));
    }
  }

  PathSink attach(MultipathProvider provider, ProviderPath path) {
    Objects.requireNonNull(path, "path");
    DeviceId id = Objects.requireNonNull(path.deviceId(), "path.deviceId()");
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Head created = null;
    Head head;
    synchronized (registry) {
      head = byId.get(id);
      if (head != null && !head.isPresent()) {
        forget(head);
        head = null;
      }
      if (head != null && !head.protocol().equals(provider.name())) {
        throw new IllegalStateException(
            "WWID " + id + " already belongs to " + head.name() + " of provider "
                + head.protocol());
      }
      if (head == null) {
        String name = provider.headName(id, path);
        if (byName.containsKey(name)) {
          throw new IllegalStateException(
              "head name " + name + " for " + id + " is already taken by "
                  + byName.get(name).id());
        }
        String alias = null;
        if (bindings != null) {
          try {
            alias = bindings.aliasFor(id.toString());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot bind an alias for " + id, e);
          }
          if (byName.containsKey(alias)) {
            throw new IllegalStateException("alias " + alias + " is already a head's name");
          }
        }
        head = new Head(this, provider, id, name, alias, path, config);
        byId.put(id, head);
        byName.put(name, head);
        if (alias != null) {
          byName.put(alias, head);
        }
        created = head;
      }
    }
    if (created != null) {
      publish(new MultipathEvent.HeadCreated(created));
    }
    return head.addPath(path);
  }

  /** A head is gone (delayed removal expired, or no delay). */
  void removed(Head head) {
    synchronized (registry) {
      if (byId.get(head.id()) != head) {
        return;
      }
      forget(head);
    }
    publish(new MultipathEvent.HeadRemoved(head));
  }

  private void forget(Head head) {
    byId.remove(head.id());
    byName.remove(head.name(), head);
    head.alias().ifPresent(a -> byName.remove(a, head));
  }

  // ------------------------------------------------------------------ events

  public void addListener(Consumer<? super MultipathEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<? super MultipathEvent> listener) {
    listeners.remove(listener);
  }

  void publish(MultipathEvent e) {
    if (jmx != null) {
      if (e instanceof MultipathEvent.HeadCreated) {
        jmx.register(e.device());
      } else if (e instanceof MultipathEvent.HeadRemoved) {
        e.device().paths().forEach(p -> jmx.unregister(e.device(), p));
        jmx.unregister(e.device());
      } else if (e instanceof MultipathEvent.PathAdded) {
        jmx.register(e.device(), ((MultipathEvent.PathAdded) e).path());
      } else if (e instanceof MultipathEvent.PathRemoved) {
        jmx.unregister(e.device(), ((MultipathEvent.PathRemoved) e).path());
      }
    }
    if (listeners.isEmpty()) {
      return;
    }
    try {
      eventExecutor.execute(
          () -> {
            for (Consumer<? super MultipathEvent> l : listeners) {
              try {
                l.accept(e);
              } catch (RuntimeException ex) {
                LOG.warn("event listener failed on {}", e, ex);
              }
            }
          });
    } catch (RuntimeException rejected) {
      LOG.debug("event {} dropped: {}", e, rejected.toString());
    }
  }

  // ------------------------------------------------------------------ close

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (MultipathProvider p : providers) {
      try {
        p.close();
      } catch (RuntimeException e) {
        LOG.warn("provider {} failed to close", p.name(), e);
      }
    }
    for (MultipathDevice d : devices()) {
      ((Head) d).close();
    }
    closeQuietly(eventOwner);
    closeQuietly(schedulerOwner);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("close failed", e);
    }
  }

  private final class Context implements ProviderContext {
    private final MultipathProvider provider;

    Context(MultipathProvider provider) {
      this.provider = provider;
    }

    @Override
    public PathSink attach(ProviderPath path) {
      return Engine.this.attach(provider, path);
    }

    @Override
    public Scheduler scheduler() {
      return scheduler;
    }

    @Override
    public Optional<String> property(String key) {
      return Optional.ofNullable(properties.get(key));
    }
  }
}
