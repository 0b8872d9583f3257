package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.PrType;

/**
 * The persistent reservation a logical unit holds.
 *
 * @param reservedBy the I_T nexus that created it (for the all-registrants types every
 *     registrant is a holder)
 * @param key the key READ RESERVATION reports: the holder's key, zero for the all-registrants
 *     types (SPC-4)
 * @param type the reservation type
 */
public record PrHolder(Nexus reservedBy, long key, PrType type) {}
