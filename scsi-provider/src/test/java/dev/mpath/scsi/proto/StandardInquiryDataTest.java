package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Standard INQUIRY data (SPC-4 6.6.2) golden bytes, truncation rules, malformed input. */
class StandardInquiryDataTest {

  static final byte[] GOLDEN_36 = Hex.cat(Hex.bytes(
        "00"    // byte 0: PERIPHERAL QUALIFIER 000b, PERIPHERAL DEVICE TYPE 00h (disk)
      + "00"    // byte 1: RMB 0
      + "06"    // byte 2: VERSION 06h (SPC-4)
      + "12"    // byte 3: NORMACA 0, HISUP 1 (bit 4), RESPONSE DATA FORMAT 2
      + "1f"    // byte 4: ADDITIONAL LENGTH 31 (36 bytes in all)
      + "38"    // byte 5: SCCS 0, ACC 0, TPGS 11b (bits 5:4), 3PC 1 (bit 3), PROTECT 0
      + "00"    // byte 6: ENCSERV 0, MULTIP 0
      + "02"),  // byte 7: CMDQUE 1 (bit 1)
      Hex.ascii("LIO-ORG "),           // bytes 8-15: T10 VENDOR IDENTIFICATION
      Hex.ascii("mpath-disk      "),   // bytes 16-31: PRODUCT IDENTIFICATION
      Hex.ascii("4.0 "));              // bytes 32-35: PRODUCT REVISION LEVEL

  @Test
  void goldenDecode() {
    assertEquals(36, GOLDEN_36.length);
    StandardInquiryData d = StandardInquiryData.decode(GOLDEN_36);
    assertEquals(Peripheral.DISK, d.peripheral());
    assertFalse(d.rmb());
    assertEquals(6, d.version());
    assertFalse(d.normaca());
    assertTrue(d.hisup());
    assertEquals(2, d.responseDataFormat());
    assertEquals(31, d.additionalLength());
    assertEquals(StandardInquiryData.TPGS_IMPLICIT_AND_EXPLICIT, d.tpgs());
    assertTrue(d.implicitAlua());
    assertTrue(d.explicitAlua());
    assertTrue(d.threePc());
    assertFalse(d.protect());
    assertFalse(d.sccs());
    assertFalse(d.acc());
    assertFalse(d.encserv());
    assertFalse(d.multip());
    assertTrue(d.cmdque());
    assertEquals("LIO-ORG", d.vendorId());
    assertEquals("mpath-disk", d.productId());
    assertEquals("4.0", d.revision());
    assertTrue(d.versionDescriptors().isEmpty());
  }

  @Test
  void goldenEncode() {
    StandardInquiryData d = StandardInquiryData.builder()
        .tpgs(StandardInquiryData.TPGS_IMPLICIT_AND_EXPLICIT).threePc(true)
        .vendorId("LIO-ORG").productId("mpath-disk").revision("4.0").build();
    assertArrayEquals(GOLDEN_36, d.encode());
    assertEquals(d, StandardInquiryData.decode(d.encode()));
  }

  @Test
  void tpgsValuesAndOtherBits() {
    byte[] b = GOLDEN_36.clone();
    b[0] = (byte) 0x7F;  // qualifier 011b, type 1Fh: no LU
    b[1] = (byte) 0x80;  // RMB
    b[3] = (byte) 0x22;  // NORMACA, HISUP 0, format 2
    b[5] = (byte) 0xD1;  // SCCS, ACC, TPGS 01b, PROTECT
    b[6] = (byte) 0x50;  // ENCSERV, MULTIP
    b[7] = 0;
    StandardInquiryData d = StandardInquiryData.decode(b);
    assertEquals(Peripheral.NO_LOGICAL_UNIT, d.peripheral());
    assertTrue(d.rmb());
    assertTrue(d.normaca());
    assertFalse(d.hisup());
    assertTrue(d.sccs());
    assertTrue(d.acc());
    assertEquals(StandardInquiryData.TPGS_IMPLICIT, d.tpgs());
    assertTrue(d.implicitAlua());
    assertFalse(d.explicitAlua());
    assertFalse(d.threePc());
    assertTrue(d.protect());
    assertTrue(d.encserv());
    assertTrue(d.multip());
    assertFalse(d.cmdque());
    assertArrayEquals(b, d.encode());
    b[5] = 0x20; // TPGS 10b explicit only
    assertEquals(StandardInquiryData.TPGS_EXPLICIT, StandardInquiryData.decode(b).tpgs());
  }

  @Test
  void versionDescriptorsAndTruncatedProbe() {
    StandardInquiryData d = StandardInquiryData.builder().vendorId("MPATH").productId("x")
        .revision("1").addVersionDescriptor(0x0460).addVersionDescriptor(0x04C0).build();
    byte[] full = d.encode();
    assertEquals(74, full.length);
    assertEquals(69, full[4]);                 // ADDITIONAL LENGTH 69
    assertEquals(0x04, full[58]);              // VERSION DESCRIPTOR 1 at bytes 58-59
    assertEquals(0x60, full[59]);
    assertEquals(0x04, full[60]);              // VERSION DESCRIPTOR 2 at bytes 60-61
    assertEquals((byte) 0xC0, full[61]);
    assertEquals(List.of(0x0460, 0x04C0), StandardInquiryData.decode(full).versionDescriptors());
    // a 36-byte allocation cuts the data: still decodes, without the descriptors
    StandardInquiryData cut = StandardInquiryData.decode(Arrays.copyOf(full, 36));
    assertEquals("MPATH", cut.vendorId());
    assertEquals(69, cut.additionalLength());
    assertTrue(cut.versionDescriptors().isEmpty());
    // 60 bytes: first descriptor only
    assertEquals(List.of(0x0460), StandardInquiryData.decode(Arrays.copyOf(full, 60))
        .versionDescriptors());
  }

  @Test
  void shorterThan36IsRejected() {
    TruncatedDataException t = assertThrows(TruncatedDataException.class,
        () -> StandardInquiryData.decode(Arrays.copyOf(GOLDEN_36, 20)));
    assertEquals(36, t.requiredLength());
    assertThrows(ScsiProtocolException.class,
        () -> StandardInquiryData.decode(Arrays.copyOf(GOLDEN_36, 3)));
    byte[] lying = GOLDEN_36.clone();
    lying[4] = 10; // ADDITIONAL LENGTH says 15 bytes in all
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> StandardInquiryData.decode(lying));
    assertFalse(e instanceof TruncatedDataException);
  }

  @Test
  void builderValidatesTextFields() {
    assertThrows(IllegalArgumentException.class,
        () -> StandardInquiryData.builder().vendorId("TOO-LONG-V"));
    assertThrows(IllegalArgumentException.class,
        () -> StandardInquiryData.builder().productId("caf\u00e9"));
    assertThrows(IllegalArgumentException.class, () -> StandardInquiryData.builder().tpgs(4));
  }
}
