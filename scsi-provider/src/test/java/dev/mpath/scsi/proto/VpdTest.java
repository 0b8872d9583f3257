package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** VPD pages 00h, 80h, 83h, B0h: golden bytes (SPC-4 7.8, SBC-3 6.5.3), round trips, bad input. */
class VpdTest {

  static final byte[] NAA6 = Hex.bytes("60 01 40 5a bc de f0 12 34 56 78 9a bc de f0 12");

  /** A device identification page as a LIO-like target returns it through port 2. */
  static final byte[] PAGE_83 = Hex.cat(
      Hex.bytes("00 83 00 5c"),   // byte 0 disk, PAGE CODE 83h, PAGE LENGTH 92
      // 7.8.6.1 designation descriptor: byte 0 PROTOCOL IDENTIFIER 0 / CODE SET 1 (binary),
      // byte 1 PIV 0 / ASSOCIATION 00b (LU) / TYPE 3h (NAA), byte 3 DESIGNATOR LENGTH 16
      Hex.bytes("01 03 00 10"), NAA6,
      // CODE SET 2 (ASCII), ASSOCIATION LU, TYPE 1h (T10 vendor ID), LENGTH 12
      Hex.bytes("02 01 00 0c"), Hex.ascii("LIO-ORG abcd"),
      // PROTOCOL IDENTIFIER 5h (iSCSI) / binary; PIV 1, ASSOCIATION 01b (target port),
      // TYPE 4h (relative target port); bytes 2-3 of the designator: port 2
      Hex.bytes("51 94 00 04 00 00 00 02"),
      // binary; ASSOCIATION target port, TYPE 5h (target port group); group 7
      Hex.bytes("01 15 00 04 00 00 00 07"),
      // binary; ASSOCIATION LU, TYPE 6h (logical unit group); group 9
      Hex.bytes("01 06 00 04 00 00 00 09"),
      // iSCSI / CODE SET 3 (UTF-8); PIV 1, ASSOCIATION 10b (target device), TYPE 8h
      // (SCSI name string), LENGTH 28: 26 characters, NUL, one pad byte
      Hex.bytes("53 a8 00 1c"), Hex.ascii("iqn.2003-01.org.example:t1"), Hex.bytes("00 00"));

  @Test
  void deviceIdentificationGoldenDecode() {
    assertEquals(96, PAGE_83.length);
    DeviceIdentificationVpd p = assertInstanceOf(DeviceIdentificationVpd.class,
        VpdPage.decode(PAGE_83));
    assertEquals(Peripheral.DISK, p.peripheral());
    assertEquals(0x83, p.pageCode());
    List<Designator> ds = p.designators();
    assertEquals(6, ds.size());

    Designator naa = ds.get(0);
    assertEquals(DesignatorType.NAA, naa.type());
    assertEquals(CodeSet.BINARY, naa.codeSet());
    assertEquals(Association.LOGICAL_UNIT, naa.association());
    assertFalse(naa.piv());
    assertEquals(6, naa.naaType());
    assertArrayEquals(NAA6, naa.value());
    assertEquals("naa.6001405abcdef0123456789abcdef012", naa.wwid().orElseThrow());

    Designator t10 = ds.get(1);
    assertEquals(DesignatorType.T10_VENDOR_ID, t10.type());
    assertEquals(CodeSet.ASCII, t10.codeSet());
    assertEquals("LIO-ORG abcd", t10.text().orElseThrow());
    assertEquals("t10.LIO-ORG abcd", t10.wwid().orElseThrow());

    Designator rel = ds.get(2);
    assertEquals(DesignatorType.RELATIVE_TARGET_PORT, rel.type());
    assertEquals(Association.TARGET_PORT, rel.association());
    assertTrue(rel.piv());
    assertEquals(ProtocolId.ISCSI, rel.protocolIdentifier());
    assertEquals(2, rel.relativeTargetPortId());
    assertTrue(rel.wwid().isEmpty());

    assertEquals(7, ds.get(3).targetPortGroupId());
    assertEquals(Association.TARGET_PORT, ds.get(3).association());
    assertEquals(9, ds.get(4).logicalUnitGroupId());

    Designator name = ds.get(5);
    assertEquals(DesignatorType.SCSI_NAME_STRING, name.type());
    assertEquals(CodeSet.UTF8, name.codeSet());
    assertEquals(Association.TARGET_DEVICE, name.association());
    assertEquals(28, name.length());
    assertEquals("iqn.2003-01.org.example:t1", name.text().orElseThrow());
    assertEquals("iqn.2003-01.org.example:t1", name.wwid().orElseThrow());

    assertEquals(OptionalInt.of(2), p.relativeTargetPortId());
    assertEquals(OptionalInt.of(7), p.targetPortGroupId());
    assertEquals(3, p.designators(Association.LOGICAL_UNIT).size());
    assertEquals(naa, p.find(Association.LOGICAL_UNIT, DesignatorType.NAA).orElseThrow());
    assertTrue(p.find(Association.TARGET_PORT, DesignatorType.NAA).isEmpty());
  }

