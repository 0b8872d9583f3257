/**
 * Backing stores for the bundled target emulators (NVMe namespaces, SCSI logical units):
 * sparse memory, file and null. Protocol-neutral, so both emulators share them.
 */
package dev.mpath.store;
