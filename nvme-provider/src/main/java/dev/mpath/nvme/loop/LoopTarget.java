package dev.mpath.nvme.loop;

import dev.mpath.nvme.target.NvmeSubsystem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A named set of subsystem emulators reachable through the loop transport. */
public final class LoopTarget implements AutoCloseable {
  private final String name;
  private final Map<String, NvmeSubsystem> subsystems = new LinkedHashMap<>();

  LoopTarget(String name, NvmeSubsystem... subs) {
    this.name = name;
    for (NvmeSubsystem s : subs) {
      if (subsystems.putIfAbsent(s.nqn(), s) != null) {
        throw new IllegalArgumentException("subsystem " + s.nqn() + " given twice");
      }
    }
  }

  public String name() {
    return name;
  }

  /** The subsystem with {@code nqn}. */
  public NvmeSubsystem subsystem(String nqn) {
    NvmeSubsystem s = subsystems.get(nqn);
    if (s == null) {
      throw new IllegalArgumentException(
          "loop target '" + name + "' has no subsystem " + nqn + " (it has " + subsystems.keySet() + ")");
    }
    return s;
  }

  /** The port ids of subsystem {@code nqn}. */
  public List<Integer> ports(String nqn) {
    return subsystem(nqn).ports();
  }

  /** The subsystems, in registration order. */
  public List<NvmeSubsystem> subsystems() {
    return List.copyOf(subsystems.values());
  }

  /** Unregisters the target (the subsystems stay open; close them separately). */
  @Override
  public void close() {
    LoopTargets.unregister(this);
  }
}
