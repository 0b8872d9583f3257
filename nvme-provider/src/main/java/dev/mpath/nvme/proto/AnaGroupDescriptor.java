package dev.mpath.nvme.proto;

import java.util.List;

/**
 * One ANA Group Descriptor of the ANA log page (NVMe Base 2.0): bytes 03:00 ANAGRPID, 07:04
 * NNSIDS, 15:08 Change Count, byte 16 bits 03:00 ANA State, bytes 31:17 reserved, then
 * NNSIDS 4-byte NSIDs.
 *
 * @param anaGroupId ANAGRPID, not zero (raw 32 bits)
 * @param changeCount the group's change count
 * @param state the group's ANA state through the controller that returned the page
 * @param nsids the member NSIDs (empty when the page was read with RGO)
 */
public record AnaGroupDescriptor(
    int anaGroupId, long changeCount, AnaState state, List<Integer> nsids) {

  /** Fixed part of a descriptor in bytes. */
  public static final int HEADER_LENGTH = 32;
  /** Bytes 03:00 ANAGRPID. */
  public static final int ANAGRPID_OFFSET = 0;
  /** Bytes 07:04 NNSIDS. */
  public static final int NNSIDS_OFFSET = 4;
  /** Bytes 15:08 Change Count. */
  public static final int CHGCNT_OFFSET = 8;
  /** Byte 16 ANA State (bits 03:00). */
  public static final int STATE_OFFSET = 16;
  /** Byte 32: first NSID. */
  public static final int NSID_OFFSET = 32;

  /** Validates and copies. */
  public AnaGroupDescriptor {
    if (anaGroupId == 0) {
      throw new IllegalArgumentException("ANAGRPID 0 is not a group");
    }
    if (state == null) {
      throw new IllegalArgumentException("state is required");
    }
    nsids = List.copyOf(nsids);
  }

  /** Encoded size: 32 bytes plus 4 per NSID unless {@code rgo}. */
  public int encodedLength(boolean rgo) {
    return HEADER_LENGTH + (rgo ? 0 : 4 * nsids.size());
  }
}
