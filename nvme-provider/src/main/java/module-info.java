/** NVMe provider: protocol structures, subsystem emulator, transports and the host-side provider. */
module dev.mpath.nvme {
  requires transitive dev.mpath;
  requires dev.mpath.wire;
  requires org.slf4j;
  requires com.google.common;

  exports dev.mpath.nvme.proto;
  exports dev.mpath.nvme.target;
  exports dev.mpath.nvme.host;
  exports dev.mpath.nvme.loop;
  exports dev.mpath.nvme.tcp;

  provides dev.mpath.spi.MultipathProvider with
      dev.mpath.nvme.host.NvmeProvider;
}
