package dev.mpath.scsi.iscsi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Where one iSCSI nexus goes, from {@code iscsi://[user%secret@]host[:port]/<target iqn>/<lun>}
 * (the libiscsi URL form; port defaults to 3260).
 *
 * <p>Credentials: {@code java.net.URI} only accepts a '%' followed by two hex digits, so the
 * libiscsi separator must be written {@code %25} in a Java URI
 * ({@code iscsi://tgtpeer%25tgtpeersecret1@127.0.0.1:3260/...}); {@code user:secret} is
 * accepted too. Secrets never appear in {@link #toString()} or {@link #address()}.
 *
 * <p>Only loopback addresses are accepted (this transport is for tests and local targets):
 * anything else is refused with {@link IllegalArgumentException}.
 */
public record IscsiEndpoint(String host, int port, String targetName, int lun, String user, String secret) {
  public static final int DEFAULT_PORT = 3260;

  public IscsiEndpoint {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("no host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port);
    }
    if (targetName != null && (targetName.isEmpty() || targetName.length() > 223)) {
      throw new IllegalArgumentException("target name must be 1..223 bytes (RFC 3722)");
    }
    if (lun < 0 || lun > dev.mpath.scsi.proto.Lun.MAX_FLAT_LUN) {
      throw new IllegalArgumentException("LUN " + lun + " outside 0.." + dev.mpath.scsi.proto.Lun.MAX_FLAT_LUN);
    }
    if ((user == null) != (secret == null)) {
      throw new IllegalArgumentException("CHAP needs both a user and a secret");
    }
  }

  /** Parses an {@code iscsi://} URI; see the class comment. */
  public static IscsiEndpoint parse(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("iscsi")) {
      throw new IllegalArgumentException("not an iscsi:// URI: " + safe(uri));
    }
    String host = uri.getHost();
    if (host == null) {
      throw new IllegalArgumentException("expected iscsi://[user%secret@]host:port/<target iqn>/<lun>, got "
          + safe(uri));
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String[] parts = path.split("/");
    if (parts.length != 3 || !parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new IllegalArgumentException("expected iscsi://[user%secret@]host:port/<target iqn>/<lun>, got "
          + safe(uri));
    }
    int lun;
    try {
      lun = Integer.parseInt(parts[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("LUN '" + parts[2] + "' is not a number in " + safe(uri));
    }
    String user = null;
    String secret = null;
    String raw = uri.getRawUserInfo();
    if (raw != null) {
      int colon = raw.indexOf(':');
      if (colon >= 0) {
        user = decode(raw.substring(0, colon));
        secret = decode(raw.substring(colon + 1));
      } else {
        String all = decode(raw);
        int pct = all.indexOf('%');
        if (pct <= 0 || pct == all.length() - 1) {
          throw new IllegalArgumentException("credentials must be user%secret (written user%25secret in a URI)"
              + " or user:secret in " + safe(uri));
        }
        user = all.substring(0, pct);
        secret = all.substring(pct + 1);
      }
    }
    IscsiEndpoint e = new IscsiEndpoint(host, port, decode(parts[1]), lun, user, secret);
    e.checkLoopbackLiteral();
    return e;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The URI without credentials, for messages. */
  static String safe(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.getScheme() + "://***@" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  private void checkLoopbackLiteral() {
    // Refuse early what is certainly not loopback; names are checked after resolution.
    if (Character.digit(host.charAt(0), 16) >= 0 || host.contains(":")) {
      try {
        socketAddress();
      } catch (UnknownHostException ignored) {
        // a name after all; resolved at login
      }
    }
  }

  /** Whether CHAP credentials were given. */
  public boolean hasCredentials() {
    return user != null;
  }

  /** {@code iscsi://host:port/<target>/<lun>}, without credentials. */
  public String address() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "iscsi://" + h + ":" + port + "/" + targetName + "/" + lun;
  }

  /**
   * The resolved portal; refuses anything but a loopback address.
   *
   * @throws IllegalArgumentException for a non-loopback address
   */
  public InetSocketAddress socketAddress() throws UnknownHostException {
    InetAddress a = InetAddress.getByName(host);
    if (!a.isLoopbackAddress()) {
      throw new IllegalArgumentException("iSCSI portal " + host + " (" + a.getHostAddress()
          + ") is not a loopback address; this initiator only connects to 127.0.0.0/8 or ::1");
    }
    return new InetSocketAddress(a, port);
  }

  @Override
  public String toString() {
    return address() + (user == null ? "" : " (CHAP user " + user + ")");
  }
}
