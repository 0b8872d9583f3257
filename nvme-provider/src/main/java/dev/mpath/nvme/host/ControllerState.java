package dev.mpath.nvme.host;

import dev.mpath.PathState;

/** Host controller states (after Linux {@code enum nvme_ctrl_state}). */
public enum ControllerState {
  /** Created, never connected. */
  NEW,
  /** Association being (re)established. */
  CONNECTING,
  /** Ready for I/O. */
  LIVE,
  /** Tearing down after an error; reconnect follows. */
  RESETTING,
  /** Being removed (controller loss timeout, or disconnect). */
  DELETING,
  /** Gone. */
  DEAD;

  /**
   * The path state this controller state means for its namespaces' paths.
   *
   * @param failFast fast I/O fail timeout expired while reconnecting: report the path
   *     {@link PathState#FAILED} so the head fails I/O rather than queueing it
   */
  public PathState pathState(boolean failFast) {
    switch (this) {
      case LIVE:
        return PathState.LIVE;
      case RESETTING:
        return failFast ? PathState.FAILED : PathState.RESETTING;
      case NEW:
      case CONNECTING:
        return failFast ? PathState.FAILED : PathState.CONNECTING;
      case DELETING:
        return PathState.DELETING;
      case DEAD:
      default:
        return PathState.FAILED;
    }
  }
}
