package dev.mpath.scsi.target;

/**
 * One persistent reservation registration: an I_T nexus and its reservation key.
 *
 * @param nexus the registered I_T nexus
 * @param key the RESERVATION KEY (never zero)
 * @param allTgPt whether the registration was made with ALL_TG_PT (the initiator port is then
 *     registered through every target port, one registration per port)
 */
public record PrRegistration(Nexus nexus, long key, boolean allTgPt) {}
