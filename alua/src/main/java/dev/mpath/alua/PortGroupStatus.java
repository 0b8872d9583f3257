package dev.mpath.alua;

/**
 * The STATUS CODE field of a target port group descriptor (SPC-4 6.37, byte 5): why the
 * group's asymmetric access state last changed.
 */
public enum PortGroupStatus {
  /** 00h: no status available. */
  NO_STATUS(0x00),
  /** 01h: target port asymmetric access state altered by SET TARGET PORT GROUPS command. */
  ALTERED_BY_STPG(0x01),
  /** 02h: target port asymmetric access state altered by implicit asymmetric logical unit access behavior. */
  ALTERED_BY_IMPLICIT(0x02),
  /** 03h-FFh: reserved; decoders keep the raw code, this constant only names the category. */
  RESERVED(-1);

  private final int code;

  PortGroupStatus(int code) {
    this.code = code;
  }

  /** The byte value, or -1 for {@link #RESERVED}. */
  public int code() {
    return code;
  }

  /** Names a STATUS CODE byte; codes 03h-FFh give {@link #RESERVED}. */
  public static PortGroupStatus fromCode(int code) {
    switch (code) {
      case 0x00: return NO_STATUS;
      case 0x01: return ALTERED_BY_STPG;
      case 0x02: return ALTERED_BY_IMPLICIT;
      default: return RESERVED;
    }
  }
}
