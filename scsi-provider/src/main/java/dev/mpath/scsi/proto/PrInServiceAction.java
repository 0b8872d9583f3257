package dev.mpath.scsi.proto;

/** PERSISTENT RESERVE IN service actions (SPC-4). */
public enum PrInServiceAction {
  READ_KEYS(0x00),
  READ_RESERVATION(0x01),
  REPORT_CAPABILITIES(0x02),
  READ_FULL_STATUS(0x03);

  private final int code;

  PrInServiceAction(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** @throws ScsiProtocolException for a reserved code */
  public static PrInServiceAction fromCode(int code) {
    for (PrInServiceAction a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    throw new ScsiProtocolException("reserved PERSISTENT RESERVE IN service action "
        + Bytes.hex2(code & 0xFF));
  }
}
