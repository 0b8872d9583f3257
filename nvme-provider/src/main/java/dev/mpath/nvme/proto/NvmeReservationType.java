package dev.mpath.nvme.proto;

/**
 * Reservation types, the RTYPE codes of Reservation Acquire/Release and the Reservation
 * Status data structure (NVMe Base 2.0, Reservation Type Encoding). RTYPE 0 means no
 * reservation is held and has no constant here.
 */
public enum NvmeReservationType {
  /** 1h: Write Exclusive. */
  WRITE_EXCLUSIVE(1),
  /** 2h: Exclusive Access. */
  EXCLUSIVE_ACCESS(2),
  /** 3h: Write Exclusive – Registrants Only. */
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY(3),
  /** 4h: Exclusive Access – Registrants Only. */
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(4),
  /** 5h: Write Exclusive – All Registrants. */
  WRITE_EXCLUSIVE_ALL_REGISTRANTS(5),
  /** 6h: Exclusive Access – All Registrants. */
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS(6);

  private final int code;

  NvmeReservationType(int code) {
    this.code = code;
  }

  /** The RTYPE code, 1..6. */
  public int code() {
    return code;
  }

  /** Whether only writes are restricted for non-holders (the Write Exclusive family). */
  public boolean isWriteExclusive() {
    return (code & 1) == 1;
  }

  /** Whether registrants share the reservation (Registrants Only or All Registrants). */
  public boolean isRegistrantsType() {
    return code >= 3;
  }

  /** Whether every registrant is a holder (All Registrants). */
  public boolean isAllRegistrants() {
    return code >= 5;
  }

  /** Whether {@code rtype} is one of the codes 1..6. */
  public static boolean isDefined(int rtype) {
    return rtype >= 1 && rtype <= 6;
  }

  /** The type for RTYPE 1..6. */
  public static NvmeReservationType fromCode(int rtype) {
    if (!isDefined(rtype)) {
      throw new IllegalArgumentException("RTYPE not 1..6: " + rtype);
    }
    return values()[rtype - 1];
  }
}
