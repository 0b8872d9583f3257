package dev.mpath.scsi.host;

import dev.mpath.DeviceId;
import dev.mpath.scsi.proto.Association;
import dev.mpath.scsi.proto.Designator;
import dev.mpath.scsi.proto.DesignatorType;
import java.util.List;
import java.util.Optional;

/**
 * The WWID of a logical unit from its VPD page 83h designators. Only designators with
 * association "logical unit" count. The order is frozen (changing it would rename devices):
 *
 * <ol>
 *   <li>NAA IEEE Registered Extended (NAA 6)
 *   <li>NAA IEEE Registered (NAA 5)
 *   <li>EUI-64 based
 *   <li>NAA IEEE Extended (NAA 2)
 *   <li>SCSI name string
 *   <li>T10 vendor ID based
 *   <li>NAA Locally Assigned (NAA 3)
 *   <li>UUID
 * </ol>
 *
 * Within one rank the first designator in page order wins. The text form is the Linux
 * sysfs {@code wwid} one ({@link Designator#wwid()}).
 */
public final class LuIdentity {
  private LuIdentity() {}

  /** Rank of a designator, lower is better; -1 when it cannot identify the LU. */
  static int rank(Designator d) {
    if (d.association() != Association.LOGICAL_UNIT) {
      return -1;
    }
    DesignatorType t = d.type();
    if (t == DesignatorType.NAA) {
      switch (d.naaType()) {
        case 6:
          return 0;
        case 5:
          return 1;
        case 2:
          return 3;
        case 3:
          return 6;
        default:
          return -1;
      }
    }
    switch (t) {
      case EUI_64:
        return 2;
      case SCSI_NAME_STRING:
        return 4;
      case T10_VENDOR_ID:
        return 5;
      case UUID:
        return 7;
      default:
        return -1;
    }
  }

  /** The best designator's WWID, if any designator identifies the LU. */
  public static Optional<DeviceId> of(List<Designator> designators) {
    Designator best = null;
    int bestRank = Integer.MAX_VALUE;
    for (Designator d : designators) {
      int r = rank(d);
      if (r >= 0 && r < bestRank) {
        best = d;
        bestRank = r;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    return best.wwid().flatMap(w -> {
      try {
        return Optional.of(DeviceId.parse(w));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    });
  }
}
