package dev.mpath.scsi.target;

import java.util.Objects;

/**
 * Identity of one I_T nexus: an initiator port name times a relative target port identifier.
 *
 * <p>The initiator port name is the transport's name for the initiator port, e.g. the iSCSI
 * form {@code "iqn.1994-05.com.example:host-a,i,0x00023d000001"} (name, {@code ",i,0x"}, ISID).
 * Persistent reservations, unit attentions and READ FULL STATUS TransportIDs are keyed by it.
 *
 * @param initiatorPort initiator port name, non-empty
 * @param relativeTargetPort RELATIVE TARGET PORT IDENTIFIER, 1..65535
 */
public record Nexus(String initiatorPort, int relativeTargetPort) {

  /** Validates the fields. */
  public Nexus {
    Objects.requireNonNull(initiatorPort, "initiatorPort");
    if (initiatorPort.isEmpty()) {
      throw new IllegalArgumentException("empty initiator port name");
    }
    if (relativeTargetPort < 1 || relativeTargetPort > 0xFFFF) {
      throw new IllegalArgumentException(
          "relative target port id out of range 1..65535: " + relativeTargetPort);
    }
  }

  /** {@code initiatorPort@relativeTargetPort}. */
  @Override
  public String toString() {
    return initiatorPort + "@" + relativeTargetPort;
  }
}
