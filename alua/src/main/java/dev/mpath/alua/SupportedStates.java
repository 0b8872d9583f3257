package dev.mpath.alua;

import java.util.EnumSet;
import java.util.Set;

/**
 * The supported-states flags of a target port group descriptor (SPC-4 6.37, byte 1 of the
 * target port group descriptor): which asymmetric access states the group supports.
 *
 * <p>Immutable value over the 8-bit mask; bit 5 is reserved and never set.
 */
public final class SupportedStates {
  /** T_SUP: transitioning supported (byte 1 bit 7). */
  public static final int T_SUP = 0x80;
  /** O_SUP: offline supported (byte 1 bit 6). */
  public static final int O_SUP = 0x40;
  /** LBD_SUP: logical block dependent supported (byte 1 bit 4). */
  public static final int LBD_SUP = 0x10;
  /** U_SUP: unavailable supported (byte 1 bit 3). */
  public static final int U_SUP = 0x08;
  /** S_SUP: standby supported (byte 1 bit 2). */
  public static final int S_SUP = 0x04;
  /** AN_SUP: active/non-optimized supported (byte 1 bit 1). */
  public static final int AN_SUP = 0x02;
  /** AO_SUP: active/optimized supported (byte 1 bit 0). */
  public static final int AO_SUP = 0x01;

  private static final int DEFINED = T_SUP | O_SUP | LBD_SUP | U_SUP | S_SUP | AN_SUP | AO_SUP;

  /** Every state, logical block dependent included. */
  public static final SupportedStates ALL = new SupportedStates(DEFINED);

  /**
   * What a typical target advertises (LIO's default): every state except logical block
   * dependent.
   */
  public static final SupportedStates DEFAULT = new SupportedStates(DEFINED & ~LBD_SUP);

  private final int mask;

  private SupportedStates(int mask) {
    this.mask = mask;
  }

  /**
   * Builds from the byte-1 mask as it appears on the wire; the reserved bit 5 is dropped.
   *
   * @param mask the byte, 0..255
   */
  public static SupportedStates fromMask(int mask) {
    if (mask < 0 || mask > 0xFF) {
      throw new IllegalArgumentException("supported-states mask is one byte: " + mask);
    }
    return new SupportedStates(mask & DEFINED);
  }

  /** The set holding exactly {@code states}. */
  public static SupportedStates of(AluaState... states) {
    int m = 0;
    for (AluaState s : states) {
      m |= bit(s);
    }
    return new SupportedStates(m);
  }

  /** The supported-states bit for {@code state}. */
  public static int bit(AluaState state) {
    switch (state) {
      case ACTIVE_OPTIMIZED: return AO_SUP;
      case ACTIVE_NON_OPTIMIZED: return AN_SUP;
      case STANDBY: return S_SUP;
      case UNAVAILABLE: return U_SUP;
      case LOGICAL_BLOCK_DEPENDENT: return LBD_SUP;
      case OFFLINE: return O_SUP;
      case TRANSITIONING: return T_SUP;
      default: throw new AssertionError(state);
    }
  }

  /** The byte-1 mask. */
  public int mask() {
    return mask;
  }

  /** Whether {@code state} is supported. */
  public boolean contains(AluaState state) {
    return (mask & bit(state)) != 0;
  }

  /** The supported states as a new mutable set. */
  public Set<AluaState> toSet() {
    EnumSet<AluaState> set = EnumSet.noneOf(AluaState.class);
    for (AluaState s : AluaState.values()) {
      if (contains(s)) {
        set.add(s);
      }
    }
    return set;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SupportedStates && ((SupportedStates) o).mask == mask;
  }

  @Override
  public int hashCode() {
    return mask;
  }

  /** Like sg_rtpg: the abbreviations of the supported states, e.g. {@code [T,O,U,S,AN,AO]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    AluaState[] order = {
      AluaState.TRANSITIONING, AluaState.OFFLINE, AluaState.LOGICAL_BLOCK_DEPENDENT,
      AluaState.UNAVAILABLE, AluaState.STANDBY, AluaState.ACTIVE_NON_OPTIMIZED,
      AluaState.ACTIVE_OPTIMIZED
    };
    for (AluaState s : order) {
      if (contains(s)) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(s.abbreviation());
      }
    }
    return sb.append(']').toString();
  }
}
