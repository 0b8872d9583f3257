package dev.mpath.nvme.proto;

/**
 * Status Code Type (SCT), bits 10:08 of the Status field (NVMe Base 2.0, Status Code Type
 * values).
 */
public enum StatusCodeType {
  /** 0h: Generic Command Status. */
  GENERIC(0),
  /** 1h: Command Specific Status; the meaning of SC depends on the opcode. */
  COMMAND_SPECIFIC(1),
  /** 2h: Media and Data Integrity Errors. */
  MEDIA_AND_DATA_INTEGRITY(2),
  /** 3h: Path Related Status. */
  PATH_RELATED(3),
  /** 4h to 6h: reserved; {@link #code()} is -1, see {@link NvmeStatus#sct()} for the value. */
  RESERVED(-1),
  /** 7h: Vendor Specific. */
  VENDOR_SPECIFIC(7);

  private final int code;

  StatusCodeType(int code) {
    this.code = code;
  }

  /** The SCT value, or -1 for {@link #RESERVED}. */
  public int code() {
    return code;
  }

  /** The type for an SCT value 0..7. */
  public static StatusCodeType of(int sct) {
    switch (sct) {
      case 0:
        return GENERIC;
      case 1:
        return COMMAND_SPECIFIC;
      case 2:
        return MEDIA_AND_DATA_INTEGRITY;
      case 3:
        return PATH_RELATED;
      case 4:
      case 5:
      case 6:
        return RESERVED;
      case 7:
        return VENDOR_SPECIFIC;
      default:
        throw new IllegalArgumentException("SCT is 3 bits: " + sct);
    }
  }
}
