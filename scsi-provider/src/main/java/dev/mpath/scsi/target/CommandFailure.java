package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;

/**
 * Ends a command with a status other than GOOD: CHECK CONDITION with sense data, or
 * RESERVATION CONFLICT. Control flow inside the device server only; carries no stack trace.
 */
final class CommandFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient SenseData sense;

  private CommandFailure(int status, SenseData sense) {
    super(sense == null ? "status " + status : sense.toString(), null, false, false);
    this.status = status;
    this.sense = sense;
  }

  static CommandFailure check(SenseKey key, Asc asc) {
    return new CommandFailure(ScsiStatus.CHECK_CONDITION.code(), SenseData.of(key, asc));
  }

  static CommandFailure check(SenseData sense) {
    return new CommandFailure(ScsiStatus.CHECK_CONDITION.code(), sense);
  }

  static CommandFailure reservationConflict() {
    return new CommandFailure(ScsiStatus.RESERVATION_CONFLICT.code(), null);
  }

  static CommandFailure illegal(Asc asc) {
    return check(SenseKey.ILLEGAL_REQUEST, asc);
  }

  /** ILLEGAL REQUEST, INVALID FIELD IN CDB, FIELD POINTER at {@code byteOffset} (bit -1: none). */
  static CommandFailure invalidCdbField(int byteOffset, int bit) {
    return check(SenseData.builder(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB)
        .senseKeySpecific(SenseData.fieldPointer(true, byteOffset, bit)).build());
  }

  /** ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST with a FIELD POINTER. */
  static CommandFailure invalidParameterField(int byteOffset, int bit) {
    return check(SenseData.builder(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_PARAMETER_LIST)
        .senseKeySpecific(SenseData.fieldPointer(false, byteOffset, bit)).build());
  }

  /** ILLEGAL REQUEST, PARAMETER LIST LENGTH ERROR. */
  static CommandFailure parameterListLength() {
    return illegal(Asc.PARAMETER_LIST_LENGTH_ERROR);
  }

  int status() {
    return status;
  }

  SenseData sense() {
    return sense;
  }

  /** The response: nothing moved, so the whole expected length is residual. */
  ScsiResponse toResponse(int dataLength) {
    return response(status, sense, 0, Math.max(0, dataLength));
  }

  static ScsiResponse response(int status, SenseData sense, int moved, int residual) {
    return new ScsiResponse(status, sense == null ? null : sense.encode(), moved, residual);
  }
}
