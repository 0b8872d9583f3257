package dev.mpath.alua;

/**
 * The TARGET PORT GROUP SUPPORT (TPGS) field of standard INQUIRY data (SPC-4 6.6.2, byte 5
 * bits 5:4): which kinds of asymmetric access state change the logical unit supports.
 */
public enum Tpgs {
  /** 00b: asymmetric logical unit access not supported. */
  NONE(0b00),
  /** 01b: implicit only (the device server changes states itself; STPG not supported). */
  IMPLICIT(0b01),
  /** 10b: explicit only (states change through SET TARGET PORT GROUPS). */
  EXPLICIT(0b10),
  /** 11b: both implicit and explicit. */
  BOTH(0b11);

  /** Byte offset of the TPGS field in standard INQUIRY data (SPC-4 6.6.2). */
  public static final int INQUIRY_BYTE = 5;
  /** Bit position of the TPGS field's low bit in {@link #INQUIRY_BYTE}. */
  public static final int INQUIRY_SHIFT = 4;

  private final int code;

  Tpgs(int code) {
    this.code = code;
  }

  /** The 2-bit field value. */
  public int code() {
    return code;
  }

  /** Whether ALUA is supported at all. */
  public boolean supported() {
    return this != NONE;
  }

  /** Whether implicit asymmetric access state changes are supported. */
  public boolean implicit() {
    return (code & 0b01) != 0;
  }

  /** Whether explicit changes (SET TARGET PORT GROUPS) are supported. */
  public boolean explicit() {
    return (code & 0b10) != 0;
  }

  /** The field positioned for INQUIRY byte 5 (bits 5:4), to be OR-ed into that byte. */
  public int inquiryBits() {
    return code << INQUIRY_SHIFT;
  }

  /** Decodes the 2-bit field value. */
  public static Tpgs fromCode(int code) {
    switch (code) {
      case 0b00: return NONE;
      case 0b01: return IMPLICIT;
      case 0b10: return EXPLICIT;
      case 0b11: return BOTH;
      default: throw new IllegalArgumentException("TPGS is a 2-bit field: " + code);
    }
  }

  /** Extracts the field from INQUIRY byte 5 (the other bits are ignored). */
  public static Tpgs fromInquiryByte5(int byte5) {
    return fromCode((byte5 >>> INQUIRY_SHIFT) & 0b11);
  }

  /**
   * Extracts the field from standard INQUIRY data.
   *
   * @throws AluaProtocolException when the data is shorter than 6 bytes
   */
  public static Tpgs fromInquiry(byte[] inquiry) {
    if (inquiry.length <= INQUIRY_BYTE) {
      throw new AluaProtocolException(
          "standard INQUIRY data of " + inquiry.length + " bytes has no byte 5 (TPGS)");
    }
    return fromInquiryByte5(inquiry[INQUIRY_BYTE] & 0xFF);
  }
}
