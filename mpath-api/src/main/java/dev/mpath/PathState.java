package dev.mpath;

/**
 * Link/controller state of one path, independent of its {@link AccessState}.
 *
 * <p>Mirrors the Linux NVMe controller states that matter to multipath (and the SCSI
 * device states they map to). Only {@link #LIVE} paths carry I/O; {@link #CONNECTING}
 * and {@link #RESETTING} paths <em>may become usable</em>, so I/O for a head whose only
 * paths are in those states is queued rather than failed.
 */
public enum PathState {
  /** Transport connecting or reconnecting; may become usable. */
  CONNECTING,
  /** Connected and ready for I/O. */
  LIVE,
  /** Controller or nexus reset in progress; may become usable. */
  RESETTING,
  /** Lost for good (controller loss timeout expired, or the checker gave up). */
  FAILED,
  /** Being removed; never carries I/O again. */
  DELETING;

  /** Whether the link is up for I/O. */
  public boolean isLive() {
    return this == LIVE;
  }

  /** Whether a path in this state is expected to come back without operator action. */
  public boolean mayRecover() {
    return this == CONNECTING || this == RESETTING;
  }
}
