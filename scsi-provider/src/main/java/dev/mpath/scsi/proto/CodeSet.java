package dev.mpath.scsi.proto;

/**
 * CODE SET of a designation descriptor (SPC-4 7.8.6.1, table "Code set"). Every 4-bit value
 * has a constant so that decoding is lossless; only 1..3 are defined.
 */
public enum CodeSet {
  RESERVED_0, BINARY, ASCII, UTF8, RESERVED_4, RESERVED_5, RESERVED_6, RESERVED_7,
  RESERVED_8, RESERVED_9, RESERVED_A, RESERVED_B, RESERVED_C, RESERVED_D, RESERVED_E,
  RESERVED_F;

  private static final CodeSet[] BY_CODE = values();

  public int code() {
    return ordinal();
  }

  public boolean isReserved() {
    return this != BINARY && this != ASCII && this != UTF8;
  }

  public static CodeSet fromCode(int code) {
    Bytes.checkRange("CODE SET", code, 0, 0xF);
    return BY_CODE[code];
  }
}
