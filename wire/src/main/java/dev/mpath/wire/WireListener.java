package dev.mpath.wire;

import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.TcpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The accept side of a wire target listener (NVMe/TCP, iSCSI) on the {@link IoEngine}: a
 * bound server channel, a cap on open connections, and a hand-over of each accepted
 * TCP_NODELAY channel to the listener, which builds its pipeline. Accepting takes no thread
 * of its own. Thread-safe.
 *
 * <p>At the cap, a new connection is taken by closing the oldest one that has not finished
 * its setup (iSCSI login, NVMe/TCP Connect), so connections that open and say nothing cannot
 * keep a portal from real clients; it is refused only when every open connection is
 * established (see {@link TcpServer.Connections}).
 */
public final class WireListener implements AutoCloseable {
  private static final RateLimitedLog RLOG = new RateLimitedLog(WireListener.class, 1000);

  /** Takes over one accepted connection: adds its handlers (on the channel's event loop). */
  @FunctionalInterface
  public interface Acceptor {
    /**
     * @param seq a number for this connection, 1, 2, ... (for names in logs)
     * @throws RuntimeException to refuse it: the channel is closed
     */
    void accept(Channel channel, int seq);
  }

  private final String what;
  private final Channel server;
  private volatile boolean closed;

  private WireListener(String what, Channel server) {
    this.what = what;
    this.server = server;
  }

  /**
   * Binds {@code address} (port 0 for an ephemeral one; a wildcard address listens on every
   * interface) and starts accepting on the engine's event loops.
   *
   * @param what names the listener in logs ("NVMe/TCP listener")
   * @param connections the listener's open connections: counted against the cap, and the
   *     oldest one still setting up evicted at the cap
   * @throws IOException the address cannot be bound
   */
  public static WireListener start(IoEngine engine, String what, InetSocketAddress address,
      int maxConnections, TcpServer.Connections connections, Acceptor acceptor)
      throws IOException {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max connections " + maxConnections);
    }
    AtomicInteger seq = new AtomicInteger();
    WireListener[] self = new WireListener[1];
    ServerBootstrap b = new ServerBootstrap()
        .group(engine.group())
        .channel(engine.serverChannelClass())
        .option(ChannelOption.SO_BACKLOG, 64)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            WireListener l = self[0];
            if (l == null || l.closed) {
              ch.close();
              return;
            }
            if (connections.open() >= maxConnections) {
              if (connections.evictOldestSettingUp()) {
                RLOG.warn("{} {}: {} connections open; closed the oldest one still not set up"
                    + " to take another", what, l.port(), maxConnections);
              } else {
                RLOG.warn("{} {}: {} connections open, all established; refusing another",
                    what, l.port(), maxConnections);
                ch.close();
                return;
              }
            }
            try {
              acceptor.accept(ch, seq.incrementAndGet());
            } catch (RuntimeException e) {
              RLOG.warn("{} {}: could not take a connection: {}", what, l.port(), e.toString());
              ch.close();
            }
          }
        });
    io.netty.channel.ChannelFuture bound = b.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable t = bound.cause();
      if (t instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot listen on " + address + ": " + t, t);
    }
    Channel server = bound.channel();
    WireListener l = new WireListener(what, server);
    self[0] = l;
    return l;
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** The bound TCP port. */
  public int port() {
    return address().getPort();
  }

  /** Stops accepting (open connections are the listener's to close). Idempotent. */
  @Override
  public void close() {
    closed = true;
    server.close().syncUninterruptibly();
  }
}
