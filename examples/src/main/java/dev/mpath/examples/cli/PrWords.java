package dev.mpath.examples.cli;

import dev.mpath.ReservationType;

/** sg_persist's wording of reservation types. */
final class PrWords {
  private PrWords() {}

  static String type(ReservationType t) {
    switch (t) {
      case WRITE_EXCLUSIVE:
        return "Write Exclusive";
      case EXCLUSIVE_ACCESS:
        return "Exclusive Access";
      case WRITE_EXCLUSIVE_REGISTRANTS_ONLY:
        return "Write Exclusive, registrants only";
      case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY:
        return "Exclusive Access, registrants only";
      case WRITE_EXCLUSIVE_ALL_REGISTRANTS:
        return "Write Exclusive, all registrants";
      case EXCLUSIVE_ACCESS_ALL_REGISTRANTS:
      default:
        return "Exclusive Access, all registrants";
    }
  }

  /** The type with SCSI code {@code code} (sg_persist's --prout-type). */
  static ReservationType fromProutType(int code) {
    try {
      return ReservationType.fromScsiCode(code);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--prout-type=" + code
          + " is not a persistent reservation type (1 WR_EX, 3 EX_AC, 5 WR_EX_RO, 6 EX_AC_RO, 7 WR_EX_AR, 8 EX_AC_AR)");
    }
  }
}
