package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReservationTest {

  static final byte[] HOST_A = hex("0102030405060708");
  static final byte[] HOST_B = hex("1112131415161718");
  static final byte[] HOST_A128 = hex("0102030405060708090A0B0C0D0E0F10");

  // Reservation Status data structure (Base 2.0), EDS 0
  static final byte[] BASIC = hex(
      "44 33 22 11"           // bytes 3:0   GEN = 11223344h
      + "02"                  // byte 4      RTYPE = Exclusive Access
      + "02 00"               // bytes 6:5   REGCTL = 2
      + "00 00"               // bytes 8:7   reserved
      + "01"                  // byte 9      PTPLS
      + "00".repeat(14)       // bytes 23:10 reserved
      // Registered Controller data structure 0
      + "01 00"               // bytes 1:0   CNTLID = 1
      + "01"                  // byte 2      RCSTS: holds reservation
      + "00 00 00 00 00"      // bytes 7:3   reserved
      + "0102030405060708"    // bytes 15:8  HOSTID
      + "BB AA 00 00 00 00 00 00" // bytes 23:16 RKEY = AABBh
      // Registered Controller data structure 1
      + "02 00" + "00" + "0000000000" + "1112131415161718" + "DD CC 00 00 00 00 00 00");

  // Extended form, EDS 1: 64-byte header, 64-byte entries, 128-bit HOSTID
  static final byte[] EXTENDED = hex(
      "05 00 00 00"           // GEN = 5
      + "00"                  // RTYPE = none
      + "01 00"               // REGCTL = 1
      + "00 00" + "00"        // reserved, PTPLS 0
      + "00".repeat(54)       // bytes 63:10 reserved
      // Registered Controller Extended data structure
      + "FF FF"               // bytes 1:0   CNTLID = FFFFh
      + "00"                  // byte 2      RCSTS
      + "00 00 00 00 00"      // bytes 7:3   reserved
      + "EF CD AB 89 67 45 23 01" // bytes 15:8 RKEY = 0123456789ABCDEFh
      + "0102030405060708090A0B0C0D0E0F10" // bytes 31:16 HOSTID (128-bit)
      + "00".repeat(32));     // bytes 63:32 reserved

  @Test
  void registerAcquireReleaseData() throws Exception {
    // Reservation Register data structure: bytes 7:0 CRKEY, 15:8 NRKEY
    byte[] reg = hex("0807060504030201 1817161514131211");
    ReservationRegisterData r = ReservationRegisterData.decode(Golden.be(reg));
    assertEquals(0x0102030405060708L, r.crkey());
    assertEquals(0x1112131415161718L, r.nrkey());
    assertArrayEquals(reg, r.toBytes());
    // Reservation Acquire data structure: bytes 7:0 CRKEY, 15:8 PRKEY
    ReservationAcquireData a = ReservationAcquireData.decode(Golden.be(reg));
    assertEquals(0x1112131415161718L, a.prkey());
    assertArrayEquals(reg, a.toBytes());
    // Reservation Release data structure: bytes 7:0 CRKEY
    assertEquals(0x0102030405060708L, ReservationReleaseData.decode(Golden.be(reg)).crkey());
    assertArrayEquals(hex("0807060504030201"), new ReservationReleaseData(0x0102030405060708L).toBytes());

    assertThrows(NvmeProtocolException.class,
        () -> ReservationRegisterData.decode(ByteBuffer.allocate(15)));
    assertThrows(NvmeProtocolException.class,
        () -> ReservationAcquireData.decode(ByteBuffer.allocate(8)));
    assertThrows(NvmeProtocolException.class,
        () -> ReservationReleaseData.decode(ByteBuffer.allocate(7)));
  }

  @Test
  void basicStatusDecodesEveryField() throws Exception {
    ReservationStatus s = ReservationStatus.decode(Golden.be(BASIC), false);
    assertEquals(0x11223344, s.generation());
    assertEquals(2, s.rtype());
    assertEquals(Optional.of(NvmeReservationType.EXCLUSIVE_ACCESS), s.reservationType());
    assertTrue(s.ptpls());
    assertFalse(s.extended());
    assertEquals(2, s.registeredControllers());
    assertFalse(s.truncated());
    RegisteredController r0 = s.registrants().get(0);
    assertEquals(1, r0.cntlid());
    assertTrue(r0.holdsReservation());
    assertArrayEquals(HOST_A, r0.hostId());
    assertEquals(0xAABB, r0.rkey());
    RegisteredController r1 = s.registrants().get(1);
    assertEquals(2, r1.cntlid());
    assertFalse(r1.holdsReservation());
    assertArrayEquals(HOST_B, r1.hostId());
    assertEquals(0xCCDD, r1.rkey());
    assertEquals(Optional.of(r0), s.holder());
  }

  @Test
  void basicStatusEncodes() {
    ReservationStatus s = ReservationStatus.of(0x11223344, NvmeReservationType.EXCLUSIVE_ACCESS,
        true, false, List.of(
            new RegisteredController(1, true, HOST_A, 0xAABB),
            new RegisteredController(2, false, HOST_B, 0xCCDD)));
    assertArrayEquals(BASIC, s.toBytes());
  }

  @Test
  void extendedStatusBothWays() throws Exception {
    ReservationStatus s = ReservationStatus.decode(Golden.be(EXTENDED), true);
    assertEquals(5, s.generation());
    assertEquals(Optional.empty(), s.reservationType());
    assertFalse(s.ptpls());
    RegisteredController r = s.registrants().get(0);
    assertEquals(0xFFFF, r.cntlid());
    assertFalse(r.holdsReservation());
    assertEquals(0x0123456789ABCDEFL, r.rkey());
    assertArrayEquals(HOST_A128, r.hostId());
    assertEquals(Optional.empty(), s.holder());

    ReservationStatus built = ReservationStatus.of(5, null, false, true,
        List.of(new RegisteredController(0xFFFF, false, HOST_A128, 0x0123456789ABCDEFL)));
    assertArrayEquals(EXTENDED, built.toBytes());
    assertEquals(s, built);
  }

  @Test
  void truncatedReportKeepsRegctl() throws Exception {
    // REGCTL 5 but the host asked for header + 2 entries (+ 10 stray bytes of a third)
    byte[] b = java.util.Arrays.copyOf(BASIC, BASIC.length + 10);
    b[5] = 5;
    ReservationStatus s = ReservationStatus.decode(ByteBuffer.wrap(b), false);
    assertEquals(5, s.registeredControllers());
    assertEquals(2, s.registrants().size());
    assertTrue(s.truncated());
    // REGCTL FFFFh with only the header: nothing allocated beyond the bytes present
    byte[] h = java.util.Arrays.copyOf(BASIC, 24);
    h[5] = (byte) 0xFF;
    h[6] = (byte) 0xFF;
    ReservationStatus t = ReservationStatus.decode(ByteBuffer.wrap(h), false);
    assertEquals(0xFFFF, t.registeredControllers());
    assertTrue(t.registrants().isEmpty());
  }

  @Test
  void malformedStatus() {
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> ReservationStatus.decode(ByteBuffer.wrap(new byte[23]), false));
    assertEquals(24, e.expectedLength());
    assertThrows(NvmeProtocolException.class,
        () -> ReservationStatus.decode(ByteBuffer.wrap(java.util.Arrays.copyOf(BASIC, 63)), true));
    byte[] badType = BASIC.clone();
    badType[4] = 7;
    assertThrows(NvmeProtocolException.class,
        () -> ReservationStatus.decode(ByteBuffer.wrap(badType), false));
    // host identifier width must match the form
    assertThrows(IllegalArgumentException.class, () -> ReservationStatus.of(1, null, false, true,
        List.of(new RegisteredController(1, false, HOST_A, 1))));
    assertThrows(IllegalArgumentException.class,
        () -> new RegisteredController(1, false, new byte[12], 1));
  }

  @Test
  void reservationTypes() {
    assertEquals(1, NvmeReservationType.WRITE_EXCLUSIVE.code());
    assertEquals(2, NvmeReservationType.EXCLUSIVE_ACCESS.code());
    assertEquals(3, NvmeReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY.code());
    assertEquals(4, NvmeReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY.code());
    assertEquals(5, NvmeReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS.code());
    assertEquals(6, NvmeReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS.code());
    for (NvmeReservationType t : NvmeReservationType.values()) {
      assertEquals(t, NvmeReservationType.fromCode(t.code()));
    }
    assertTrue(NvmeReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS.isWriteExclusive());
    assertTrue(NvmeReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS.isAllRegistrants());
    assertFalse(NvmeReservationType.EXCLUSIVE_ACCESS.isWriteExclusive());
    assertFalse(NvmeReservationType.EXCLUSIVE_ACCESS.isRegistrantsType());
    assertTrue(NvmeReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY.isRegistrantsType());
    assertFalse(NvmeReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY.isAllRegistrants());
    assertThrows(IllegalArgumentException.class, () -> NvmeReservationType.fromCode(0));
    assertThrows(IllegalArgumentException.class, () -> NvmeReservationType.fromCode(7));
  }
}
