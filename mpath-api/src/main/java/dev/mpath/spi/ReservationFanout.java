package dev.mpath.spi;

/** To which paths reservation commands go; the head implements both strategies. */
public enum ReservationFanout {
  /**
   * Registrations belong to the host (NVMe: host identifier): every command goes to one
   * usable path, and to the next one if that path fails.
   */
  PER_HOST,
  /**
   * Registrations belong to each I_T nexus (SCSI): REGISTER goes to every usable path, a
   * path that joins later is registered before it carries I/O (only while the key is still
   * registered on the device), partial registrations are repaired or reported. Other
   * commands go through one path.
   */
  PER_NEXUS
}
