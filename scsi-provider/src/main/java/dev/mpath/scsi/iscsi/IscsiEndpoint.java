package dev.mpath.scsi.iscsi;

import com.google.common.base.Splitter;
import dev.mpath.spi.NetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where one iSCSI session goes, from
 * {@code iscsi://[user%secret@]host[:port][/<target iqn>[/<lun>]][?options]} (the libiscsi URL
 * form; the port defaults to 3260).
 *
 * <ul>
 *   <li>With a target name and a LUN: that LU through that portal (one path).
 *   <li>With a target name and no LUN ({@link #ALL_LUNS}): every LUN the target reports
 *       (REPORT LUNS) through that portal.
 *   <li>With neither: a discovery portal; SendTargets lists the targets and their portals,
 *       and every portal of every target is logged in.
 * </ul>
 *
 * <p>The host is an IPv4 literal, a bracketed IPv6 literal or a name; parsing never looks a
 * name up (the transport resolves it when it connects, on its own thread). Options:
 * {@code iface.ipaddress=ADDR} binds that source address and {@code iface.net_ifacename=NAME}
 * leaves through that interface (open-iscsi's iface record names).
 *
 * <p>Credentials: {@code java.net.URI} only accepts a '%' followed by two hex digits, so the
 * libiscsi separator must be written {@code %25} in a Java URI
 * ({@code iscsi://tgtpeer%25tgtpeersecret1@127.0.0.1:3260/...}); {@code user:secret} is
 * accepted too. Secrets never appear in {@link #toString()} or {@link #address()}.
 *
 * @param portal the portal's address and the optional source
 * @param targetName the target's iSCSI name, or null for a discovery portal
 * @param lun the LUN, or {@link #ALL_LUNS}
 */
public record IscsiEndpoint(NetAddress portal, String targetName, int lun, String user, String secret) {
  public static final int DEFAULT_PORT = 3260;
  /** {@link #lun()} of an endpoint that names every LUN of its target. */
  public static final int ALL_LUNS = -1;

  public IscsiEndpoint {
    Objects.requireNonNull(portal, "portal");
    if (targetName != null && (targetName.isEmpty() || targetName.length() > 223)) {
      throw new IllegalArgumentException("target name must be 1..223 bytes (RFC 3722)");
    }
    if (lun != ALL_LUNS && (lun < 0 || lun > dev.mpath.scsi.proto.Lun.MAX_FLAT_LUN)) {
      throw new IllegalArgumentException("LUN " + lun + " outside 0.." + dev.mpath.scsi.proto.Lun.MAX_FLAT_LUN);
    }
    if (targetName == null && lun != ALL_LUNS) {
      throw new IllegalArgumentException("a LUN needs a target name");
    }
    if ((user == null) != (secret == null)) {
      throw new IllegalArgumentException("CHAP needs both a user and a secret");
    }
  }

  /** One LU through {@code host:port}. */
  public IscsiEndpoint(String host, int port, String targetName, int lun, String user, String secret) {
    this(NetAddress.of(host, port), targetName, lun, user, secret);
  }

  /** Parses an {@code iscsi://} URI; see the class comment. No name lookup. */
  public static IscsiEndpoint parse(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("iscsi")) {
      throw new IllegalArgumentException("not an iscsi:// URI: " + safe(uri));
    }
    NetAddress portal;
    try {
      portal = NetAddress.parse(uri, DEFAULT_PORT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected iscsi://[user%secret@]host[:port][/<target iqn>[/<lun>]], got "
          + safe(uri) + ": " + e.getMessage(), e);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String[] parts = path.isEmpty() ? new String[] {""} : path.split("/", -1);
    if (parts.length > 3 || !parts[0].isEmpty() || parts.length >= 2 && parts[1].isEmpty()
        || parts.length == 3 && parts[2].isEmpty()) {
      throw new IllegalArgumentException("expected iscsi://[user%secret@]host[:port][/<target iqn>[/<lun>]], got "
          + safe(uri));
    }
    String target = parts.length >= 2 ? decode(parts[1]) : null;
    int lun = ALL_LUNS;
    if (parts.length == 3) {
      try {
        lun = Integer.parseInt(parts[2]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("LUN '" + parts[2] + "' is not a number in " + safe(uri));
      }
      if (lun < 0) {
        throw new IllegalArgumentException("LUN " + lun + " is negative in " + safe(uri));
      }
    }
    String q = uri.getRawQuery();
    if (q != null) {
      for (String kv : Splitter.on('&').omitEmptyStrings().split(q)) {
        int eq = kv.indexOf('=');
        String k = eq < 0 ? kv : kv.substring(0, eq);
        String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
        switch (k) {
          case "iface.ipaddress" -> portal = portal.withSourceAddress(v);
          case "iface.net_ifacename" -> portal = portal.withSourceInterface(v);
          default -> throw new IllegalArgumentException("unknown option '" + k + "' in " + safe(uri)
              + " (iface.ipaddress, iface.net_ifacename)");
        }
      }
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
    return new IscsiEndpoint(portal, target, lun, user, secret);
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

  /** The portal's host (a literal or a name, as given). */
  public String host() {
    return portal.host();
  }

  /** The portal's TCP port. */
  public int port() {
    return portal.port();
  }

  /** Whether CHAP credentials were given. */
  public boolean hasCredentials() {
    return user != null;
  }

  /** Whether this names a discovery portal (no target). */
  public boolean isDiscovery() {
    return targetName == null;
  }

  /** The same credentials and source, another portal, target and LUN (a discovered one). */
  public IscsiEndpoint to(NetAddress where, String target, int lunNumber) {
    NetAddress a = portal.sourceAddress() != null ? where.withSourceAddress(portal.sourceAddress())
        : portal.sourceInterface() != null ? where.withSourceInterface(portal.sourceInterface())
        : where;
    return new IscsiEndpoint(a, target, lunNumber, user, secret);
  }

  /** The same endpoint for one LUN. */
  public IscsiEndpoint withLun(int lunNumber) {
    return new IscsiEndpoint(portal, targetName, lunNumber, user, secret);
  }

  /** {@code iscsi://host:port[/<target>[/<lun>]]}, without credentials. */
  public String address() {
    return "iscsi://" + portal.hostPort() + (targetName == null ? "" : "/" + targetName
        + (lun == ALL_LUNS ? "" : "/" + lun));
  }

  @Override
  public String toString() {
    return address() + (user == null ? "" : " (CHAP user " + user + ")");
  }
}
