package dev.mpath.wire;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mpath.spi.NetAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-driven I/O engine of both wires (NVMe/TCP and iSCSI, initiator and target): a
 * fixed pool of Netty event loops that every connection of the process shares, whatever the
 * number of paths, sessions, queues or devices. Native epoll when the platform has it, NIO
 * otherwise; pooled direct buffers.
 *
 * <p>Threads: {@link #shared()} has {@code mpath.io.threads} event loops (system property;
 * default: the number of processors), plus at most two resolver threads that exist only
 * while a host name is being resolved (resolution blocks, so it never runs on an event
 * loop). Thread-safe.
 *
 * <p>Buffer leak detection: off unless {@code io.netty.leakDetection.level} is set. Netty's
 * default samples one buffer in 128 with a stack trace, which is an allocation on the data
 * path. Set it ({@code paranoid}) to hunt a buffer leak.
 */
public final class IoEngine {
  private static final Logger LOG = LoggerFactory.getLogger(IoEngine.class);

  /** System property: event loop threads of {@link #shared()}. */
  public static final String THREADS_PROPERTY = "mpath.io.threads";
  /** System property: {@code false} forces NIO even where native epoll is available. */
  public static final String NATIVE_PROPERTY = "mpath.io.native";

  private static volatile IoEngine shared;

  static {
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  private final EventLoopGroup group;
  private final boolean epoll;
  private final int threads;
  private final ExecutorService resolver;

  private IoEngine(int threads, String name, boolean preferNative) {
    this.threads = threads;
    this.epoll = preferNative && Epoll.isAvailable();
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    // FastThreadLocalThreads: Netty keeps its per-thread buffer caches and object pools only
    // on those (4.2 defaults), so on plain threads every buffer and write would allocate
    this.group = new MultiThreadIoEventLoopGroup(threads,
        new ThreadFactoryBuilder().setNameFormat(name + "-%d").setDaemon(true)
            .setThreadFactory(FastThreadLocalThread::new).build(), factory);
    ThreadPoolExecutor r = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        new ThreadFactoryBuilder().setNameFormat(name + "-resolver-%d").setDaemon(true).build());
    r.allowCoreThreadTimeOut(true);
    this.resolver = r;
  }

  /**
   * The process-wide engine, made on first use. Its threads are daemons and live as long as
   * the process.
   */
  public static IoEngine shared() {
    IoEngine e = shared;
    if (e == null) {
      synchronized (IoEngine.class) {
        e = shared;
        if (e == null) {
          int n = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors());
          boolean nat = !"false".equalsIgnoreCase(System.getProperty(NATIVE_PROPERTY));
          e = new IoEngine(Math.max(1, n), "mpath-io", nat);
          shared = e;
          LOG.debug("I/O engine: {} event loops, {}", e.threads, e.epoll ? "epoll" : "NIO");
        }
      }
    }
    return e;
  }

  /** A private engine (tests); {@link #shutdown()} it when done. */
  public static IoEngine create(int threads, String name, boolean preferNative) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads);
    }
    return new IoEngine(threads, name, preferNative);
  }

  /** The event loops. */
  public EventLoopGroup group() {
    return group;
  }

  /** Event loop threads. */
  public int threads() {
    return threads;
  }

  /** Whether the native epoll transport is in use. */
  public boolean isNative() {
    return epoll;
  }

  Class<? extends ServerChannel> serverChannelClass() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  Class<? extends Channel> channelClass() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * Connects to {@code address}: resolves it (a name on a resolver thread, never on an event
   * loop), binds the source address or interface when one is given, and tries each resolved
   * address in turn within {@code timeout} in all. The channel is TCP_NODELAY with
   * SO_KEEPALIVE, and a handler from {@code handler} (a new one per attempt) is its
   * pipeline's first handler, added before the connect.
   *
   * @return completes with the connected channel, or with an {@link IOException} naming the
   *     address (nothing resolved, no source of the right family, refused, timed out)
   */
  public CompletableFuture<Channel> connect(NetAddress address, Duration timeout,
      Supplier<? extends ChannelHandler> handler) {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<List<InetSocketAddress>> resolved;
    if (address.isLiteral() && address.sourceInterface() == null) {
      try {
        resolved = CompletableFuture.completedFuture(address.resolve());
      } catch (IOException e) {
        resolved = CompletableFuture.failedFuture(e);
      }
    } else {
      resolved = CompletableFuture.supplyAsync(() -> {
        try {
          return address.resolve();
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, resolver);
    }
    CompletableFuture<Channel> out = new CompletableFuture<>();
    resolved.whenComplete((list, e) -> {
      if (e != null) {
        Throwable t = e.getCause() != null ? e.getCause() : e;
        out.completeExceptionally(new IOException("cannot connect to " + address + ": "
            + t.getMessage(), t));
        return;
      }
      attempt(address, list, 0, deadline, handler, null, out);
    });
    return out;
  }

  private void attempt(NetAddress address, List<InetSocketAddress> remotes, int i, long deadline,
      Supplier<? extends ChannelHandler> handler, Throwable last, CompletableFuture<Channel> out) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (i >= remotes.size() || left <= 0) {
      Throwable t = last != null ? last
          : new SocketTimeoutException("connect to " + address.hostPort() + " timed out");
      out.completeExceptionally(new IOException("cannot connect to " + address + ": "
          + t.getMessage(), t));
      return;
    }
    InetSocketAddress remote = remotes.get(i);
    InetAddress local;
    try {
      local = address.localFor(remote.getAddress());
    } catch (IOException e) {
      attempt(address, remotes, remotes.size(), deadline, handler, e, out);
      return;
    }
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(channelClass())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, left))
        .handler(handler.get());
    ChannelFuture f = local == null ? b.connect(remote)
        : b.connect(remote, new InetSocketAddress(local, 0));
    f.addListener(done -> {
      if (done.isSuccess()) {
        if (!out.complete(f.channel())) {
          f.channel().close();
        }
      } else {
        attempt(address, remotes, i + 1, deadline, handler, done.cause(), out);
      }
    });
  }

  /** Stops a private engine's threads (the shared one lives with the process). */
  public void shutdown() {
    if (this == shared) {
      throw new IllegalStateException("the shared engine lives as long as the process");
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    resolver.shutdownNow();
  }
}
