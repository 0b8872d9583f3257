package dev.mpath.scsi.host;

import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseData;
import java.util.Optional;

/**
 * The answer to one SCSI command.
 *
 * @param status SAM status byte
 * @param sense raw sense data, or null
 * @param transferred data bytes moved
 * @param residual positive for an underflow, negative for an overflow
 */
public record ScsiResult(int status, byte[] sense, int transferred, int residual) {
  public static final int GOOD = 0x00;
  public static final int CHECK_CONDITION = 0x02;
  public static final int BUSY = 0x08;
  public static final int RESERVATION_CONFLICT = 0x18;
  public static final int TASK_SET_FULL = 0x28;
  public static final int ACA_ACTIVE = 0x30;
  public static final int TASK_ABORTED = 0x40;

  /** The decoded sense data, if any and well-formed. */
  public Optional<SenseData> senseData() {
    if (sense == null || sense.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(SenseData.decode(sense));
    } catch (ScsiProtocolException e) {
      return Optional.empty();
    }
  }

  public boolean good() {
    return status == GOOD;
  }
}
