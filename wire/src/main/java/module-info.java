/**
 * The event-driven I/O engine of the wire transports: a fixed pool of Netty event loops
 * shared by every NVMe/TCP and iSCSI connection of the process, host and target.
 */
module dev.mpath.wire {
  requires transitive dev.mpath;
  requires transitive io.netty.transport;
  requires transitive io.netty.buffer;
  requires transitive io.netty.common;
  requires io.netty.transport.classes.epoll;
  requires org.slf4j;
  requires com.google.common;

  exports dev.mpath.wire;
}
