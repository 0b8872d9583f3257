/** NVMe provider: protocol structures, subsystem emulator, transports and the host-side provider. */
module dev.mpath.nvme {
  requires transitive dev.mpath;

  exports dev.mpath.nvme.proto;
}
