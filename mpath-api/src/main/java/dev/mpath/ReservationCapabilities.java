package dev.mpath;

import java.util.Set;

/**
 * What a device supports of persistent reservations (SCSI REPORT CAPABILITIES; NVMe
 * Identify Namespace RESCAP).
 *
 * @param persistThroughPowerLossCapable APTPL / CPTPL accepted (PTPL_C; RESCAP bit 0)
 * @param persistThroughPowerLossActive persistence is on now (PTPL_A; NVMe: unknown, false)
 * @param allTargetPortsCapable ALL_TG_PT accepted (ATP_C; NVMe: false)
 * @param specifyInitiatorPortsCapable SPEC_I_PT accepted (SIP_C; NVMe: false)
 * @param ignoreExistingKeyCapable REGISTER AND IGNORE EXISTING KEY / IEKEY honoured
 * @param types the reservation types supported
 */
public record ReservationCapabilities(
    boolean persistThroughPowerLossCapable,
    boolean persistThroughPowerLossActive,
    boolean allTargetPortsCapable,
    boolean specifyInitiatorPortsCapable,
    boolean ignoreExistingKeyCapable,
    Set<ReservationType> types) {
  public ReservationCapabilities {
    types = Set.copyOf(types);
  }
}
