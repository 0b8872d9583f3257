package dev.mpath.spi;

/** How a provider's attempts relate to the head's request. */
public enum FailoverStyle {
  /**
   * The head hands the caller's request object itself to the path and, after a path error,
   * to the next one (NVMe: no partial completion, so nothing to undo). No allocation.
   */
  REDIRECT,
  /**
   * Each attempt is a fresh clone of the head request sharing its data but not its buffer
   * position (SCSI: an attempt may complete partially). A failed or partial attempt is
   * dropped and the original is resubmitted in full on another path.
   */
  CLONE
}
