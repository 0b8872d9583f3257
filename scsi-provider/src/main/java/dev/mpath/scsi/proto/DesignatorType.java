package dev.mpath.scsi.proto;

/**
 * DESIGNATOR TYPE (SPC-4 7.8.6.1, UUID from SPC-5). Every 4-bit value has a constant so that
 * decoding is lossless; Bh..Fh are reserved.
 */
public enum DesignatorType {
  /** 0h: vendor specific. */
  VENDOR_SPECIFIC,
  /** 1h: T10 vendor ID based (8-byte T10 VENDOR IDENTIFICATION + vendor specific). */
  T10_VENDOR_ID,
  /** 2h: EUI-64 based (8, 12 or 16 bytes). */
  EUI_64,
  /** 3h: NAA (8 or 16 bytes). */
  NAA,
  /** 4h: relative target port identifier. */
  RELATIVE_TARGET_PORT,
  /** 5h: target port group. */
  TARGET_PORT_GROUP,
  /** 6h: logical unit group. */
  LOGICAL_UNIT_GROUP,
  /** 7h: MD5 logical unit identifier. */
  MD5_LOGICAL_UNIT,
  /** 8h: SCSI name string. */
  SCSI_NAME_STRING,
  /** 9h: protocol specific port identifier. */
  PROTOCOL_SPECIFIC_PORT,
  /** Ah: UUID identifier (SPC-5). */
  UUID,
  RESERVED_B, RESERVED_C, RESERVED_D, RESERVED_E, RESERVED_F;

  private static final DesignatorType[] BY_CODE = values();

  public int code() {
    return ordinal();
  }

  public static DesignatorType fromCode(int code) {
    Bytes.checkRange("DESIGNATOR TYPE", code, 0, 0xF);
    return BY_CODE[code];
  }
}
