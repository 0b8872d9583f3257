/** SCSI provider: protocol structures, logical-unit emulator, transports and the host-side provider. */
module dev.mpath.scsi {
  requires transitive dev.mpath;
  requires dev.mpath.alua;

  exports dev.mpath.scsi.proto;
}
