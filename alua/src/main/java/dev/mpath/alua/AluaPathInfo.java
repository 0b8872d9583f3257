package dev.mpath.alua;

import dev.mpath.AccessState;
import java.time.Duration;

/**
 * What an {@link AluaHandler} knows about its path: the state of the path's target port
 * group as last reported (or concluded).
 *
 * @param targetPortGroup the path's target port group id
 * @param aluaState the group's asymmetric access state; {@link AluaState#STANDBY} after a
 *     transition timed out
 * @param preferred the group's PREF bit
 * @param supportedStates the group's supported states (empty when never reported)
 * @param transitionTimeout how long a transition may last before the path is treated as
 *     standby (IMPLICIT TRANSITION TIME, or the 60 s default)
 * @param transitionTimedOut whether {@code aluaState} is STANDBY because transitioning lasted
 *     past {@code transitionTimeout}
 * @param stateAssumed whether {@code aluaState} was not reported but assumed: the RTPG data
 *     stayed unusable (malformed, or without this port's group), so the path is taken as
 *     {@link AluaState#ACTIVE_NON_OPTIMIZED}, usable but behind any path known to be
 *     active/optimized
 */
public record AluaPathInfo(
    int targetPortGroup,
    AluaState aluaState,
    boolean preferred,
    SupportedStates supportedStates,
    Duration transitionTimeout,
    boolean transitionTimedOut,
    boolean stateAssumed) {

  /** The protocol-neutral access state for the head. */
  public AccessState accessState() {
    return aluaState.toAccessState();
  }

  /** The multipath-tools ALUA priority ({@link AluaPriority#of(AluaState, boolean)}). */
  public int priority() {
    return AluaPriority.of(aluaState, preferred);
  }

  /** Whether a listener should hear about the change from {@code other} to this. */
  boolean differsFrom(AluaPathInfo other) {
    return other == null
        || other.aluaState != aluaState
        || other.preferred != preferred
        || other.transitionTimedOut != transitionTimedOut
        || other.stateAssumed != stateAssumed;
  }
}
