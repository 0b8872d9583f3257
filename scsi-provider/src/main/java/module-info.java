/** SCSI provider: protocol structures, logical-unit emulator, transports and the host-side provider. */
module dev.mpath.scsi {
  requires transitive dev.mpath;
  requires transitive dev.mpath.alua;
  requires dev.mpath.wire;
  requires io.netty.transport;
  requires io.netty.buffer;
  requires org.slf4j;
  requires com.google.common;

  exports dev.mpath.scsi.proto;
  exports dev.mpath.scsi.target;
  exports dev.mpath.scsi.host;
  exports dev.mpath.scsi.loop;
  exports dev.mpath.scsi.iscsi;

  provides dev.mpath.spi.MultipathProvider with
      dev.mpath.scsi.host.ScsiProvider;
}
