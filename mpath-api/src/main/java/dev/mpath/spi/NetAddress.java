package dev.mpath.spi;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a wire transport connects: a host (IPv4 or IPv6 literal, or a name) and a TCP port,
 * and optionally where the connection leaves from (a source address, like nvme-cli's
 * {@code host_traddr}, or a network interface, like nvme-cli's {@code host_iface} and
 * open-iscsi's {@code iface.net_ifacename}).
 *
 * <p>Building one never resolves a name: {@link #parse} and the constructor look at the
 * text only (a literal is recognised as such without any lookup). {@link #connect} resolves
 * a name, binds the source and connects, and blocks for all of that: call it on a
 * transport's own thread, never on a caller's. Instances are immutable and thread-safe.
 *
 * @param host an IP literal (IPv6 without brackets or zone) or a host name
 * @param port 1..65535
 * @param sourceAddress the local address to bind, an IP literal, or null
 * @param sourceInterface the local interface to leave from (its first address of the
 *     remote's family), or null
 */
public record NetAddress(String host, int port, String sourceAddress, String sourceInterface) {

  public NetAddress {
    Objects.requireNonNull(host, "host");
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("no host");
    }
    if (!InetAddresses.isInetAddress(host) && !isHostName(host)) {
      throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a host name");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " outside 1..65535");
    }
    if (sourceAddress != null && !InetAddresses.isInetAddress(stripBrackets(sourceAddress))) {
      throw new IllegalArgumentException("source address '" + sourceAddress
          + "' is not an IP address");
    }
    if (sourceAddress != null) {
      sourceAddress = stripBrackets(sourceAddress);
    }
    if (sourceInterface != null && (sourceInterface.isEmpty() || sourceInterface.length() > 15)) {
      throw new IllegalArgumentException("interface name '" + sourceInterface + "' must be 1..15 characters");
    }
    if (sourceAddress != null && sourceInterface != null) {
      throw new IllegalArgumentException("give a source address or an interface, not both");
    }
  }

  /** {@code host:port} with no source. */
  public static NetAddress of(String host, int port) {
    return new NetAddress(host, port, null, null);
  }

  /**
   * The host and port of a URI's authority (a bracketed IPv6 literal is accepted), with
   * {@code defaultPort} when the URI has none. No lookup.
   *
   * @throws IllegalArgumentException no host, a bad port or a malformed host
   */
  public static NetAddress parse(URI uri, int defaultPort) {
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw new IllegalArgumentException("no host in " + uri.getScheme() + "://...");
    }
    int at = authority.lastIndexOf('@');
    String hp = at >= 0 ? authority.substring(at + 1) : authority;
    HostAndPort h;
    try {
      h = HostAndPort.fromString(hp).withDefaultPort(defaultPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad host or port '" + hp + "': " + e.getMessage(), e);
    }
    return of(h.getHost(), h.getPort());
  }

  /**
   * The same address, leaving from {@code address} (an IP literal).
   *
   * @throws IllegalArgumentException not an IP literal, or an interface is set already
   */
  public NetAddress withSourceAddress(String address) {
    return new NetAddress(host, port, address, sourceInterface);
  }

  /**
   * The same address, leaving through interface {@code name}.
   *
   * @throws IllegalArgumentException a bad name, or a source address is set already
   */
  public NetAddress withSourceInterface(String name) {
    return new NetAddress(host, port, sourceAddress, name);
  }

  /**
   * The same endpoint in one spelling, for telling whether two addresses name the same
   * port without a lookup: IP literals in their canonical form ({@code ::1} for {@code
   * 0:0:0:0:0:0:0:1}), host names and interface names lower-cased (DNS names are
   * case-insensitive). Two names that resolve to one address stay different.
   */
  public NetAddress normalized() {
    return new NetAddress(canonicalHost(host), port,
        sourceAddress == null ? null : canonicalHost(sourceAddress),
        sourceInterface);
  }

  private static String canonicalHost(String h) {
    if (InetAddresses.isInetAddress(h)) {
      return InetAddresses.toAddrString(InetAddresses.forString(h)); // a literal: no lookup
    }
    return h.toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the host is an IP literal (connecting needs no lookup). */
  public boolean isLiteral() {
    return InetAddresses.isInetAddress(host);
  }

  /** {@code host:port}, an IPv6 host in brackets (for URIs and messages). */
  public String hostPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * The addresses to try: the literal itself, or what the name resolves to. Blocks on name
   * resolution.
   *
   * @throws UnknownHostException the name does not resolve
   */
  public List<InetSocketAddress> resolve() throws UnknownHostException {
    if (isLiteral()) {
      return List.of(new InetSocketAddress(InetAddresses.forString(host), port));
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (InetAddress a : InetAddress.getAllByName(host)) {
      out.add(new InetSocketAddress(a, port));
    }
    return out;
  }

  /**
   * Resolves, binds the source if one was given and connects a blocking, TCP_NODELAY
   * channel, trying each resolved address in turn within {@code timeout} in all. Blocks:
   * call it on a transport thread.
   *
   * @throws IOException nothing resolved, no address of the source's family, or no address
   *     accepted the connection in time (the last failure is the cause)
   */
  public SocketChannel connect(Duration timeout) throws IOException {
    return connect(timeout, (remote, local, millis) -> {
      SocketChannel ch = SocketChannel.open();
      try {
        if (local != null) {
          ch.bind(new InetSocketAddress(local, 0));
        }
        ch.socket().connect(remote, millis);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return ch;
      } catch (IOException e) {
        ch.close();
        throw e;
      }
    });
  }

  /** {@link #connect(Duration)} for a stream socket (TCP_NODELAY and SO_KEEPALIVE on). */
  public Socket connectSocket(Duration timeout) throws IOException {
    return connect(timeout, (remote, local, millis) -> {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        if (local != null) {
          s.bind(new InetSocketAddress(local, 0));
        }
        s.connect(remote, millis);
        return s;
      } catch (IOException e) {
        s.close();
        throw e;
      }
    });
  }

  /** One connection attempt to one resolved address. */
  @FunctionalInterface
  private interface Attempt<T> {
    T connect(InetSocketAddress remote, InetAddress local, int timeoutMillis) throws IOException;
  }

  private <T> T connect(Duration timeout, Attempt<T> attempt) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    for (InetSocketAddress remote : resolve()) {
      long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
      if (left <= 0) {
        break;
      }
      try {
        return attempt.connect(remote, localFor(remote.getAddress()),
            (int) Math.min(Integer.MAX_VALUE, left));
      } catch (IOException e) {
        last = e;
      }
    }
    if (last == null) {
      last = new SocketTimeoutException("connect to " + hostPort() + " timed out");
    }
    throw new IOException("cannot connect to " + this + ": " + last.getMessage(), last);
  }

  /**
   * The local address to bind for {@code remote} (the source address, or an address of the
   * source interface of the same family), or null for the system's choice.
   *
   * @throws SocketException no such interface, or no address of the right family
   */
  public InetAddress localFor(InetAddress remote) throws SocketException, UnknownHostException {
    if (sourceAddress != null) {
      InetAddress a = InetAddresses.forString(sourceAddress);
      if (a instanceof Inet4Address != remote instanceof Inet4Address) {
        throw new SocketException("source address " + sourceAddress + " is not of the family of "
            + remote.getHostAddress());
      }
      return a;
    }
    if (sourceInterface != null) {
      NetworkInterface nif = NetworkInterface.getByName(sourceInterface);
      if (nif == null) {
        throw new SocketException("no network interface '" + sourceInterface + "'");
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        boolean sameFamily = a instanceof Inet6Address == remote instanceof Inet6Address;
        // a link-local IPv6 source only reaches link-local destinations
        if (sameFamily && (!a.isLinkLocalAddress() || remote.isLinkLocalAddress())) {
          return a;
        }
      }
      throw new SocketException("interface " + sourceInterface + " has no address of the family of "
          + remote.getHostAddress());
    }
    return null;
  }

  /** RFC 1123 host name syntax: labels of letters, digits and hyphens, at most 253 characters. */
  static boolean isHostName(String s) {
    if (s.length() > 253) {
      return false;
    }
    String[] labels = s.toLowerCase(Locale.ROOT).split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      String l = labels[i];
      if (l.isEmpty()) {
        if (i == labels.length - 1 && i > 0) {
          continue; // one trailing dot: fully qualified
        }
        return false;
      }
      if (l.length() > 63 || l.charAt(0) == '-' || l.charAt(l.length() - 1) == '-') {
        return false;
      }
      for (int j = 0; j < l.length(); j++) {
        char c = l.charAt(j);
        if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
          return false;
        }
      }
    }
    return true;
  }

  private static String stripBrackets(String s) {
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }

  @Override
  public String toString() {
    return hostPort() + (sourceAddress != null ? " from " + sourceAddress
        : sourceInterface != null ? " via " + sourceInterface : "");
  }
}
