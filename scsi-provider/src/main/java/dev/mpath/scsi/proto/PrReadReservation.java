package dev.mpath.scsi.proto;

import java.util.Objects;
import java.util.Optional;

/**
 * PERSISTENT RESERVE IN, READ RESERVATION parameter data (SPC-4).
 *
 * <pre>
 * byte 0-3    PRGENERATION
 * byte 4-7    ADDITIONAL LENGTH: 0 (no reservation) or 10h
 * byte 8-15   RESERVATION KEY
 * byte 16-19  obsolete
 * byte 21     bits 7:4 SCOPE, bits 3:0 TYPE
 * byte 22-23  obsolete
 * </pre>
 *
 * <p>Decoding: ADDITIONAL LENGTH other than 0 or 10h, or a reserved TYPE, is a
 * {@link ScsiProtocolException}; a cut response a {@link TruncatedDataException}.
 *
 * @param generation   PRGENERATION (unsigned 32 bits)
 * @param reservation  the reservation, if one is held
 */
public record PrReadReservation(long generation, Optional<PrReservation> reservation) {
  /** ADDITIONAL LENGTH when a reservation is held. */
  public static final int RESERVATION_LENGTH = 0x10;
  static final int SCOPE_TYPE = 21;

  public PrReadReservation {
    Bytes.checkU32("PRGENERATION", generation);
    Objects.requireNonNull(reservation, "reservation");
  }

  public static PrReadReservation none(long generation) {
    return new PrReadReservation(generation, Optional.empty());
  }

  public static PrReadReservation of(long generation, long key, PrType type) {
    return new PrReadReservation(generation, Optional.of(new PrReservation(key, 0, type)));
  }

  public byte[] encode() {
    byte[] d = new byte[PrInSupport.HEADER_LENGTH + (reservation.isPresent() ? RESERVATION_LENGTH : 0)];
    Bytes.put32(d, 0, generation);
    reservation.ifPresent(r -> {
      Bytes.put32(d, 4, RESERVATION_LENGTH);
      Bytes.put64(d, 8, r.key());
      d[SCOPE_TYPE] = (byte) (r.scope() << 4 | r.type().code());
    });
    return d;
  }

  public static PrReadReservation decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static PrReadReservation decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("READ RESERVATION parameter data header", PrInSupport.HEADER_LENGTH, len);
    long declared = Bytes.u32(b, off + 4);
    if (declared != 0 && declared != RESERVATION_LENGTH) {
      throw new ScsiProtocolException("READ RESERVATION: ADDITIONAL LENGTH " + declared
          + ", expected 0 or 16");
    }
    int addl = PrInSupport.checkHeader(b, off, len, "READ RESERVATION parameter data");
    long gen = Bytes.u32(b, off);
    if (addl == 0) {
      return none(gen);
    }
    int st = Bytes.u8(b, off + SCOPE_TYPE);
    return new PrReadReservation(gen, Optional.of(
        new PrReservation(Bytes.u64(b, off + 8), st >>> 4, PrType.fromCode(st & 0xF))));
  }
}
