package dev.mpath;

import java.util.List;

/**
 * The registered reservation keys of a device and the generation counter they were read
 * at (SCSI PRGENERATION; NVMe GEN). A key appears once per registration (per I_T nexus for
 * SCSI, per host for NVMe).
 */
public record RegisteredKeys(long generation, List<Long> keys) {
  public RegisteredKeys {
    keys = List.copyOf(keys);
  }

  /** Whether {@code key} is registered at least once. */
  public boolean contains(long key) {
    return keys.contains(key);
  }
}
