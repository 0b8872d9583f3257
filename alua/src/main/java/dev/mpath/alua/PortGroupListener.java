package dev.mpath.alua;

/**
 * Told of every asymmetric access state change in a {@link PortGroupSet}, in the order the
 * changes were made; a device server raises UNIT ATTENTION, ASYMMETRIC ACCESS STATE CHANGED
 * (2Ah/06h) for its I_T nexuses here (SPC-4 5.16.2.6: for an explicit change, every I_T
 * nexus other than the one that sent the SET TARGET PORT GROUPS command).
 *
 * <p>Called without the model's lock held, possibly on a scheduler thread or on the thread of
 * another model call; must not block. It may call back into the model.
 */
@FunctionalInterface
public interface PortGroupListener {
  /** One state change. */
  void accessStateChanged(PortGroupChange change);
}
