package dev.mpath.alua;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A target port group of an emulated logical unit (SPC-4 5.16.2.3): a set of target ports, by
 * relative target port identifier, that share one asymmetric access state.
 *
 * <p>Immutable: a {@link PortGroupSet} replaces the value on every change, so a snapshot never
 * changes under its reader.
 *
 * @param id the TARGET PORT GROUP identifier, 0..65535
 * @param relativePorts member RELATIVE TARGET PORT IDENTIFIERs, 1..65535 (0 is reserved),
 *     distinct, at most 255 (TARGET PORT COUNT is one byte)
 * @param supportedStates states the group may enter; always contains {@code state}
 * @param preferred the PREF bit
 * @param state the current asymmetric access state
 * @param status the STATUS CODE reported by RTPG (never {@link PortGroupStatus#RESERVED})
 */
public record TargetPortGroup(
    int id,
    List<Integer> relativePorts,
    SupportedStates supportedStates,
    boolean preferred,
    AluaState state,
    PortGroupStatus status) {

  /** Validates the invariants and copies the port list. */
  public TargetPortGroup {
    Bytes.checkU16("target port group id", id);
    relativePorts = List.copyOf(relativePorts);
    if (relativePorts.size() > TargetPortGroupDescriptor.MAX_TARGET_PORTS) {
      throw new IllegalArgumentException("a target port group holds at most 255 ports");
    }
    Set<Integer> seen = new HashSet<>();
    for (int p : relativePorts) {
      if (p < 1 || p > 0xFFFF) {
        throw new IllegalArgumentException("relative target port id out of range 1..65535: " + p);
      }
      if (!seen.add(p)) {
        throw new IllegalArgumentException("relative target port " + p + " listed twice");
      }
    }
    if (supportedStates == null || state == null || status == null) {
      throw new NullPointerException("supportedStates, state and status are required");
    }
    if (!supportedStates.contains(state)) {
      throw new IllegalArgumentException(
          "group " + id + ": state " + state + " is not in its supported states " + supportedStates);
    }
    if (status == PortGroupStatus.RESERVED) {
      throw new IllegalArgumentException("status RESERVED has no code");
    }
  }

  /**
   * A non-preferred group with {@link SupportedStates#DEFAULT} and no status.
   *
   * @param id group id
   * @param state initial state
   * @param relativePorts member ports
   */
  public static TargetPortGroup of(int id, AluaState state, Integer... relativePorts) {
    return new TargetPortGroup(id, List.of(relativePorts), SupportedStates.DEFAULT, false, state,
        PortGroupStatus.NO_STATUS);
  }

  /** A copy with another state and status code. */
  public TargetPortGroup withState(AluaState newState, PortGroupStatus newStatus) {
    return new TargetPortGroup(id, relativePorts, supportedStates, preferred, newState, newStatus);
  }

  /** A copy with another PREF bit. */
  public TargetPortGroup withPreferred(boolean newPreferred) {
    return new TargetPortGroup(id, relativePorts, supportedStates, newPreferred, state, status);
  }

  /** A copy with other supported states (which must contain the current state). */
  public TargetPortGroup withSupportedStates(SupportedStates newSupported) {
    return new TargetPortGroup(id, relativePorts, newSupported, preferred, state, status);
  }

  /** Whether {@code relativePort} belongs to this group. */
  public boolean containsPort(int relativePort) {
    return relativePorts.contains(relativePort);
  }

  /** The RTPG descriptor for this group. */
  public TargetPortGroupDescriptor toDescriptor() {
    return TargetPortGroupDescriptor.of(preferred, state, supportedStates, id, status,
        relativePorts);
  }
}
