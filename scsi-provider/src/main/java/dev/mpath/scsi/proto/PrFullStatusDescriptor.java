package dev.mpath.scsi.proto;

import java.util.Objects;

/**
 * One full status descriptor of READ FULL STATUS (SPC-4).
 *
 * <pre>
 * byte 0-7    RESERVATION KEY
 * byte 12     bit 1 ALL_TG_PT, bit 0 R_HOLDER
 * byte 13     bits 7:4 SCOPE, bits 3:0 TYPE
 * byte 18-19  RELATIVE TARGET PORT IDENTIFIER (not meaningful with ALL_TG_PT)
 * byte 20-23  ADDITIONAL DESCRIPTOR LENGTH (n-23)
 * byte 24-n   TransportID
 * </pre>
 *
 * <p>SCOPE and TYPE are kept as numbers: SPC-4 defines them only when R_HOLDER is set.
 */
public record PrFullStatusDescriptor(long reservationKey, boolean allTgPt,
    boolean reservationHolder, int scope, int type, int relativeTargetPortId,
    TransportId transportId) {
  /** Header length before the TransportID. */
  public static final int HEADER_LENGTH = 24;

  public PrFullStatusDescriptor {
    Bytes.checkRange("SCOPE", scope, 0, 0xF);
    Bytes.checkRange("TYPE", type, 0, 0xF);
    Bytes.checkRange("RELATIVE TARGET PORT IDENTIFIER", relativeTargetPortId, 0, 0xFFFF);
    Objects.requireNonNull(transportId, "transportId");
  }

  /** TYPE as an enum (meaningful when {@link #reservationHolder()}). */
  public PrType prType() {
    return PrType.fromCode(type);
  }

  public int encodedLength() {
    return HEADER_LENGTH + transportId.encodedLength();
  }

  int encodeInto(byte[] d, int p) {
    byte[] t = transportId.encode();
    Bytes.put64(d, p, reservationKey);
    d[p + 12] = (byte) ((allTgPt ? 0x02 : 0) | (reservationHolder ? 0x01 : 0));
    d[p + 13] = (byte) (scope << 4 | type);
    Bytes.put16(d, p + 18, relativeTargetPortId);
    Bytes.put32(d, p + 20, t.length);
    System.arraycopy(t, 0, d, p + HEADER_LENGTH, t.length);
    return HEADER_LENGTH + t.length;
  }

  /** Decodes one descriptor at {@code b[off]} with {@code len} bytes left in the list. */
  static PrFullStatusDescriptor decode(byte[] b, int off, int len) {
    Bytes.need("full status descriptor", HEADER_LENGTH, len);
    long adl = Bytes.u32(b, off + 20);
    if (adl > len - HEADER_LENGTH) {
      throw new ScsiProtocolException("full status descriptor: ADDITIONAL DESCRIPTOR LENGTH "
          + adl + " runs past the " + (len - HEADER_LENGTH) + " bytes left in the list",
          HEADER_LENGTH + adl, len);
    }
    TransportId t = TransportId.decode(b, off + HEADER_LENGTH, (int) adl);
    if (t.encodedLength() != adl) {
      throw new ScsiProtocolException("full status descriptor: ADDITIONAL DESCRIPTOR LENGTH "
          + adl + " but the TransportID is " + t.encodedLength() + " bytes");
    }
    int f = Bytes.u8(b, off + 12);
    int st = Bytes.u8(b, off + 13);
    return new PrFullStatusDescriptor(Bytes.u64(b, off), (f & 0x02) != 0, (f & 0x01) != 0,
        st >>> 4, st & 0xF, Bytes.u16(b, off + 18), t);
  }
}