  @Test
  void deviceIdentificationGoldenEncode() {
    DeviceIdentificationVpd p = new DeviceIdentificationVpd(Peripheral.DISK, List.of(
        Designator.naa(NAA6),
        Designator.t10VendorId("LIO-ORG", "abcd"),
        Designator.relativeTargetPort(2).withProtocolIdentifier(ProtocolId.ISCSI),
        Designator.targetPortGroup(7),
        Designator.logicalUnitGroup(9),
        Designator.scsiNameString("iqn.2003-01.org.example:t1", Association.TARGET_DEVICE)
            .withProtocolIdentifier(ProtocolId.ISCSI)));
    assertArrayEquals(PAGE_83, p.encode());
    assertEquals(p, DeviceIdentificationVpd.decode(PAGE_83, 0, PAGE_83.length));
  }

  @Test
  void pageLengthPastEndIsTruncation() {
    byte[] cut = Arrays.copyOf(PAGE_83, 60);
    TruncatedDataException e = assertThrows(TruncatedDataException.class,
        () -> VpdPage.decode(cut));
    assertEquals(96, e.requiredLength());
    assertEquals(60, e.availableLength());
    assertEquals(96, VpdPage.totalLength(cut, 0, 4));
    assertThrows(ScsiProtocolException.class, () -> VpdPage.totalLength(cut, 0, 3));
  }

