package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import java.util.Arrays;
import java.util.Optional;

/**
 * The outcome of one SCSI command.
 *
 * <p>{@code residual} follows iSCSI (RFC 7143 11.4.5): positive for an underflow (fewer bytes
 * moved than the expected data transfer length: {@code dataLength - dataTransferred}), negative
 * for an overflow (the command wanted to move more than the expected length: {@code
 * dataLength - wanted}), zero when the command moved exactly the expected length.
 *
 * @param status SAM status byte (0x00 GOOD, 0x02 CHECK CONDITION, 0x18 RESERVATION CONFLICT...)
 * @param sense fixed- or descriptor-format sense data, null unless CHECK CONDITION
 * @param dataTransferred bytes actually moved from or into the data buffer
 * @param residual residual count, see above
 */
public record ScsiResponse(int status, byte[] sense, int dataTransferred, int residual) {

  /** Validates the fields and copies the sense bytes. */
  public ScsiResponse {
    if (status < 0 || status > 0xFF) {
      throw new IllegalArgumentException("status is one byte: " + status);
    }
    if (dataTransferred < 0) {
      throw new IllegalArgumentException("negative dataTransferred: " + dataTransferred);
    }
    sense = sense == null ? null : sense.clone();
  }

  /** Shared GOOD answers (see {@link #good}): one per multiple of 512 bytes up to 1 MiB. */
  private static final ScsiResponse[] GOOD_EXACT = new ScsiResponse[(1 << 20) / 512 + 1];

  /**
   * GOOD status. A command that moved exactly its expected length in whole 512-byte units
   * (up to 1 MiB: the I/O path's answers) gets a shared instance, so answering it allocates
   * nothing; responses are immutable, so sharing is safe.
   */
  public static ScsiResponse good(int dataTransferred, int residual) {
    if (residual == 0 && (dataTransferred & 511) == 0 && dataTransferred >= 0
        && dataTransferred >>> 9 < GOOD_EXACT.length) {
      int i = dataTransferred >>> 9;
      ScsiResponse r = GOOD_EXACT[i];
      if (r == null) { // a benign race: all fields final, so any thread sees them whole
        r = new ScsiResponse(ScsiStatus.GOOD.code(), null, dataTransferred, 0);
        GOOD_EXACT[i] = r;
      }
      return r;
    }
    return new ScsiResponse(ScsiStatus.GOOD.code(), null, dataTransferred, residual);
  }

  /** CHECK CONDITION with the given sense data. */
  public static ScsiResponse checkCondition(SenseData sense, int dataTransferred, int residual) {
    return new ScsiResponse(ScsiStatus.CHECK_CONDITION.code(), sense.encode(), dataTransferred,
        residual);
  }

  /** A copy of the sense bytes, or null. */
  @Override
  public byte[] sense() {
    return sense == null ? null : sense.clone();
  }

  /** Whether the status is GOOD. */
  public boolean isGood() {
    return status == ScsiStatus.GOOD.code();
  }

  /** The status as an enum (throws for reserved or obsolete codes). */
  public ScsiStatus scsiStatus() {
    return ScsiStatus.fromCode(status);
  }

  /** The decoded sense data, when present and decodable. */
  public Optional<SenseData> senseData() {
    if (sense == null || sense.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(SenseData.decode(sense));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScsiResponse r && r.status == status && Arrays.equals(r.sense, sense)
        && r.dataTransferred == dataTransferred && r.residual == residual;
  }

  @Override
  public int hashCode() {
    return ((status * 31 + Arrays.hashCode(sense)) * 31 + dataTransferred) * 31 + residual;
  }

  @Override
  public String toString() {
    String st;
    try {
      st = ScsiStatus.fromCode(status).name();
    } catch (RuntimeException e) {
      st = String.format("0x%02X", status);
    }
    StringBuilder sb = new StringBuilder("ScsiResponse[").append(st);
    senseData().ifPresent(s -> sb.append(", ").append(s.senseKey()).append(' ')
        .append(s.additionalSense()));
    return sb.append(", transferred=").append(dataTransferred).append(", residual=")
        .append(residual).append(']').toString();
  }
}
