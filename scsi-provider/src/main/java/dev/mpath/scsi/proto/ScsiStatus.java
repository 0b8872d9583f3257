package dev.mpath.scsi.proto;

/**
 * SCSI status codes (SAM-5 5.3.1). The obsolete codes (10h, 14h, 22h) are not decoded: a
 * target sending one is misbehaving.
 */
public enum ScsiStatus {
  GOOD(0x00),
  CHECK_CONDITION(0x02),
  CONDITION_MET(0x04),
  BUSY(0x08),
  RESERVATION_CONFLICT(0x18),
  TASK_SET_FULL(0x28),
  ACA_ACTIVE(0x30),
  TASK_ABORTED(0x40);

  private final int code;

  ScsiStatus(int code) {
    this.code = code;
  }

  /** The status byte value. */
  public int code() {
    return code;
  }

  /** Whether sense data accompanies this status (CHECK CONDITION). */
  public boolean hasSense() {
    return this == CHECK_CONDITION;
  }

  /**
   * The status for a status byte.
   *
   * @throws ScsiProtocolException for obsolete or reserved values
   */
  public static ScsiStatus fromCode(int code) {
    for (ScsiStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new ScsiProtocolException("reserved or obsolete SCSI status " + Bytes.hex2(code & 0xFF));
  }
}
