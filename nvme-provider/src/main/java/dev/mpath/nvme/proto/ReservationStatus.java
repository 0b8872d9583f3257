package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reservation Status data structure returned by Reservation Report (NVMe Base 2.0), in its
 * basic form (EDS 0: 24-byte header, 24-byte {@link RegisteredController} entries with 64-bit
 * host identifiers) or extended form (EDS 1: 64-byte header, 64-byte entries with 128-bit
 * host identifiers).
 *
 * <p>Header: bytes 03:00 Generation (GEN), byte 04 Reservation Type (RTYPE, 0 = none),
 * bytes 06:05 Number of Registered Controllers (REGCTL), bytes 08:07 reserved, byte 09
 * Persist Through Power Loss State (PTPLS, bit 0), bytes 23:10 reserved (extended form: 63:10).
 *
 * <p>A controller transfers only as many bytes as the host asked for (NUMD) while REGCTL
 * still counts every registrant, so the decoder returns the entries that are present in
 * full and keeps REGCTL in {@link #registeredControllers()}: {@link #truncated()} tells the
 * host to ask again with a bigger buffer. A count larger than the buffer therefore never
 * allocates more than the buffer can back.
 *
 * @param generation GEN (unsigned 32 bits, as raw int)
 * @param rtype RTYPE, 0 (no reservation) or 1..6
 * @param ptpls PTPLS bit 0
 * @param extended extended data structure (EDS 1)
 * @param registeredControllers REGCTL as reported (at least {@code registrants.size()})
 * @param registrants the registrant entries present
 */
public record ReservationStatus(
    int generation,
    int rtype,
    boolean ptpls,
    boolean extended,
    int registeredControllers,
    List<RegisteredController> registrants) {

  /** Header size, basic form. */
  public static final int HEADER_LENGTH = 24;
  /** Header size, extended form. */
  public static final int EXTENDED_HEADER_LENGTH = 64;
  /** Bytes 03:00 GEN. */
  public static final int GEN_OFFSET = 0;
  /** Byte 04 RTYPE. */
  public static final int RTYPE_OFFSET = 4;
  /** Bytes 06:05 REGCTL. */
  public static final int REGCTL_OFFSET = 5;
  /** Byte 09 PTPLS. */
  public static final int PTPLS_OFFSET = 9;

  // Registered Controller data structure (basic)
  static final int RC_CNTLID = 0;
  static final int RC_RCSTS = 2;
  static final int RC_HOSTID = 8;
  static final int RC_RKEY = 16;
  // Registered Controller Extended data structure
  static final int RCE_RKEY = 8;
  static final int RCE_HOSTID = 16;

  private static final String STRUCTURE = "Reservation Status data structure";

  /** Validates and copies. */
  public ReservationStatus {
    Le.checkRange("RTYPE", rtype, 0, 6);
    registrants = List.copyOf(registrants);
    Le.checkRange("REGCTL", registeredControllers, registrants.size(), 0xFFFF);
    for (RegisteredController r : registrants) {
      if (r.extendedHostId() != extended) {
        throw new IllegalArgumentException(
            (extended ? "extended" : "basic") + " form needs "
                + (extended ? 16 : 8) + "-byte host identifiers: " + r);
      }
    }
  }

  /** A complete status: REGCTL is the number of registrants. */
  public static ReservationStatus of(
      int generation,
      NvmeReservationType type,
      boolean ptpls,
      boolean extended,
      List<RegisteredController> registrants) {
    return new ReservationStatus(
        generation, type == null ? 0 : type.code(), ptpls, extended, registrants.size(),
        registrants);
  }

  /** The reservation held, if any. */
  public Optional<NvmeReservationType> reservationType() {
    return rtype == 0 ? Optional.empty() : Optional.of(NvmeReservationType.fromCode(rtype));
  }

  /** The registrant holding the reservation, if one is marked. */
  public Optional<RegisteredController> holder() {
    return registrants.stream().filter(RegisteredController::holdsReservation).findFirst();
  }

  /** Whether REGCTL counts more registrants than the buffer held. */
  public boolean truncated() {
    return registeredControllers > registrants.size();
  }

  /** Header size for a form. */
  public static int headerLength(boolean extended) {
    return extended ? EXTENDED_HEADER_LENGTH : HEADER_LENGTH;
  }

  /** Entry size for a form. */
  public static int entryLength(boolean extended) {
    return extended ? RegisteredController.EXTENDED_LENGTH : RegisteredController.LENGTH;
  }

  /**
   * Decodes from {@code src.position()} to its limit.
   *
   * @param extended whether the report was requested with EDS 1
   */
  public static ReservationStatus decode(ByteBuffer src, boolean extended)
      throws NvmeProtocolException {
    int header = headerLength(extended);
    int entry = entryLength(extended);
    Le.requireRemaining(src, header, STRUCTURE);
    int base = src.position();
    int gen = Le.i32(src, base + GEN_OFFSET);
    int rtype = Le.u8(src, base + RTYPE_OFFSET);
    int regctl = Le.u16(src, base + REGCTL_OFFSET);
    boolean ptpls = (Le.u8(src, base + PTPLS_OFFSET) & 1) != 0;
    if (rtype > 6) {
      throw new NvmeProtocolException(STRUCTURE, "reserved RTYPE " + rtype);
    }
    int present = Math.min(regctl, (src.remaining() - header) / entry);
    List<RegisteredController> out = new ArrayList<>(present);
    for (int i = 0; i < present; i++) {
      int p = base + header + i * entry;
      int cntlid = Le.u16(src, p + RC_CNTLID);
      boolean holds = (Le.u8(src, p + RC_RCSTS) & 1) != 0;
      byte[] hostId;
      long rkey;
      if (extended) {
        rkey = Le.i64(src, p + RCE_RKEY);
        hostId = Le.bytes(src, p + RCE_HOSTID, 16);
      } else {
        hostId = Le.bytes(src, p + RC_HOSTID, 8);
        rkey = Le.i64(src, p + RC_RKEY);
      }
      out.add(new RegisteredController(cntlid, holds, hostId, rkey));
    }
    return new ReservationStatus(gen, rtype, ptpls, extended, regctl, out);
  }

  /** Header plus the entries present. */
  public int encodedLength() {
    return headerLength(extended) + registrants.size() * entryLength(extended);
  }

  /**
   * Writes the structure at {@code dst.position()} and advances it. A target answering a
   * shorter NUMD sends the first {@code 4 * (NUMD + 1)} bytes of this encoding.
   */
  public void encode(ByteBuffer dst) {
    int len = encodedLength();
    Le.requireWritable(dst, len, STRUCTURE);
    int base = dst.position();
    Le.zero(dst, base, len);
    Le.put32(dst, base + GEN_OFFSET, generation);
    Le.put8(dst, base + RTYPE_OFFSET, rtype);
    Le.put16(dst, base + REGCTL_OFFSET, registeredControllers);
    Le.put8(dst, base + PTPLS_OFFSET, ptpls ? 1 : 0);
    int header = headerLength(extended);
    int entry = entryLength(extended);
    for (int i = 0; i < registrants.size(); i++) {
      RegisteredController r = registrants.get(i);
      int p = base + header + i * entry;
      Le.put16(dst, p + RC_CNTLID, r.cntlid());
      Le.put8(dst, p + RC_RCSTS, r.holdsReservation() ? 1 : 0);
      if (extended) {
        Le.put64(dst, p + RCE_RKEY, r.rkey());
        Le.putBytes(dst, p + RCE_HOSTID, r.hostId());
      } else {
        Le.putBytes(dst, p + RC_HOSTID, r.hostId());
        Le.put64(dst, p + RC_RKEY, r.rkey());
      }
    }
    dst.position(base + len);
  }

  /** The encoded bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[encodedLength()];
    encode(ByteBuffer.wrap(out));
    return out;
  }
}