  @Test
  void designatorLengthPastPageEndIsRejected() {
    byte[] bad = Hex.cat(Hex.bytes("00 83 00 0c"),
        Hex.bytes("01 03 00 08 50 01 40 5a bc de f0 12"),    // NAA 5, fits
        new byte[0]);
    assertEquals(1, DeviceIdentificationVpd.decode(bad, 0, bad.length).designators().size());
    byte[] over = bad.clone();
    over[7] = 0x10; // DESIGNATOR LENGTH 16, page holds 8
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> VpdPage.decode(Hex.cat(over, new byte[16]))); // extra bytes after the page do not help
    assertFalse(e instanceof TruncatedDataException);
    assertTrue(e.getMessage().contains("offset 4"), e.getMessage());
  }

  @Test
  void designatorHeaderCutByPageEnd() {
    byte[] bad = Hex.bytes("00 83 00 06 01 03 00 00 01 03"); // second header has 2 of 4 bytes
    assertThrows(ScsiProtocolException.class, () -> VpdPage.decode(bad));
  }

  @Test
  void pageLengthNoInquiryCanReturn() {
    byte[] huge = Hex.bytes("00 83 ff ff 00 00 00 00");
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> VpdPage.decode(huge));
    assertFalse(e instanceof TruncatedDataException);
  }

  @Test
  void typedDecoderChecksPageCode() {
    byte[] p80 = Hex.bytes("00 80 00 02 41 42");
    assertThrows(ScsiProtocolException.class, () -> DeviceIdentificationVpd.decode(p80, 0, 6));
    assertThrows(ScsiProtocolException.class, () -> BlockLimitsVpd.decode(p80, 0, 6));
  }

  @Test
  void supportedPagesGolden() {
    byte[] golden = Hex.bytes(
        "00"            // byte 0: disk
      + "00"            // byte 1: PAGE CODE 00h
      + "00 04"         // bytes 2-3: PAGE LENGTH 4
      + "00 80 83 b0"); // supported page list, ascending
    SupportedVpdPages p = new SupportedVpdPages(Peripheral.DISK, List.of(0x00, 0x80, 0x83, 0xB0));
    assertArrayEquals(golden, p.encode());
    SupportedVpdPages d = assertInstanceOf(SupportedVpdPages.class, VpdPage.decode(golden));
    assertEquals(p, d);
    assertTrue(d.supports(0xB0));
    assertFalse(d.supports(0xB2));
  }

  @Test
  void unitSerialNumberGolden() {
    byte[] golden = Hex.cat(Hex.bytes("00 80 00 08"), Hex.ascii("  SN1234")); // right aligned
    UnitSerialNumberVpd d = assertInstanceOf(UnitSerialNumberVpd.class, VpdPage.decode(golden));
    assertEquals("SN1234", d.serialNumber());
    byte[] enc = Hex.cat(Hex.bytes("00 80 00 06"), Hex.ascii("SN1234"));
    assertArrayEquals(enc, new UnitSerialNumberVpd(Peripheral.DISK, "SN1234").encode());
    assertThrows(IllegalArgumentException.class,
        () -> new UnitSerialNumberVpd(Peripheral.DISK, "x".repeat(256)).encode());
  }

  @Test
  void blockLimitsGolden() {
    byte[] golden = Hex.cat(Hex.bytes(
        "00 b0 00 3c"     // disk, PAGE CODE B0h, PAGE LENGTH 003Ch
      + "00"              // byte 4: WSNZ 0
      + "01"              // byte 5: MAXIMUM COMPARE AND WRITE LENGTH 1
      + "00 08"           // bytes 6-7: OPTIMAL TRANSFER LENGTH GRANULARITY 8
      + "00 00 40 00"     // bytes 8-11: MAXIMUM TRANSFER LENGTH 16384
      + "00 00 04 00"     // bytes 12-15: OPTIMAL TRANSFER LENGTH 1024
      + "00 00 00 00"     // bytes 16-19: MAXIMUM PREFETCH XDREAD XDWRITE TRANSFER LENGTH
      + "00 40 00 00"     // bytes 20-23: MAXIMUM UNMAP LBA COUNT 400000h
      + "00 00 00 10"     // bytes 24-27: MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT 16
      + "00 00 00 08"     // bytes 28-31: OPTIMAL UNMAP GRANULARITY 8
      + "80 00 00 02"     // bytes 32-35: UGAVALID 1, UNMAP GRANULARITY ALIGNMENT 2
      + "00 00 00 00 00 00 ff ff"), // bytes 36-43: MAXIMUM WRITE SAME LENGTH 65535
        new byte[20]);    // bytes 44-63 reserved
    BlockLimitsVpd d = assertInstanceOf(BlockLimitsVpd.class, VpdPage.decode(golden));
    assertFalse(d.wsnz());
    assertEquals(1, d.maxCompareAndWriteLength());
    assertEquals(8, d.optimalTransferLengthGranularity());
    assertEquals(16384, d.maxTransferLength());
    assertEquals(1024, d.optimalTransferLength());
    assertEquals(0, d.maxPrefetchLength());
    assertEquals(0x400000, d.maxUnmapLbaCount());
    assertEquals(16, d.maxUnmapBlockDescriptorCount());
    assertEquals(8, d.optimalUnmapGranularity());
    assertTrue(d.ugaValid());
    assertEquals(2, d.unmapGranularityAlignment());
    assertEquals(65535, d.maxWriteSameLength());
    BlockLimitsVpd built = new BlockLimitsVpd(Peripheral.DISK, false, 1, 8, 16384, 1024, 0,
        0x400000, 16, 8, true, 2, 65535);
    assertArrayEquals(golden, built.encode());
    assertEquals(built, d);
  }

  @Test
  void shortBlockLimitsPage() {
    // early SBC-3 page length 0Ch: only up to OPTIMAL TRANSFER LENGTH
    byte[] p = Hex.bytes("00 b0 00 0c 00 00 00 01 00 00 01 00 00 00 00 80");
    BlockLimitsVpd d = BlockLimitsVpd.decode(p, 0, p.length);
    assertEquals(1, d.optimalTransferLengthGranularity());
    assertEquals(256, d.maxTransferLength());
    assertEquals(128, d.optimalTransferLength());
    assertEquals(0, d.maxUnmapLbaCount());
    assertEquals(0, d.maxWriteSameLength());
  }

  @Test
  void unknownPageIsRaw() {
    byte[] p = Hex.bytes("00 b2 00 04 00 c0 00 00");
    RawVpdPage r = assertInstanceOf(RawVpdPage.class, VpdPage.decode(p));
    assertEquals(0xB2, r.pageCode());
    assertArrayEquals(Hex.bytes("00 c0 00 00"), r.payload());
    assertArrayEquals(p, r.encode());
  }
}
