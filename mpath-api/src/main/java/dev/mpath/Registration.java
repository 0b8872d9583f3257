package dev.mpath;

/**
 * One registration as the device reports it in full (SCSI READ FULL STATUS; NVMe
 * Reservation Report with the extended data structure).
 *
 * @param key the reservation key
 * @param holder whether this registration holds the reservation
 * @param registrant who registered: the initiator port's TransportID text (SCSI, e.g.
 *     {@code iqn...,i,0x...}) or the 128-bit host identifier in hex (NVMe)
 * @param port relative target port identifier (SCSI) or controller id (NVMe)
 * @param allTargetPorts the registration covers every target port (SCSI ALL_TG_PT)
 */
public record Registration(
    long key, boolean holder, String registrant, int port, boolean allTargetPorts) {}
