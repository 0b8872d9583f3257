/**
 * The SCSI loop transport ({@code scsi+loop://<name>/<target>/<lun>}): each path is an
 * I_T nexus into the bundled LU emulator, answered on the emulator's threads.
 */
package dev.mpath.scsi.loop;
