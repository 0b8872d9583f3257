package dev.mpath.scsi.proto;

import java.util.Objects;

/**
 * The persistent reservation reported by READ RESERVATION.
 *
 * @param key    RESERVATION KEY of the holder
 * @param scope  SCOPE (0 = LU_SCOPE)
 * @param type   TYPE
 */
public record PrReservation(long key, int scope, PrType type) {
  public PrReservation {
    Bytes.checkRange("SCOPE", scope, 0, 0xF);
    Objects.requireNonNull(type, "type");
  }
}
