package dev.mpath.alua;

/**
 * Format of REPORT TARGET PORT GROUPS parameter data: the PARAMETER DATA FORMAT field of the
 * CDB (SPC-4 6.37, byte 1 bits 7:5) and the FORMAT TYPE field of the extended header (byte 4
 * bits 6:4). Both use the same codes.
 */
public enum RtpgFormat {
  /** 000b: length-only header (4-byte RETURN DATA LENGTH, descriptors from byte 4). */
  LENGTH_ONLY(0b000, 4),
  /**
   * 001b: extended header (RETURN DATA LENGTH, FORMAT TYPE, IMPLICIT TRANSITION TIME,
   * descriptors from byte 8).
   */
  EXTENDED(0b001, 8);

  private final int code;
  private final int headerLength;

  RtpgFormat(int code, int headerLength) {
    this.code = code;
    this.headerLength = headerLength;
  }

  /** The 3-bit code. */
  public int code() {
    return code;
  }

  /** Bytes before the first target port group descriptor. */
  public int headerLength() {
    return headerLength;
  }

  /**
   * Decodes a 3-bit code.
   *
   * @param fieldOffset byte offset of the field, for the exception
   * @throws AluaProtocolException for a reserved code (010b-111b)
   */
  static RtpgFormat fromCode(int code, int fieldOffset) {
    switch (code) {
      case 0b000: return LENGTH_ONLY;
      case 0b001: return EXTENDED;
      default:
        throw new AluaProtocolException(
            "reserved RTPG parameter data format " + Integer.toBinaryString(code) + "b",
            fieldOffset);
    }
  }
}
