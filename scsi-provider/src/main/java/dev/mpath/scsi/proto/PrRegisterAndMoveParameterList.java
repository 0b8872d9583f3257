package dev.mpath.scsi.proto;

import java.util.Objects;

/**
 * PERSISTENT RESERVE OUT parameter list for REGISTER AND MOVE (SPC-4).
 *
 * <pre>
 * byte 0-7    RESERVATION KEY
 * byte 8-15   SERVICE ACTION RESERVATION KEY
 * byte 17     bit 1 UNREG, bit 0 APTPL
 * byte 18-19  RELATIVE TARGET PORT IDENTIFIER
 * byte 20-23  TRANSPORTID PARAMETER DATA LENGTH (n-23)
 * byte 24-n   TransportID
 * </pre>
 *
 * <p>Decoding: at least 24 bytes, and TRANSPORTID PARAMETER DATA LENGTH must fit in the data
 * received and hold one TransportID.
 */
public record PrRegisterAndMoveParameterList(long reservationKey,
    long serviceActionReservationKey, boolean unreg, boolean aptpl, int relativeTargetPortId,
    TransportId transportId) {

  /** Header length before the TransportID. */
  public static final int HEADER_LENGTH = 24;
  static final int FLAGS = 17;
  static final int RELATIVE_TARGET_PORT_IDENTIFIER = 18;
  static final int TRANSPORTID_PARAMETER_DATA_LENGTH = 20;

  public PrRegisterAndMoveParameterList {
    Bytes.checkRange("RELATIVE TARGET PORT IDENTIFIER", relativeTargetPortId, 0, 0xFFFF);
    Objects.requireNonNull(transportId, "transportId");
  }

  public byte[] encode() {
    byte[] t = transportId.encode();
    byte[] d = new byte[HEADER_LENGTH + t.length];
    Bytes.put64(d, 0, reservationKey);
    Bytes.put64(d, 8, serviceActionReservationKey);
    d[FLAGS] = (byte) ((unreg ? 0x02 : 0) | (aptpl ? 0x01 : 0));
    Bytes.put16(d, RELATIVE_TARGET_PORT_IDENTIFIER, relativeTargetPortId);
    Bytes.put32(d, TRANSPORTID_PARAMETER_DATA_LENGTH, t.length);
    System.arraycopy(t, 0, d, HEADER_LENGTH, t.length);
    return d;
  }

  public static PrRegisterAndMoveParameterList decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("REGISTER AND MOVE parameter list", HEADER_LENGTH, len);
    long tl = Bytes.u32(b, off + TRANSPORTID_PARAMETER_DATA_LENGTH);
    if (tl > len - HEADER_LENGTH) {
      throw new ScsiProtocolException("REGISTER AND MOVE: TRANSPORTID PARAMETER DATA LENGTH " + tl
          + " runs past the " + (len - HEADER_LENGTH) + " bytes received",
          HEADER_LENGTH + tl, len);
    }
    TransportId t = TransportId.decode(b, off + HEADER_LENGTH, (int) tl);
    int flags = Bytes.u8(b, off + FLAGS);
    return new PrRegisterAndMoveParameterList(Bytes.u64(b, off), Bytes.u64(b, off + 8),
        (flags & 0x02) != 0, (flags & 0x01) != 0,
        Bytes.u16(b, off + RELATIVE_TARGET_PORT_IDENTIFIER), t);
  }
}
