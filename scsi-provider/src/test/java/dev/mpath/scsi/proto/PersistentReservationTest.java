package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Persistent reservation parameter data (SPC-4 PERSISTENT RESERVE IN / OUT) and TransportIDs
 * (SPC-4 7.6.4): golden bytes, round trips, hostile lengths.
 */
class PersistentReservationTest {

  static final String HOST = "iqn.1994-05.com.redhat:host1"; // 28 characters

  /** Format 00b iSCSI TransportID: 28 chars + NUL, padded to 32. */
  static final byte[] TID_NAME = Hex.cat(
      Hex.bytes("05"      // byte 0: FORMAT CODE 00b, PROTOCOL IDENTIFIER 5h
          + "00"          // byte 1: reserved
          + "00 20"),     // bytes 2-3: ADDITIONAL LENGTH 32
      Hex.ascii(HOST), Hex.bytes("00 00 00 00"));

  /** Format 01b: name ",i,0x" ISID (12 hex digits), NUL, padded: 45 + 1 -> 48. */
  static final byte[] TID_PORT = Hex.cat(
      Hex.bytes("45 00 00 30"),   // FORMAT CODE 01b (bits 7:6), iSCSI; ADDITIONAL LENGTH 48
      Hex.ascii(HOST + ",i,0x23d000000001"), Hex.bytes("00 00 00"));

  /** Fibre Channel TransportID (24 bytes): N_PORT_NAME at bytes 8-15. */
  static final byte[] TID_FC = Hex.bytes(
      "00 00 00 00 00 00 00 00 21 00 00 24 ff 12 34 56 00 00 00 00 00 00 00 00");

  /** LIO-style short iSCSI TransportID: "iqn.a" + NUL padded to 8 only. */
  static final byte[] TID_SHORT = Hex.bytes("05 00 00 08 69 71 6e 2e 61 00 00 00");

  // ------------------------------------------------------------------ TransportIDs

  @Test
  void iscsiTransportIdGolden() {
    assertArrayEquals(TID_NAME, IscsiTransportId.ofName(HOST).encode());
    assertArrayEquals(TID_PORT, IscsiTransportId.ofPort(HOST, 0x23d000000001L).encode());
    IscsiTransportId n = (IscsiTransportId) TransportId.decode(TID_NAME, 0, TID_NAME.length);
    assertEquals(HOST, n.iscsiName());
    assertFalse(n.hasIsid());
    assertEquals(0, n.formatCode());
    assertEquals(ProtocolId.ISCSI, n.protocolIdentifier());
    assertEquals(36, n.encodedLength());
    assertThrows(IllegalStateException.class, n::isid);
    IscsiTransportId p = (IscsiTransportId) TransportId.decode(TID_PORT, 0, TID_PORT.length);
    assertEquals(HOST, p.iscsiName());
    assertEquals(0x23d000000001L, p.isid());
    assertEquals(1, p.formatCode());
    assertEquals(HOST + ",i,0x23d000000001", p.portName());
  }

  @Test
  void iscsiTransportIdMinimumAndLioShortForm() {
    byte[] e = IscsiTransportId.ofName("iqn.a").encode();
    assertEquals(24, e.length); // ADDITIONAL LENGTH at least 20
    assertEquals(20, e[3]);
    IscsiTransportId s = IscsiTransportId.decode(TID_SHORT, 0, TID_SHORT.length);
    assertEquals("iqn.a", s.iscsiName());
    assertEquals(12, s.encodedLength());
    assertArrayEquals(TID_SHORT, s.encode());
    assertEquals(IscsiTransportId.ofName("iqn.a"), s);
  }

  @Test
  void iscsiIsidCaseAndShortHex() {
    byte[] t = Hex.cat(Hex.bytes("45 00 00 14"), Hex.ascii("iqn.b,I,0X00AbC"), new byte[5]);
    IscsiTransportId p = IscsiTransportId.decode(t, 0, t.length);
    assertEquals("iqn.b", p.iscsiName());
    assertEquals(0xABCL, p.isid());
    assertEquals(28, p.encode().length); // re-rendered as 12 lowercase digits: 23 bytes -> 24
  }

