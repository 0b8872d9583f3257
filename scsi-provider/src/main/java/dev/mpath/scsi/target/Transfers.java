package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;

/** Moving parameter data between a command's buffer and the device server. */
final class Transfers {
  private Transfers() {}

  /**
   * Returns data-in: the first {@code min(full.length, allocationLength)} bytes are what the
   * command wants to return; as much of that as the expected length and the buffer allow is
   * copied. Residual as iSCSI counts it.
   */
  static ScsiResponse dataIn(Command c, byte[] full, long allocationLength) {
    int wanted = (int) Math.min(full.length, Math.max(0, allocationLength));
    int expected = Math.max(0, c.dataLength);
    int moved = Math.min(wanted, c.available());
    c.data.put(full, 0, moved);
    return ScsiResponse.good(moved, wanted > expected ? expected - wanted : expected - moved);
  }

  /**
   * Takes data-out: up to {@code parameterListLength} bytes, bounded by the expected length
   * and the buffer (never sized by the CDB alone).
   */
  static byte[] dataOut(Command c, long parameterListLength) {
    int n = (int) Math.min(Math.max(0, parameterListLength), c.available());
    byte[] b = new byte[n];
    c.data.get(b);
    return b;
  }

  /** GOOD for a command that consumed {@code moved} bytes of data-out (or none). */
  static ScsiResponse consumed(Command c, int moved) {
    return ScsiResponse.good(moved, Math.max(0, c.dataLength) - moved);
  }

  /**
   * CHECK CONDITION, INVALID FIELD IN COMMAND INFORMATION UNIT for a Data-Out the command
   * cannot use as sent (shorter than it needs, or cutting a block), nothing moved, with the
   * RFC 7143 11.4.5.1 residual of {@code wanted} bytes against the expected length.
   */
  static ScsiResponse unusableDataOut(Command c, long wanted) {
    return CommandFailure.response(ScsiStatus.CHECK_CONDITION.code(),
        SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT),
        0, BlockCommands.residual(wanted, Math.max(0, c.dataLength), 0));
  }
}
