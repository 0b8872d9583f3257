package dev.mpath.scsi.iscsi;

import com.google.common.net.HostAndPort;
import dev.mpath.spi.NetAddress;
import java.util.Objects;

/**
 * A TargetAddress text value (RFC 7143 13.8):
 * {@code domainname[:port][,portal-group-tag]}, where the domain name is a DNS host name, a
 * dotted-decimal IPv4 address or a bracketed IPv6 address, and the port defaults to 3260.
 * SendTargets answers with one per portal; a login redirect carries one too. Immutable.
 *
 * @param address the portal
 * @param portalGroupTag the TargetPortalGroupTag, or -1 when the value carries none
 */
public record TargetAddress(NetAddress address, int portalGroupTag) {
  public TargetAddress {
    Objects.requireNonNull(address, "address");
    if (portalGroupTag < -1 || portalGroupTag > 0xFFFF) {
      throw new IllegalArgumentException("portal group tag " + portalGroupTag + " outside 0..65535");
    }
  }

  /**
   * Parses a TargetAddress value. No name lookup.
   *
   * @throws IllegalArgumentException malformed
   */
  public static TargetAddress parse(String value) {
    String hp = value;
    int tag = -1;
    int comma = value.lastIndexOf(',');
    if (comma >= 0) {
      hp = value.substring(0, comma);
      try {
        tag = Integer.parseInt(value.substring(comma + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("TargetAddress '" + value + "': portal group tag is not a number");
      }
    }
    HostAndPort h;
    try {
      h = HostAndPort.fromString(hp).withDefaultPort(IscsiEndpoint.DEFAULT_PORT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TargetAddress '" + value + "': " + e.getMessage(), e);
    }
    return new TargetAddress(NetAddress.of(h.getHost(), h.getPort()), tag);
  }

  /** The text value: {@code host:port[,tag]}, an IPv6 host in brackets. */
  public String format() {
    return address.hostPort() + (portalGroupTag < 0 ? "" : "," + portalGroupTag);
  }

  @Override
  public String toString() {
    return format();
  }
}
