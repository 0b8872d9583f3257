package dev.mpath.scsi.proto;

/**
 * SENSE KEY values (SPC-4 4.5.6, table "Sense key descriptions"). All sixteen 4-bit values
 * are present so that decoding never fails on this field; 0Ch is obsolete (formerly EQUAL).
 */
public enum SenseKey {
  NO_SENSE,
  RECOVERED_ERROR,
  NOT_READY,
  MEDIUM_ERROR,
  HARDWARE_ERROR,
  ILLEGAL_REQUEST,
  UNIT_ATTENTION,
  DATA_PROTECT,
  BLANK_CHECK,
  VENDOR_SPECIFIC,
  COPY_ABORTED,
  ABORTED_COMMAND,
  OBSOLETE_0C,
  VOLUME_OVERFLOW,
  MISCOMPARE,
  COMPLETED;

  private static final SenseKey[] BY_CODE = values();

  /** The 4-bit code (the enum's ordinal). */
  public int code() {
    return ordinal();
  }

  /** The key for a 4-bit code. */
  public static SenseKey fromCode(int code) {
    if (code < 0 || code > 0xF) {
      throw new IllegalArgumentException("sense key out of range: " + code);
    }
    return BY_CODE[code];
  }
}
