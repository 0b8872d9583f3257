package dev.mpath.scsi.proto;

/**
 * Persistent reservation TYPE codes (SPC-4, PERSISTENT RESERVE OUT / READ RESERVATION, table
 * "Persistent reservation type codes"). Local to the SCSI codecs; the provider maps these to the
 * protocol-neutral {@code dev.mpath.ReservationType}.
 */
public enum PrType {
  /** 1h WR_EX: write exclusive. */
  WRITE_EXCLUSIVE(0x1, "WR_EX"),
  /** 3h EX_AC: exclusive access. */
  EXCLUSIVE_ACCESS(0x3, "EX_AC"),
  /** 5h WR_EX_RO: write exclusive, registrants only. */
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, "WR_EX_RO"),
  /** 6h EX_AC_RO: exclusive access, registrants only. */
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, "EX_AC_RO"),
  /** 7h WR_EX_AR: write exclusive, all registrants. */
  WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, "WR_EX_AR"),
  /** 8h EX_AC_AR: exclusive access, all registrants. */
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, "EX_AC_AR");

  private final int code;
  private final String abbreviation;

  PrType(int code, String abbreviation) {
    this.code = code;
    this.abbreviation = abbreviation;
  }

  /** The TYPE field value. */
  public int code() {
    return code;
  }

  /** The SPC-4 abbreviation, e.g. {@code "WR_EX_RO"}. */
  public String abbreviation() {
    return abbreviation;
  }

  /** Write exclusive family (reads allowed to everyone). */
  public boolean isWriteExclusive() {
    return this == WRITE_EXCLUSIVE || this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        || this == WRITE_EXCLUSIVE_ALL_REGISTRANTS;
  }

  /** Registrants-only types. */
  public boolean isRegistrantsOnly() {
    return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
  }

  /** All-registrants types (every registrant is a reservation holder). */
  public boolean isAllRegistrants() {
    return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  /**
   * The type for a TYPE code.
   *
   * @throws ScsiProtocolException for obsolete or reserved codes
   */
  public static PrType fromCode(int code) {
    for (PrType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new ScsiProtocolException("reserved or obsolete persistent reservation TYPE "
        + Bytes.hex2(code & 0xFF));
  }
}
