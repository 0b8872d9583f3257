package dev.mpath.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept side of a wire target listener (NVMe/TCP, iSCSI): a TCP server socket on the
 * address it is told (the listeners default to 127.0.0.1; {@code mpath serve --listen}
 * chooses another), an accept thread, and a cap on open connections. What a connection
 * does is the listener's business; this class only hands it a connected, blocking,
 * TCP_NODELAY channel. Thread-safe.
 *
 * <p>At the cap, a new connection is taken by closing the oldest one that has still not
 * finished its setup (iSCSI login, NVMe/TCP Connect), so connections that open and then
 * say nothing cannot keep a portal from real clients until their setup timeout; it is
 * refused only when every open connection is established.
 */
public final class TcpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(TcpServer.class, 1000);

  /** What the listener knows of its open connections. */
  public interface Connections {
    /** How many are open now (checked against the cap). */
    int open();

    /**
     * Closes the oldest connection that has not finished its setup; false when there is
     * none (every open connection is established).
     */
    boolean evictOldestSettingUp();
  }

  /**
   * The {@link Connections} of a listener that keeps its connections in {@code all}: counted
   * by its size; at the cap the one with the smallest {@code seq} among those
   * {@code settingUp} is given to {@code evict}.
   */
  public static <C> Connections connections(java.util.Collection<C> all,
      Predicate<? super C> settingUp, ToLongFunction<? super C> seq, Consumer<? super C> evict) {
    return new Connections() {
      @Override
      public int open() {
        return all.size();
      }

      @Override
      public boolean evictOldestSettingUp() {
        C oldest = null;
        for (C c : all) {
          if (settingUp.test(c)
              && (oldest == null || seq.applyAsLong(c) < seq.applyAsLong(oldest))) {
            oldest = c;
          }
        }
        if (oldest == null) {
          return false;
        }
        evict.accept(oldest);
        return true;
      }
    };
  }

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
  private final Connections connections;
  private final Acceptor acceptor;
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean closed;

  private TcpServer(String what, ServerSocketChannel server, int maxConnections,
      Connections connections, Acceptor acceptor) {
    this.what = what;
    this.server = server;
    this.maxConnections = maxConnections;
    this.connections = connections;
    this.acceptor = acceptor;
  }

  /**
   * Binds {@code address} (port 0 for an ephemeral one; a wildcard address listens on
   * every interface) and starts the accept thread.
   *
   * @param what names the listener in thread names and logs ("NVMe/TCP listener")
   * @param connections the listener's open connections: counted against the cap, and the
   *     oldest one still setting up evicted at the cap
   */
  public static TcpServer start(String what, InetSocketAddress address, int maxConnections,
      Connections connections, Acceptor acceptor) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(address, 64);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    TcpServer s = new TcpServer(what, server, maxConnections, connections, acceptor);
    Thread t = new Thread(s::acceptLoop, what.replace(' ', '-') + "-" + s.port());
    t.setDaemon(true);
    t.start();
    return s;
  }

  /**
   * What a listener reports (discovery log, SendTargets) for a port bound at {@code bound}:
   * {@code host} when one was configured, else the bound address; always the bound port.
   */
  public static NetAddress advertised(String host, InetSocketAddress bound) {
    if (host != null) {
      return NetAddress.of(host, bound.getPort());
    }
    String h = bound.getAddress().getHostAddress();
    int pct = h.indexOf('%');
    return NetAddress.of(pct >= 0 ? h.substring(0, pct) : h, bound.getPort());
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
      if (!closed && connections.open() >= maxConnections) {
        if (connections.evictOldestSettingUp()) {
          RLOG.warn("{} {}: {} connections open; closed the oldest one still not set up to take"
              + " another", what, port(), maxConnections);
        } else {
          RLOG.warn("{} {}: {} connections open, all established; refusing another", what,
              port(), maxConnections);
          closeQuietly(ch);
          continue;
        }
      }
      if (closed) {
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
