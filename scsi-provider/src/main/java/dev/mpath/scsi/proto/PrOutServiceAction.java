package dev.mpath.scsi.proto;

/** PERSISTENT RESERVE OUT service actions (SPC-4). */
public enum PrOutServiceAction {
  REGISTER(0x00),
  RESERVE(0x01),
  RELEASE(0x02),
  CLEAR(0x03),
  PREEMPT(0x04),
  PREEMPT_AND_ABORT(0x05),
  REGISTER_AND_IGNORE_EXISTING_KEY(0x06),
  REGISTER_AND_MOVE(0x07),
  /** 08h (added in SPC-4 r26). */
  REPLACE_LOST_RESERVATION(0x08);

  private final int code;

  PrOutServiceAction(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Whether the SCOPE and TYPE fields are meaningful for this service action. */
  public boolean usesType() {
    return this == RESERVE || this == RELEASE || this == PREEMPT || this == PREEMPT_AND_ABORT
        || this == REGISTER_AND_MOVE || this == REPLACE_LOST_RESERVATION;
  }

  /** @throws ScsiProtocolException for a reserved code */
  public static PrOutServiceAction fromCode(int code) {
    for (PrOutServiceAction a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    throw new ScsiProtocolException("reserved PERSISTENT RESERVE OUT service action "
        + Bytes.hex2(code & 0xFF));
  }
}
