package dev.mpath.scsi.loop;

import dev.mpath.scsi.target.ScsiTarget;

/** A SCSI target emulator registered for the loop transport. */
public final class ScsiLoopTarget implements AutoCloseable {
  private final String name;
  private final ScsiTarget target;

  ScsiLoopTarget(String name, ScsiTarget target) {
    this.name = name;
    this.target = target;
  }

  public String name() {
    return name;
  }

  public ScsiTarget target() {
    return target;
  }

  /** Unregisters (the target itself stays open). */
  @Override
  public void close() {
    ScsiLoopTargets.unregister(this);
  }
}
