package dev.mpath.scsi.iscsi;

/**
 * The operational parameters of a logged-in session (RFC 7143 13), as negotiated.
 *
 * @param headerDigest CRC32C header digests on
 * @param dataDigest CRC32C data digests on
 * @param targetMaxRecvDataSegmentLength the most data we may put in one PDU to the target
 * @param initiatorMaxRecvDataSegmentLength the most data the target may put in one PDU to us
 * @param maxBurstLength the most data in one solicited (or unsolicited) sequence
 * @param firstBurstLength the most unsolicited data per command
 * @param initialR2T whether unsolicited Data-Out PDUs are forbidden
 * @param immediateData whether data may ride in the SCSI Command PDU
 * @param tsih the session handle the target assigned
 * @param targetPortalGroupTag TargetPortalGroupTag (-1 if not sent)
 * @param targetAlias TargetAlias, or empty
 */
public record Negotiated(
    boolean headerDigest, boolean dataDigest,
    int targetMaxRecvDataSegmentLength, int initiatorMaxRecvDataSegmentLength,
    int maxBurstLength, int firstBurstLength, boolean initialR2T, boolean immediateData,
    int tsih, int targetPortalGroupTag, String targetAlias) {}
