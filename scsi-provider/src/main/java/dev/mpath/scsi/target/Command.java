package dev.mpath.scsi.target;

import java.nio.ByteBuffer;

/**
 * One submitted command on its way through a target port to a logical unit. The CDB is a
 * private copy and {@link #data} a private duplicate of the caller's buffer, so the device
 * server may move its position and limit freely.
 */
final class Command {
  final Session session;
  final long tag;
  final int lun;
  final byte[] cdb;
  final ByteBuffer data;
  final int dataLength;

  Command(Session session, long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    this.session = session;
    this.tag = tag;
    this.lun = lun;
    this.cdb = cdb;
    this.data = data;
    this.dataLength = dataLength;
  }

  Nexus nexus() {
    return session.nexus();
  }

  Faults faults() {
    return session.faults();
  }

  /** Bytes the command may move: the expected length, bounded by the buffer. */
  int available() {
    return Math.max(0, Math.min(dataLength, data.remaining()));
  }
}
