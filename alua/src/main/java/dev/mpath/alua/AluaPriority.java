package dev.mpath.alua;

/**
 * Path priority from the ALUA state, as the multipath-tools {@code alua} prioritizer computes
 * it (libmultipath/prioritizers/alua.c), so that group-by-priority layouts match Linux.
 *
 * <table>
 *   <caption>Priority table</caption>
 *   <tr><th>state</th><th>priority</th></tr>
 *   <tr><td>active/optimized</td><td>{@value #ACTIVE_OPTIMIZED}</td></tr>
 *   <tr><td>active/non-optimized</td><td>{@value #ACTIVE_NON_OPTIMIZED}</td></tr>
 *   <tr><td>logical block dependent</td><td>{@value #LOGICAL_BLOCK_DEPENDENT}</td></tr>
 *   <tr><td>standby</td><td>{@value #STANDBY}</td></tr>
 *   <tr><td>anything else</td><td>{@value #OTHER}</td></tr>
 * </table>
 *
 * <p>{@value #PREFERRED_BONUS} is added when the PREF bit is set, except, as in
 * multipath-tools, for an active/optimized group unless the {@code exclusive_pref_bit}
 * option is on: without it, a preferred AO path and a plain AO path rank equal, so both stay
 * in the highest path group.
 */
public final class AluaPriority {
  /** Priority of an active/optimized path. */
  public static final int ACTIVE_OPTIMIZED = 50;
  /** Priority of an active/non-optimized path. */
  public static final int ACTIVE_NON_OPTIMIZED = 10;
  /** Priority of a logical-block-dependent path. */
  public static final int LOGICAL_BLOCK_DEPENDENT = 5;
  /** Priority of a standby path. */
  public static final int STANDBY = 1;
  /** Priority of every other state (unavailable, offline, transitioning). */
  public static final int OTHER = 0;
  /** Added for a preferred target port group (PREF bit). */
  public static final int PREFERRED_BONUS = 80;

  private AluaPriority() {}

  /** The multipath-tools default ({@code exclusive_pref_bit} off). */
  public static int of(AluaState state, boolean preferred) {
    return of(state, preferred, false);
  }

  /**
   * @param state the group's asymmetric access state
   * @param preferred the PREF bit
   * @param exclusivePrefBit the multipath-tools {@code exclusive_pref_bit} option: when set, a
   *     preferred AO path also gets the bonus and forms a path group of its own
   */
  public static int of(AluaState state, boolean preferred, boolean exclusivePrefBit) {
    int base;
    switch (state) {
      case ACTIVE_OPTIMIZED: base = ACTIVE_OPTIMIZED; break;
      case ACTIVE_NON_OPTIMIZED: base = ACTIVE_NON_OPTIMIZED; break;
      case LOGICAL_BLOCK_DEPENDENT: base = LOGICAL_BLOCK_DEPENDENT; break;
      case STANDBY: base = STANDBY; break;
      default: base = OTHER; break;
    }
    if (preferred && (state != AluaState.ACTIVE_OPTIMIZED || exclusivePrefBit)) {
      base += PREFERRED_BONUS;
    }
    return base;
  }
}
