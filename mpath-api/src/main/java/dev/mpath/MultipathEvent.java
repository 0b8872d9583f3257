package dev.mpath;

/**
 * Topology and state events of a {@link Multipath} instance, delivered to listeners in
 * the order they happened, one at a time, on the instance's event executor (never on an
 * I/O thread). A listener must not block for long: it delays the ones after it.
 */
public sealed interface MultipathEvent {

  /** The head the event concerns. */
  MultipathDevice device();

  /** A head was created for a newly seen WWID. */
  record HeadCreated(MultipathDevice device) implements MultipathEvent {}

  /** A head was removed (its last path left and delayed removal, if any, expired). */
  record HeadRemoved(MultipathDevice device) implements MultipathEvent {}

  /** A path joined a head. */
  record PathAdded(MultipathDevice device, PathInfo path) implements MultipathEvent {}

  /** A path left a head. */
  record PathRemoved(MultipathDevice device, PathInfo path) implements MultipathEvent {}

  /** A path's link state changed. */
  record PathStateChanged(MultipathDevice device, PathInfo path, PathState from, PathState to)
      implements MultipathEvent {}

  /** A path's access (ALUA/ANA) state changed. */
  record AccessStateChanged(
      MultipathDevice device, PathInfo path, AccessState from, AccessState to)
      implements MultipathEvent {}

  /** The head marked a path faulted (path error or failed check) or reinstated it. */
  record PathFaulted(MultipathDevice device, PathInfo path, boolean faulted)
      implements MultipathEvent {}
}
