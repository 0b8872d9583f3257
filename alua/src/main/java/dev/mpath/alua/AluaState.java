package dev.mpath.alua;

import dev.mpath.AccessState;

/**
 * Target port asymmetric access state (SPC-4 5.16.2.4; the ASYMMETRIC ACCESS STATE field of
 * REPORT TARGET PORT GROUPS, SPC-4 6.37, and SET TARGET PORT GROUPS, SPC-4 6.45).
 *
 * <p>Codes 5h to Dh are reserved: {@link #fromCode(int)} rejects them.
 */
public enum AluaState {
  /** Active/optimized (0h). */
  ACTIVE_OPTIMIZED(0x0, AccessState.OPTIMIZED, "AO"),
  /** Active/non-optimized (1h). */
  ACTIVE_NON_OPTIMIZED(0x1, AccessState.NON_OPTIMIZED, "AN"),
  /** Standby (2h). */
  STANDBY(0x2, AccessState.STANDBY, "S"),
  /** Unavailable (3h). */
  UNAVAILABLE(0x3, AccessState.UNAVAILABLE, "U"),
  /**
   * Logical block dependent (4h): the access state depends on the LBA (REPORT REFERRALS).
   * Mapped to {@link AccessState#NON_OPTIMIZED} because part of the medium is reachable
   * through the port, so I/O may be sent, but it cannot be assumed to be the best path for
   * every block; this matches the multipath-tools priority that ranks it below AN.
   */
  LOGICAL_BLOCK_DEPENDENT(0x4, AccessState.NON_OPTIMIZED, "LBD"),
  /**
   * Offline (Eh): a secondary state; the port does not serve the LU until administrative
   * action. Mapped to {@link AccessState#OFFLINE} (the "will not come back by itself" state).
   */
  OFFLINE(0xE, AccessState.OFFLINE, "O"),
  /** Transitioning (Fh): a change between primary states is in progress. */
  TRANSITIONING(0xF, AccessState.TRANSITIONING, "T");

  private final int code;
  private final AccessState accessState;
  private final String abbreviation;

  AluaState(int code, AccessState accessState, String abbreviation) {
    this.code = code;
    this.accessState = accessState;
    this.abbreviation = abbreviation;
  }

  /** The 4-bit SPC code. */
  public int code() {
    return code;
  }

  /** The SPC-4 abbreviation (AO, AN, S, U, LBD, O, T). */
  public String abbreviation() {
    return abbreviation;
  }

  /** The protocol-neutral access state a multipath head uses for this ALUA state. */
  public AccessState toAccessState() {
    return accessState;
  }

  /** Whether this is a primary target port asymmetric access state (SPC-4 5.16.2.4.1). */
  public boolean isPrimary() {
    return this != OFFLINE && this != TRANSITIONING;
  }

  /**
   * Decodes the 4-bit ASYMMETRIC ACCESS STATE field.
   *
   * @param code the field value (only bits 3:0 are allowed)
   * @throws AluaProtocolException for a reserved (5h-Dh) or out-of-range code
   */
  public static AluaState fromCode(int code) {
    return fromCode(code, -1);
  }

  /**
   * As {@link #fromCode(int)}, with the byte offset of the field for the exception.
   */
  static AluaState fromCode(int code, int fieldOffset) {
    switch (code) {
      case 0x0: return ACTIVE_OPTIMIZED;
      case 0x1: return ACTIVE_NON_OPTIMIZED;
      case 0x2: return STANDBY;
      case 0x3: return UNAVAILABLE;
      case 0x4: return LOGICAL_BLOCK_DEPENDENT;
      case 0xE: return OFFLINE;
      case 0xF: return TRANSITIONING;
      default:
        throw new AluaProtocolException(
            String.format("reserved ASYMMETRIC ACCESS STATE code 0x%X", code), fieldOffset);
    }
  }
}
