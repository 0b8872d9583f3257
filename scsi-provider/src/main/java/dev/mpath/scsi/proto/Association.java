package dev.mpath.scsi.proto;

/**
 * ASSOCIATION of a designation descriptor (SPC-4 7.8.6.1): what the designator names.
 */
public enum Association {
  /** 00b: the addressed logical unit. */
  LOGICAL_UNIT,
  /** 01b: the target port that received the command. */
  TARGET_PORT,
  /** 10b: the SCSI target device containing the logical unit. */
  TARGET_DEVICE,
  /** 11b: reserved. */
  RESERVED_3;

  private static final Association[] BY_CODE = values();

  public int code() {
    return ordinal();
  }

  public static Association fromCode(int code) {
    Bytes.checkRange("ASSOCIATION", code, 0, 3);
    return BY_CODE[code];
  }
}
