package dev.mpath.spi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept side of a wire target listener (NVMe/TCP, iSCSI): a TCP server socket on a
 * loopback address, an accept thread, and a cap on open connections. What a connection
 * does is the listener's business; this class only hands it a connected, blocking,
 * TCP_NODELAY channel. Only loopback addresses are accepted: the bundled targets never
 * listen on a network. Thread-safe.
 */
public final class LoopbackServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackServer.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(LoopbackServer.class, 1000);

  /** Takes over one accepted connection (registers and starts it). */
  @FunctionalInterface
  public interface Acceptor {
    /**
     * @param seq a number for this connection, 1, 2, ... (for thread names)
     * @throws IOException to refuse it: the channel is closed
     */
    void accept(SocketChannel channel, int seq) throws IOException;
  }

  private final String what;
  private final ServerSocketChannel server;
  private final int maxConnections;
  private final IntSupplier openConnections;
  private final Acceptor acceptor;
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean closed;

  private LoopbackServer(String what, ServerSocketChannel server, int maxConnections,
      IntSupplier openConnections, Acceptor acceptor) {
    this.what = what;
    this.server = server;
    this.maxConnections = maxConnections;
    this.openConnections = openConnections;
    this.acceptor = acceptor;
  }

  /**
   * Binds {@code address} (a loopback address; port 0 for an ephemeral one) and starts the
   * accept thread.
   *
   * @param what names the listener in thread names and logs ("NVMe/TCP listener")
   * @param openConnections how many of its connections are open now (checked against the cap)
   * @throws IllegalArgumentException if the address is not a loopback address
   */
  public static LoopbackServer start(String what, InetSocketAddress address, int maxConnections,
      IntSupplier openConnections, Acceptor acceptor) throws IOException {
    requireLoopback(address.getAddress());
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(address, 64);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    LoopbackServer s = new LoopbackServer(what, server, maxConnections, openConnections, acceptor);
    Thread t = new Thread(s::acceptLoop, what.replace(' ', '-') + "-" + s.port());
    t.setDaemon(true);
    t.start();
    return s;
  }

  /** Refuses anything but a loopback address (127.0.0.0/8, ::1). */
  public static InetAddress requireLoopback(InetAddress address) {
    if (address == null || !address.isLoopbackAddress()) {
      throw new IllegalArgumentException("loopback addresses only: " + address);
    }
    return address;
  }

  /** {@code host:port}, an IPv6 host in brackets and without its scope. */
  public static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      int pct = host.indexOf('%');
      host = "[" + (pct >= 0 ? host.substring(0, pct) : host) + "]";
    }
    return host + ":" + a.getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException(what + " closed", e);
    }
  }

  /** The bound TCP port. */
  public int port() {
    return address().getPort();
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("{} {}: accept failed, stopping", what, server.socket().getLocalPort(), e);
        }
        return;
      }
      if (closed || openConnections.getAsInt() >= maxConnections) {
        if (!closed) {
          RLOG.warn("{} {}: {} connections open, refusing another", what, port(), maxConnections);
        }
        closeQuietly(ch);
        continue;
      }
      try {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        acceptor.accept(ch, seq.incrementAndGet());
      } catch (IOException | RuntimeException e) {
        RLOG.warn("{} {}: could not take a connection: {}", what, port(), e.toString());
        closeQuietly(ch);
      }
    }
  }

  /** Stops accepting (open connections are the listener's to close). Idempotent. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing useful to do at close
    }
  }
}
