package dev.mpath.alua;

/**
 * One asymmetric access state change of a target port group, as reported to a
 * {@link PortGroupListener}.
 *
 * @param before the group before the change
 * @param after the group after the change ({@code after.state() != before.state()})
 * @param cause what changed it
 * @param requester for {@link Cause#EXPLICIT}: the token the device server passed to
 *     {@link PortGroupSet#setTargetPortGroups(byte[], int, Object)} (e.g. its I_T nexus), so
 *     it can spare that nexus the unit attention; otherwise {@code null}
 */
public record PortGroupChange(
    TargetPortGroup before, TargetPortGroup after, Cause cause, Object requester) {

  /** What caused a change. */
  public enum Cause {
    /** A SET TARGET PORT GROUPS command (STATUS CODE 01h). */
    EXPLICIT,
    /** The device server itself (STATUS CODE 02h), including each step through transitioning. */
    IMPLICIT
  }

  /** The group id. */
  public int groupId() {
    return after.id();
  }
}
