package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;

/**
 * PERSISTENT RESERVE OUT parameter list for every service action except REGISTER AND MOVE
 * (SPC-4, "PERSISTENT RESERVE OUT parameter list").
 *
 * <pre>
 * byte 0-7    RESERVATION KEY
 * byte 8-15   SERVICE ACTION RESERVATION KEY
 * byte 16-19  obsolete
 * byte 20     bit 3 SPEC_I_PT, bit 2 ALL_TG_PT, bit 0 APTPL
 * byte 22-23  obsolete
 * with SPEC_I_PT = 1 (REGISTER only):
 * byte 24-27  TRANSPORTID PARAMETER DATA LENGTH (n-27)
 * byte 28-n   TransportIDs
 * </pre>
 *
 * <p>Decoding (the device-server side): at least 24 bytes; with SPEC_I_PT the length field
 * must be present and must not run past the data received, and the TransportIDs must exactly
 * tile it ({@link ScsiProtocolException} otherwise, which the target reports as INVALID FIELD
 * IN PARAMETER LIST / PARAMETER LIST LENGTH ERROR). Without SPEC_I_PT, bytes after byte 23
 * are ignored; checking that PARAMETER LIST LENGTH is exactly 24 is the device server's job.
 *
 * @param reservationKey               RESERVATION KEY
 * @param serviceActionReservationKey  SERVICE ACTION RESERVATION KEY
 * @param specIPt                      SPEC_I_PT
 * @param allTgPt                      ALL_TG_PT
 * @param aptpl                        APTPL
 * @param transportIds                 TransportIDs (only with SPEC_I_PT)
 */
public record PrOutParameterList(long reservationKey, long serviceActionReservationKey,
    boolean specIPt, boolean allTgPt, boolean aptpl, List<TransportId> transportIds) {

  /** Length of the basic parameter list. */
  public static final int BASIC_LENGTH = 24;
  static final int RESERVATION_KEY = 0;
  static final int SERVICE_ACTION_RESERVATION_KEY = 8;
  static final int FLAGS = 20;
  static final int TRANSPORTID_PARAMETER_DATA_LENGTH = 24;
  static final int SPEC_I_PT_BIT = 0x08;
  static final int ALL_TG_PT_BIT = 0x04;
  static final int APTPL_BIT = 0x01;

  public PrOutParameterList {
    transportIds = List.copyOf(transportIds);
    if (!specIPt && !transportIds.isEmpty()) {
      throw new IllegalArgumentException("TransportIDs need SPEC_I_PT");
    }
  }

  /** A basic list: the two keys, no flags. */
  public static PrOutParameterList of(long reservationKey, long serviceActionReservationKey) {
    return new PrOutParameterList(reservationKey, serviceActionReservationKey, false, false,
        false, List.of());
  }

  public PrOutParameterList withAllTgPt(boolean v) {
    return new PrOutParameterList(reservationKey, serviceActionReservationKey, specIPt, v, aptpl,
        transportIds);
  }

  public PrOutParameterList withAptpl(boolean v) {
    return new PrOutParameterList(reservationKey, serviceActionReservationKey, specIPt, allTgPt,
        v, transportIds);
  }

  /** This list with SPEC_I_PT set and the given TransportIDs. */
  public PrOutParameterList withSpecIPt(List<TransportId> ids) {
    return new PrOutParameterList(reservationKey, serviceActionReservationKey, true, allTgPt,
        aptpl, ids);
  }

  /** Encoded length: 24, or 28 plus the TransportIDs with SPEC_I_PT. */
  public int encodedLength() {
    if (!specIPt) {
      return BASIC_LENGTH;
    }
    int n = BASIC_LENGTH + 4;
    for (TransportId t : transportIds) {
      n += t.encodedLength();
    }
    return n;
  }

  public byte[] encode() {
    byte[] d = new byte[encodedLength()];
    Bytes.put64(d, RESERVATION_KEY, reservationKey);
    Bytes.put64(d, SERVICE_ACTION_RESERVATION_KEY, serviceActionReservationKey);
    d[FLAGS] = (byte) ((specIPt ? SPEC_I_PT_BIT : 0) | (allTgPt ? ALL_TG_PT_BIT : 0)
        | (aptpl ? APTPL_BIT : 0));
    if (specIPt) {
      Bytes.put32(d, TRANSPORTID_PARAMETER_DATA_LENGTH, d.length - BASIC_LENGTH - 4L);
      int p = BASIC_LENGTH + 4;
      for (TransportId t : transportIds) {
        byte[] e = t.encode();
        System.arraycopy(e, 0, d, p, e.length);
        p += e.length;
      }
    }
    return d;
  }

  public static PrOutParameterList decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static PrOutParameterList decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("PERSISTENT RESERVE OUT parameter list", BASIC_LENGTH, len);
    int flags = Bytes.u8(b, off + FLAGS);
    boolean spec = (flags & SPEC_I_PT_BIT) != 0;
    List<TransportId> ids = new ArrayList<>();
    if (spec) {
      Bytes.need("PERSISTENT RESERVE OUT parameter list with SPEC_I_PT", BASIC_LENGTH + 4, len);
      long tl = Bytes.u32(b, off + TRANSPORTID_PARAMETER_DATA_LENGTH);
      int avail = len - BASIC_LENGTH - 4;
      if (tl > avail) {
        throw new ScsiProtocolException("PERSISTENT RESERVE OUT: TRANSPORTID PARAMETER DATA "
            + "LENGTH " + tl + " runs past the " + avail + " bytes received",
            BASIC_LENGTH + 4 + tl, len);
      }
      int p = BASIC_LENGTH + 4;
      int end = p + (int) tl;
      while (p < end) {
        TransportId t = TransportId.decode(b, off + p, end - p);
        ids.add(t);
        p += t.encodedLength();
      }
    }
    return new PrOutParameterList(Bytes.u64(b, off + RESERVATION_KEY),
        Bytes.u64(b, off + SERVICE_ACTION_RESERVATION_KEY), spec,
        (flags & ALL_TG_PT_BIT) != 0, (flags & APTPL_BIT) != 0, ids);
  }
}
