package dev.mpath.nvme.loop;

import dev.mpath.nvme.target.NvmeSubsystem;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide registry of in-process NVMe targets reachable as
 * {@code nvme+loop://<name>/<subsystem NQN>}. Thread-safe.
 */
public final class LoopTargets {
  private static final Map<String, LoopTarget> TARGETS = new ConcurrentHashMap<>();

  private LoopTargets() {}

  /**
   * Registers subsystems under {@code name}; {@link LoopTarget#close()} unregisters them.
   *
   * @throws IllegalStateException if the name is taken
   */
  public static LoopTarget register(String name, NvmeSubsystem... subsystems) {
    LoopTarget t = new LoopTarget(name, subsystems);
    if (TARGETS.putIfAbsent(name, t) != null) {
      throw new IllegalStateException("an NVMe loop target named '" + name + "' exists");
    }
    return t;
  }

  /** The target registered under {@code name}. */
  public static Optional<LoopTarget> find(String name) {
    return Optional.ofNullable(TARGETS.get(name));
  }

  static void unregister(LoopTarget t) {
    TARGETS.remove(t.name(), t);
  }
}
