package dev.mpath.nvme.proto;

import dev.mpath.AccessState;

/**
 * Asymmetric Namespace Access state of an ANA group as seen through one controller (NVMe
 * Base 2.0, Asymmetric Namespace Access Reporting; ANA State field of the ANA Group
 * Descriptor, bits 03:00).
 */
public enum AnaState {
  /** 01h: ANA Optimized. */
  OPTIMIZED(0x01, AccessState.OPTIMIZED, 1),
  /** 02h: ANA Non-Optimized. */
  NON_OPTIMIZED(0x02, AccessState.NON_OPTIMIZED, 1 << 1),
  /** 03h: ANA Inaccessible. */
  INACCESSIBLE(0x03, AccessState.UNAVAILABLE, 1 << 2),
  /** 04h: ANA Persistent Loss. */
  PERSISTENT_LOSS(0x04, AccessState.OFFLINE, 1 << 3),
  /** 0Fh: ANA Change (transition in progress). */
  CHANGE(0x0F, AccessState.TRANSITIONING, 1 << 4);

  private final int code;
  private final AccessState accessState;
  private final int anacapBit;

  AnaState(int code, AccessState accessState, int anacapBit) {
    this.code = code;
    this.accessState = accessState;
    this.anacapBit = anacapBit;
  }

  /** The ANA state code. */
  public int code() {
    return code;
  }

  /**
   * The protocol-neutral state: optimized and non-optimized map across, inaccessible to
   * {@link AccessState#UNAVAILABLE}, persistent loss to {@link AccessState#OFFLINE}, change
   * to {@link AccessState#TRANSITIONING}.
   */
  public AccessState toAccessState() {
    return accessState;
  }

  /** The Identify Controller ANACAP bit saying a controller reports this state. */
  public int anacapBit() {
    return anacapBit;
  }

  /** Whether {@code code} is a defined ANA state. */
  public static boolean isDefined(int code) {
    return code == 0x01 || code == 0x02 || code == 0x03 || code == 0x04 || code == 0x0F;
  }

  /** The state for a defined code. */
  public static AnaState fromCode(int code) {
    switch (code) {
      case 0x01:
        return OPTIMIZED;
      case 0x02:
        return NON_OPTIMIZED;
      case 0x03:
        return INACCESSIBLE;
      case 0x04:
        return PERSISTENT_LOSS;
      case 0x0F:
        return CHANGE;
      default:
        throw new IllegalArgumentException(String.format("reserved ANA state 0x%02x", code));
    }
  }

  /**
   * The ANA state for a protocol-neutral state (target side).
   *
   * @throws IllegalArgumentException for {@link AccessState#STANDBY}, which ANA lacks
   */
  public static AnaState fromAccessState(AccessState state) {
    switch (state) {
      case OPTIMIZED:
        return OPTIMIZED;
      case NON_OPTIMIZED:
        return NON_OPTIMIZED;
      case UNAVAILABLE:
        return INACCESSIBLE;
      case OFFLINE:
        return PERSISTENT_LOSS;
      case TRANSITIONING:
        return CHANGE;
      default:
        throw new IllegalArgumentException("ANA has no state for " + state);
    }
  }
}
