package dev.mpath.scsi.loop;

import dev.mpath.scsi.target.ScsiTarget;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide registry of in-process SCSI targets reachable as
 * {@code scsi+loop://<name>/<target name>/<lun>}. Thread-safe.
 */
public final class ScsiLoopTargets {
  private static final Map<String, ScsiLoopTarget> TARGETS = new ConcurrentHashMap<>();

  private ScsiLoopTargets() {}

  /**
   * Registers {@code target} under {@code name}; {@link ScsiLoopTarget#close()} unregisters.
   *
   * @throws IllegalStateException if the name is taken
   */
  public static ScsiLoopTarget register(String name, ScsiTarget target) {
    ScsiLoopTarget t = new ScsiLoopTarget(name, target);
    if (TARGETS.putIfAbsent(name, t) != null) {
      throw new IllegalStateException("a SCSI loop target named '" + name + "' exists");
    }
    return t;
  }

  public static Optional<ScsiLoopTarget> find(String name) {
    return Optional.ofNullable(TARGETS.get(name));
  }

  static void unregister(ScsiLoopTarget t) {
    TARGETS.remove(t.name(), t);
  }
}
