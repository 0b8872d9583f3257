package dev.mpath;

/**
 * Asymmetric access state of a path, unifying SCSI ALUA (SPC-4 6.37, target port
 * asymmetric access states) and NVMe ANA (NVMe base 2.0, 8.1.1 Asymmetric Namespace
 * Access Reporting).
 *
 * <table>
 *   <caption>Mapping to the protocol states</caption>
 *   <tr><th>AccessState</th><th>ALUA (code)</th><th>ANA (code)</th></tr>
 *   <tr><td>OPTIMIZED</td><td>active/optimized (0h)</td><td>optimized (01h)</td></tr>
 *   <tr><td>NON_OPTIMIZED</td><td>active/non-optimized (1h)</td><td>non-optimized (02h)</td></tr>
 *   <tr><td>STANDBY</td><td>standby (2h)</td><td>-</td></tr>
 *   <tr><td>UNAVAILABLE</td><td>unavailable (3h), offline (Eh)*</td><td>inaccessible (03h)</td></tr>
 *   <tr><td>OFFLINE</td><td>-</td><td>persistent loss (04h)</td></tr>
 *   <tr><td>TRANSITIONING</td><td>transitioning (Fh)</td><td>change (0Fh)</td></tr>
 * </table>
 * (*) A provider may report ALUA offline as {@link #OFFLINE} when the port will not come
 * back without administrative action.
 */
public enum AccessState {
  /** Active/optimized: preferred for I/O. */
  OPTIMIZED,
  /** Active/non-optimized: used only when no optimized path is usable. */
  NON_OPTIMIZED,
  /** Standby: no I/O; may be activated explicitly (SCSI STPG). */
  STANDBY,
  /** Access state change in progress: I/O is queued, the path may become usable. */
  TRANSITIONING,
  /** Unavailable (ALUA) / inaccessible (ANA): no I/O through this path now. */
  UNAVAILABLE,
  /** Offline (ALUA) / persistent loss (ANA): the path will not serve this device again. */
  OFFLINE;

  /** Whether a LIVE path in this state may carry I/O now. */
  public boolean isActive() {
    return this == OPTIMIZED || this == NON_OPTIMIZED;
  }

  /** Whether a path in this state is expected to become usable by itself. */
  public boolean mayBecomeActive() {
    return this == TRANSITIONING;
  }

  /**
   * The Linux sysfs {@code ana_state} spelling: optimized, non-optimized, inaccessible,
   * persistent-loss, change (and standby, which ANA lacks).
   */
  public String anaStateName() {
    switch (this) {
      case OPTIMIZED:
        return "optimized";
      case NON_OPTIMIZED:
        return "non-optimized";
      case UNAVAILABLE:
        return "inaccessible";
      case OFFLINE:
        return "persistent-loss";
      case TRANSITIONING:
        return "change";
      case STANDBY:
      default:
        return "standby";
    }
  }
}
