package dev.mpath.nvme.proto;

import java.util.Arrays;

/**
 * One registrant in a {@link ReservationStatus}: the Registered Controller data structure
 * (24 bytes: bytes 01:00 CNTLID, byte 02 RCSTS, 07:03 reserved, 15:08 HOSTID, 23:16 RKEY) or
 * the Registered Controller Extended data structure (64 bytes: 01:00 CNTLID, 02 RCSTS, 07:03
 * reserved, 15:08 RKEY, 31:16 HOSTID, 63:32 reserved).
 *
 * @param cntlid controller ID, or FFFFh when the registrant is a host not tied to one
 * @param holdsReservation RCSTS bit 0: this registrant holds the reservation
 * @param hostId host identifier: 8 bytes (basic form) or 16 bytes (extended form); copied
 * @param rkey reservation key
 */
public record RegisteredController(
    int cntlid, boolean holdsReservation, byte[] hostId, long rkey) {

  /** Size of the basic form. */
  public static final int LENGTH = 24;
  /** Size of the extended form. */
  public static final int EXTENDED_LENGTH = 64;

  /** Validates and copies. */
  public RegisteredController {
    Le.checkRange("CNTLID", cntlid, 0, 0xFFFF);
    hostId = hostId.clone();
    if (hostId.length != 8 && hostId.length != 16) {
      throw new IllegalArgumentException("HOSTID is 8 or 16 bytes: " + hostId.length);
    }
  }

  /** A copy of HOSTID. */
  @Override
  public byte[] hostId() {
    return hostId.clone();
  }

  /** Whether HOSTID is the 128-bit form. */
  public boolean extendedHostId() {
    return hostId.length == 16;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RegisteredController)) {
      return false;
    }
    RegisteredController r = (RegisteredController) o;
    return r.cntlid == cntlid && r.holdsReservation == holdsReservation && r.rkey == rkey
        && Arrays.equals(r.hostId, hostId);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hostId) * 31 + Long.hashCode(rkey) * 7 + cntlid;
  }

  @Override
  public String toString() {
    return String.format(
        "RegisteredController[cntlid=%d holds=%b hostid=%s rkey=0x%x]",
        cntlid, holdsReservation, Le.hex(hostId), rkey);
  }
}