  @Test
  void malformedIscsiTransportIds() {
    // ADDITIONAL LENGTH not a multiple of 4
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(
        Hex.bytes("05 00 00 06 69 71 6e 2e 61 00"), 0, 10));
    // no NUL inside ADDITIONAL LENGTH
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(
        Hex.bytes("05 00 00 04 69 71 6e 2e"), 0, 8));
    // ADDITIONAL LENGTH past the available bytes
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> TransportId.decode(TID_NAME, 0, 20));
    assertEquals(36, e.expectedLength());
    // reserved FORMAT CODE 10b
    byte[] f2 = TID_NAME.clone();
    f2[0] = (byte) 0x85;
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(f2, 0, f2.length));
    // format 01b without separator
    byte[] nosep = TID_NAME.clone();
    nosep[0] = 0x45;
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(nosep, 0, nosep.length));
    // bad ISID digits
    byte[] badIsid = Hex.cat(Hex.bytes("45 00 00 14"), Hex.ascii("iqn.b,i,0xzz"), new byte[8]);
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(badIsid, 0, 24));
    // empty name
    assertThrows(ScsiProtocolException.class, () -> TransportId.decode(
        Hex.bytes("05 00 00 04 00 00 00 00"), 0, 8));
    assertThrows(IllegalArgumentException.class, () -> IscsiTransportId.ofName(""));
    assertThrows(IllegalArgumentException.class, () -> IscsiTransportId.ofPort("iqn.a", 1L << 48));
  }

  @Test
  void genericTransportId() {
    GenericTransportId fc = assertInstanceOf(GenericTransportId.class,
        TransportId.decode(TID_FC, 0, TID_FC.length));
    assertEquals(ProtocolId.FCP, fc.protocolIdentifier());
    assertEquals(0, fc.formatCode());
    assertEquals(24, fc.encodedLength());
    assertArrayEquals(TID_FC, fc.encode());
    assertEquals(fc, GenericTransportId.of(ProtocolId.FCP, 0,
        Hex.bytes("00 00 00 00 00 00 00 21 00 00 24 ff 12 34 56")));
    // SAS TransportID cut short
    assertThrows(ScsiProtocolException.class,
        () -> TransportId.decode(Hex.bytes("06 00 00 00 50 01"), 0, 6));
  }

  // ------------------------------------------------------------------ PR OUT

  @Test
  void prOutBasicGolden() {
    byte[] golden = Hex.bytes(
        "00 00 00 00 00 00 00 00"   // bytes 0-7: RESERVATION KEY
      + "12 34 56 78 9a bc de f0"   // bytes 8-15: SERVICE ACTION RESERVATION KEY
      + "00 00 00 00"               // bytes 16-19: obsolete
      + "05"                        // byte 20: SPEC_I_PT 0, ALL_TG_PT 1 (bit 2), APTPL 1 (bit 0)
      + "00"                        // byte 21: reserved
      + "00 00");                   // bytes 22-23: obsolete
    PrOutParameterList p = PrOutParameterList.of(0, 0x123456789abcdef0L).withAllTgPt(true)
        .withAptpl(true);
    assertArrayEquals(golden, p.encode());
    PrOutParameterList d = PrOutParameterList.decode(golden);
    assertEquals(0, d.reservationKey());
    assertEquals(0x123456789abcdef0L, d.serviceActionReservationKey());
    assertFalse(d.specIPt());
    assertTrue(d.allTgPt());
    assertTrue(d.aptpl());
    assertTrue(d.transportIds().isEmpty());
    assertEquals(p, d);
  }

  @Test
  void prOutKeysUseAll64Bits() {
    PrOutParameterList p = PrOutParameterList.of(0xFFFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0001L);
    byte[] e = p.encode();
    assertEquals((byte) 0xFF, e[0]);
    assertEquals((byte) 0x80, e[8]);
    assertEquals(p, PrOutParameterList.decode(e));
  }

  @Test
  void prOutSpecIPtGolden() {
    byte[] golden = Hex.cat(Hex.bytes(
        "00 00 00 00 00 00 00 00"   // RESERVATION KEY
      + "00 00 00 00 00 00 ab cd"   // SERVICE ACTION RESERVATION KEY
      + "00 00 00 00"
      + "08"                        // byte 20: SPEC_I_PT (bit 3)
      + "00 00 00"
      + "00 00 00 70"),             // bytes 24-27: TRANSPORTID PARAMETER DATA LENGTH 112
        TID_NAME, TID_PORT, TID_FC); // 36 + 52 + 24
    PrOutParameterList d = PrOutParameterList.decode(golden);
    assertTrue(d.specIPt());
    assertFalse(d.allTgPt());
    assertEquals(3, d.transportIds().size());
    assertEquals(IscsiTransportId.ofName(HOST), d.transportIds().get(0));
    assertEquals(IscsiTransportId.ofPort(HOST, 0x23d000000001L), d.transportIds().get(1));
    assertInstanceOf(GenericTransportId.class, d.transportIds().get(2));
    PrOutParameterList built = PrOutParameterList.of(0, 0xabcd).withSpecIPt(List.of(
        IscsiTransportId.ofName(HOST), IscsiTransportId.ofPort(HOST, 0x23d000000001L),
        new GenericTransportId(TID_FC)));
    assertArrayEquals(golden, built.encode());
  }

  @Test
  void prOutHostileTransportIdLength() {
    byte[] list = new byte[28 + 36];
    list[20] = 0x08; // SPEC_I_PT
    Bytes.put32(list, 24, 0xFFFF_FFF0L);
    System.arraycopy(TID_NAME, 0, list, 28, TID_NAME.length);
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> PrOutParameterList.decode(list));
    assertEquals(28 + 0xFFFF_FFF0L, e.expectedLength());
    // SPEC_I_PT but the length field is missing
    byte[] basic = new byte[24];
    basic[20] = 0x08;
    assertThrows(ScsiProtocolException.class, () -> PrOutParameterList.decode(basic));
    // length covers only part of a TransportID
    Bytes.put32(list, 24, 20);
    assertThrows(ScsiProtocolException.class, () -> PrOutParameterList.decode(list));
    // shorter than 24
    assertThrows(ScsiProtocolException.class,
        () -> PrOutParameterList.decode(new byte[23]));
    // TransportIDs without SPEC_I_PT cannot be built
    assertThrows(IllegalArgumentException.class, () -> new PrOutParameterList(0, 0, false, false,
        false, List.of(IscsiTransportId.ofName(HOST))));
  }

  @Test
  void registerAndMoveGolden() {
    byte[] golden = Hex.cat(Hex.bytes(
        "00 00 00 00 00 00 ab cd"   // bytes 0-7: RESERVATION KEY
      + "00 00 00 00 00 00 12 34"   // bytes 8-15: SERVICE ACTION RESERVATION KEY
      + "00"                        // byte 16: reserved
      + "03"                        // byte 17: UNREG (bit 1), APTPL (bit 0)
      + "00 02"                     // bytes 18-19: RELATIVE TARGET PORT IDENTIFIER 2
      + "00 00 00 0c"),             // bytes 20-23: TRANSPORTID PARAMETER DATA LENGTH 12
        TID_SHORT);
    PrRegisterAndMoveParameterList d = PrRegisterAndMoveParameterList.decode(golden, 0,
        golden.length);
    assertEquals(0xabcd, d.reservationKey());
    assertEquals(0x1234, d.serviceActionReservationKey());
    assertTrue(d.unreg());
    assertTrue(d.aptpl());
    assertEquals(2, d.relativeTargetPortId());
    assertEquals(IscsiTransportId.ofName("iqn.a"), d.transportId());
    assertArrayEquals(golden, d.encode());
    byte[] bad = golden.clone();
    bad[23] = 0x40;
    assertThrows(ScsiProtocolException.class,
        () -> PrRegisterAndMoveParameterList.decode(bad, 0, bad.length));
  }

  // ------------------------------------------------------------------ PR IN

  @Test
  void readKeysGolden() {
    byte[] golden = Hex.bytes(
        "00 00 00 05"               // bytes 0-3: PRGENERATION 5
      + "00 00 00 10"               // bytes 4-7: ADDITIONAL LENGTH 16
      + "00 00 00 00 00 00 ab cd"   // first RESERVATION KEY
      + "11 22 33 44 55 66 77 88"); // second RESERVATION KEY
    PrReadKeys k = new PrReadKeys(5, List.of(0xabcdL, 0x1122334455667788L));
    assertArrayEquals(golden, k.encode());
    PrReadKeys d = PrReadKeys.decode(golden);
    assertEquals(5, d.generation());
    assertEquals(List.of(0xabcdL, 0x1122334455667788L), d.keys());
    PrReadKeys empty = PrReadKeys.decode(Hex.bytes("ff ff ff ff 00 00 00 00"));
    assertEquals(0xFFFF_FFFFL, empty.generation());
    assertTrue(empty.keys().isEmpty());
  }

  @Test
  void readKeysHostileAdditionalLength() {
    byte[] hostile = Hex.bytes("00 00 00 01 ff ff ff f0 00 00 00 00 00 00 00 01");
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> PrReadKeys.decode(hostile));
    assertFalse(e instanceof TruncatedDataException, "no allocation could fetch 4 GiB");
    assertEquals(8 + 0xFFFF_FFF0L, e.expectedLength());
    assertThrows(ScsiProtocolException.class,
        () -> PrReadKeys.decode(Hex.bytes("00 00 00 01 00 00 00 0c 00 00 00 00 00 00 00 01 00 00 00 00")));
    TruncatedDataException t = assertThrows(TruncatedDataException.class,
        () -> PrReadKeys.decode(Hex.bytes("00 00 00 01 00 00 00 10 00 00 00 00 00 00 00 01")));
    assertEquals(24, t.requiredLength());
    assertThrows(ScsiProtocolException.class, () -> PrReadKeys.decode(new byte[7]));
  }

  @Test
  void readReservationGolden() {
    byte[] golden = Hex.bytes(
        "00 00 00 07"               // PRGENERATION 7
      + "00 00 00 10"               // ADDITIONAL LENGTH 10h
      + "00 00 00 00 00 00 ab cd"   // bytes 8-15: RESERVATION KEY
      + "00 00 00 00"               // bytes 16-19: obsolete
      + "00"                        // byte 20: reserved
      + "05"                        // byte 21: SCOPE 0h, TYPE 5h (WR_EX_RO)
      + "00 00");                   // bytes 22-23: obsolete
    PrReadReservation r = PrReadReservation.of(7, 0xabcd, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
    assertArrayEquals(golden, r.encode());
    PrReadReservation d = PrReadReservation.decode(golden);
    assertEquals(7, d.generation());
    PrReservation res = d.reservation().orElseThrow();
    assertEquals(0xabcd, res.key());
    assertEquals(0, res.scope());
    assertEquals(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, res.type());
    byte[] none = Hex.bytes("00 00 00 07 00 00 00 00");
    assertArrayEquals(none, PrReadReservation.none(7).encode());
    assertTrue(PrReadReservation.decode(none).reservation().isEmpty());
  }

  @Test
  void readReservationMalformed() {
    assertThrows(ScsiProtocolException.class,
        () -> PrReadReservation.decode(Hex.bytes("00 00 00 07 00 00 00 08 00 00 00 00 00 00 00 00")));
    byte[] badType = Hex.bytes("00 00 00 07 00 00 00 10 00 00 00 00 00 00 ab cd 00 00 00 00 00 02 00 00");
    assertThrows(ScsiProtocolException.class, () -> PrReadReservation.decode(badType));
    assertThrows(TruncatedDataException.class,
        () -> PrReadReservation.decode(Hex.bytes("00 00 00 07 00 00 00 10 00 00")));
  }

  @Test
  void reportCapabilitiesGolden() {
    byte[] golden = Hex.bytes(
        "00 08"   // bytes 0-1: LENGTH 8
      + "1d"      // byte 2: RLR_C 0, CRH 1 (bit 4), SIP_C 1 (bit 3), ATP_C 1 (bit 2), PTPL_C 1 (bit 0)
      + "91"      // byte 3: TMV 1 (bit 7), ALLOW COMMANDS 001b (bits 6:4), PTPL_A 1 (bit 0)
      + "ea"      // byte 4: WR_EX_AR (7), EX_AC_RO (6), WR_EX_RO (5), EX_AC (3), WR_EX (1)
      + "01"      // byte 5: EX_AC_AR (bit 0)
      + "00 00");
    PrCapabilities c = new PrCapabilities(false, true, true, true, true, true, 1, true,
        EnumSet.allOf(PrType.class));
    assertArrayEquals(golden, c.encode());
    PrCapabilities d = PrCapabilities.decode(golden);
    assertEquals(c, d);
    assertFalse(d.rlrC());
    assertTrue(d.crh());
    assertTrue(d.sipC());
    assertTrue(d.atpC());
    assertTrue(d.ptplC());
    assertTrue(d.tmv());
    assertEquals(1, d.allowCommands());
    assertTrue(d.ptplA());
    assertEquals(EnumSet.allOf(PrType.class), d.supportedTypes());
  }

  @Test
  void reportCapabilitiesSingleBits() {
    // RLR_C only; mask: WR_EX (byte 4 bit 1) and EX_AC_AR (byte 5 bit 0)
    PrCapabilities d = PrCapabilities.decode(Hex.bytes("00 08 80 80 02 01 00 00"));
    assertTrue(d.rlrC());
    assertFalse(d.crh());
    assertEquals(0, d.allowCommands());
    assertEquals(Set.of(PrType.WRITE_EXCLUSIVE, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS),
        d.supportedTypes());
    PrCapabilities ex = PrCapabilities.decode(Hex.bytes("00 08 00 70 08 00 00 00"));
    assertEquals(7, ex.allowCommands());
    assertEquals(Set.of(PrType.EXCLUSIVE_ACCESS), ex.supportedTypes());
    assertThrows(ScsiProtocolException.class,
        () -> PrCapabilities.decode(Hex.bytes("00 04 00 00 00 00 00 00")));
    assertThrows(TruncatedDataException.class,
        () -> PrCapabilities.decode(Hex.bytes("00 08 00 00 00 00")));
  }

  static final byte[] FULL_STATUS = Hex.cat(Hex.bytes(
        "00 00 00 09"               // PRGENERATION 9
      + "00 00 00 70"),             // ADDITIONAL LENGTH 112 = (24 + 52) + (24 + 12)
      Hex.bytes(
        "00 00 00 00 00 00 ab cd"   // descriptor 1 bytes 0-7: RESERVATION KEY
      + "00 00 00 00"               // bytes 8-11: reserved
      + "01"                        // byte 12: ALL_TG_PT 0, R_HOLDER 1
      + "01"                        // byte 13: SCOPE 0, TYPE 1h (WR_EX)
      + "00 00 00 00"               // bytes 14-17: reserved
      + "00 01"                     // bytes 18-19: RELATIVE TARGET PORT IDENTIFIER 1
      + "00 00 00 34"),             // bytes 20-23: ADDITIONAL DESCRIPTOR LENGTH 52
      TID_PORT,
      Hex.bytes(
        "00 00 00 00 00 00 12 34"   // descriptor 2: RESERVATION KEY
      + "00 00 00 00"
      + "02"                        // byte 12: ALL_TG_PT 1, R_HOLDER 0
      + "00"
      + "00 00 00 00"
      + "00 00"                     // relative port (not meaningful with ALL_TG_PT)
      + "00 00 00 0c"),             // ADDITIONAL DESCRIPTOR LENGTH 12
      TID_SHORT);

  @Test
  void readFullStatusGolden() {
    assertEquals(8 + 112, FULL_STATUS.length);
    PrFullStatus d = PrFullStatus.decode(FULL_STATUS);
    assertEquals(9, d.generation());
    assertEquals(2, d.descriptors().size());
    PrFullStatusDescriptor a = d.descriptors().get(0);
    assertEquals(0xabcd, a.reservationKey());
    assertFalse(a.allTgPt());
    assertTrue(a.reservationHolder());
    assertEquals(0, a.scope());
    assertEquals(PrType.WRITE_EXCLUSIVE, a.prType());
    assertEquals(1, a.relativeTargetPortId());
    assertEquals(IscsiTransportId.ofPort(HOST, 0x23d000000001L), a.transportId());
    PrFullStatusDescriptor b = d.descriptors().get(1);
    assertEquals(0x1234, b.reservationKey());
    assertTrue(b.allTgPt());
    assertFalse(b.reservationHolder());
    assertEquals(IscsiTransportId.ofName("iqn.a"), b.transportId());
    assertArrayEquals(FULL_STATUS, d.encode());
  }

  @Test
  void readFullStatusBuiltFromValues() {
    PrFullStatus s = new PrFullStatus(3, List.of(new PrFullStatusDescriptor(1, false, true, 0,
        PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS.code(), 5, new GenericTransportId(TID_FC))));
    byte[] e = s.encode();
    assertEquals(8 + 24 + 24, e.length);
    assertEquals(s, PrFullStatus.decode(e));
  }

  @Test
  void readFullStatusMalformed() {
    byte[] hostile = Arrays.copyOf(FULL_STATUS, FULL_STATUS.length);
    Bytes.put32(hostile, 4, 0xFFFF_FFF0L);
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> PrFullStatus.decode(hostile));
    assertFalse(e instanceof TruncatedDataException);

    TruncatedDataException t = assertThrows(TruncatedDataException.class,
        () -> PrFullStatus.decode(Arrays.copyOf(FULL_STATUS, 100)));
    assertEquals(120, t.requiredLength());

    // ADDITIONAL DESCRIPTOR LENGTH of the first descriptor beyond the list
    byte[] pastEnd = FULL_STATUS.clone();
    Bytes.put32(pastEnd, 8 + 20, 0x7FFF_FFFFL);
    assertThrows(ScsiProtocolException.class, () -> PrFullStatus.decode(pastEnd));

    // ADDITIONAL DESCRIPTOR LENGTH larger than the TransportID inside it
    byte[] mismatch = Hex.cat(Hex.bytes("00 00 00 01 00 00 00 28"),
        Hex.bytes("00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 10"),
        TID_SHORT, new byte[4]);
    assertThrows(ScsiProtocolException.class, () -> PrFullStatus.decode(mismatch));

    // a descriptor header cut by ADDITIONAL LENGTH
    byte[] cut = Hex.cat(Hex.bytes("00 00 00 01 00 00 00 10"), new byte[16]);
    assertThrows(ScsiProtocolException.class, () -> PrFullStatus.decode(cut));
  }

  @Test
  void prTypeCodes() {
    assertEquals(PrType.WRITE_EXCLUSIVE, PrType.fromCode(1));
    assertEquals(PrType.EXCLUSIVE_ACCESS, PrType.fromCode(3));
    assertEquals(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, PrType.fromCode(5));
    assertEquals(PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, PrType.fromCode(6));
    assertEquals(PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, PrType.fromCode(7));
    assertEquals(PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, PrType.fromCode(8));
    assertThrows(ScsiProtocolException.class, () -> PrType.fromCode(0));
    assertThrows(ScsiProtocolException.class, () -> PrType.fromCode(2));
    assertThrows(ScsiProtocolException.class, () -> PrType.fromCode(4));
    assertEquals("EX_AC_AR", PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS.abbreviation());
    assertTrue(PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS.isAllRegistrants());
    assertTrue(PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY.isRegistrantsOnly());
    assertTrue(PrType.WRITE_EXCLUSIVE.isWriteExclusive());
    assertFalse(PrType.EXCLUSIVE_ACCESS.isWriteExclusive());
    assertEquals(PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY, PrOutServiceAction.fromCode(6));
    assertEquals(PrOutServiceAction.REGISTER_AND_MOVE, PrOutServiceAction.fromCode(7));
    assertTrue(PrOutServiceAction.PREEMPT.usesType());
    assertFalse(PrOutServiceAction.REGISTER.usesType());
    assertEquals(PrInServiceAction.REPORT_CAPABILITIES, PrInServiceAction.fromCode(2));
    assertThrows(ScsiProtocolException.class, () -> PrInServiceAction.fromCode(4));
  }
}
