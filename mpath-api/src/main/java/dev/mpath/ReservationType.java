package dev.mpath;

/**
 * Persistent reservation types, with their codes in both protocols.
 *
 * <table>
 *   <caption>Codes (SPC-4 table 218 TYPE; NVMe base 2.0 figure 520 RTYPE)</caption>
 *   <tr><th>type</th><th>SCSI</th><th>NVMe</th></tr>
 *   <tr><td>WRITE_EXCLUSIVE</td><td>1h</td><td>1h</td></tr>
 *   <tr><td>EXCLUSIVE_ACCESS</td><td>3h</td><td>2h</td></tr>
 *   <tr><td>WRITE_EXCLUSIVE_REGISTRANTS_ONLY</td><td>5h</td><td>3h</td></tr>
 *   <tr><td>EXCLUSIVE_ACCESS_REGISTRANTS_ONLY</td><td>6h</td><td>4h</td></tr>
 *   <tr><td>WRITE_EXCLUSIVE_ALL_REGISTRANTS</td><td>7h</td><td>5h</td></tr>
 *   <tr><td>EXCLUSIVE_ACCESS_ALL_REGISTRANTS</td><td>8h</td><td>6h</td></tr>
 * </table>
 */
public enum ReservationType {
  WRITE_EXCLUSIVE(1, 1, "WR_EX"),
  EXCLUSIVE_ACCESS(3, 2, "EX_AC"),
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY(5, 3, "WR_EX_RO"),
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(6, 4, "EX_AC_RO"),
  WRITE_EXCLUSIVE_ALL_REGISTRANTS(7, 5, "WR_EX_AR"),
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS(8, 6, "EX_AC_AR");

  private final int scsiCode;
  private final int nvmeCode;
  private final String shortName;

  ReservationType(int scsiCode, int nvmeCode, String shortName) {
    this.scsiCode = scsiCode;
    this.nvmeCode = nvmeCode;
    this.shortName = shortName;
  }

  /** The SPC-4 TYPE code. */
  public int scsiCode() {
    return scsiCode;
  }

  /** The NVMe RTYPE code. */
  public int nvmeCode() {
    return nvmeCode;
  }

  /** The sg_persist abbreviation (WR_EX, EX_AC, ...). */
  public String shortName() {
    return shortName;
  }

  /** Whether only registrants (or all registrants) may write. */
  public boolean registrantsMayWrite() {
    return this != WRITE_EXCLUSIVE && this != EXCLUSIVE_ACCESS;
  }

  /** Whether non-holders are also refused reads. */
  public boolean exclusiveAccess() {
    return this == EXCLUSIVE_ACCESS
        || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
        || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  /** Whether every registrant is a reservation holder (the "all registrants" types). */
  public boolean allRegistrantsHold() {
    return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  /**
   * The type with SCSI code {@code code}.
   *
   * @throws IllegalArgumentException for codes SPC-4 leaves obsolete or reserved
   */
  public static ReservationType fromScsiCode(int code) {
    for (ReservationType t : values()) {
      if (t.scsiCode == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("no SCSI persistent reservation type " + code);
  }

  /**
   * The type with NVMe code {@code code}.
   *
   * @throws IllegalArgumentException for reserved codes
   */
  public static ReservationType fromNvmeCode(int code) {
    for (ReservationType t : values()) {
      if (t.nvmeCode == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("no NVMe reservation type " + code);
  }
}
