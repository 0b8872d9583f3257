package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every designator type: golden descriptor bytes (SPC-4 7.8.6), typed accessors, wwid text. */
class DesignatorTest {

  private static Designator decode(String hex) {
    byte[] b = Hex.bytes(hex);
    Designator d = Designator.decode(b, 0, b.length);
    assertEquals(b.length, d.encodedLength());
    assertArrayEquals(b, d.encode());
    return d;
  }

  @Test
  void vendorSpecific() {
    // CODE SET 2 ASCII, ASSOCIATION 00b, TYPE 0h, LENGTH 4
    Designator d = decode("02 00 00 04 41 42 43 44");
    assertEquals(DesignatorType.VENDOR_SPECIFIC, d.type());
    assertEquals("ABCD", d.text().orElseThrow());
    assertTrue(d.wwid().isEmpty());
    assertEquals(d, Designator.vendorSpecific(CodeSet.ASCII, Association.LOGICAL_UNIT,
        Hex.ascii("ABCD")));
  }

  @Test
  void t10VendorIdPadsVendorAndEscapesInWwid() {
    Designator d = Designator.t10VendorId("ACME", "X1");
    // ASCII / LU / TYPE 1h, LENGTH 10: "ACME    " then "X1"
    assertArrayEquals(Hex.cat(Hex.bytes("02 01 00 0a"), Hex.ascii("ACME    X1")), d.encode());
    assertEquals("t10.ACME    X1", d.wwid().orElseThrow());
    Designator odd = decode("02 01 00 0a 41 43 4d 45 20 20 20 20 0a ff");
    assertEquals("t10.ACME    \\n\\377", odd.wwid().orElseThrow());
  }

  @Test
  void eui64AllThreeForms() {
    Designator e8 = decode("01 02 00 08 00 11 22 33 44 55 66 77");
    assertEquals(DesignatorType.EUI_64, e8.type());
    assertEquals("eui.0011223344556677", e8.wwid().orElseThrow());
    Designator e12 = decode("01 02 00 0c 00 11 22 33 44 55 66 77 88 99 aa bb");
    assertEquals("eui.00112233445566778899aabb", e12.wwid().orElseThrow());
    Designator e16 = decode("01 02 00 10 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff");
    assertEquals("eui.00112233445566778899aabbccddeeff", e16.wwid().orElseThrow());
    assertEquals(e16, Designator.eui64(Hex.bytes("00112233445566778899aabbccddeeff")));
    assertTrue(decode("01 02 00 04 00 11 22 33").wwid().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Designator.eui64(new byte[10]));
  }

  @Test
  void naaForms() {
    Designator n2 = decode("01 03 00 08 20 00 00 0c 29 12 34 56"); // NAA 2 IEEE extended
    assertEquals(2, n2.naaType());
    assertEquals("naa.2000000c29123456", n2.wwid().orElseThrow());
    Designator n3 = decode("01 03 00 08 3f ff ff ff 00 00 00 01"); // NAA 3 locally assigned
    assertEquals(3, n3.naaType());
    Designator n5 = decode("01 03 00 08 50 01 40 5a bc de f0 12"); // NAA 5 IEEE registered
    assertEquals(5, n5.naaType());
    assertEquals("naa.5001405abcdef012", n5.wwid().orElseThrow());
    Designator n6 = decode("01 03 00 10 60 01 40 5a bc de f0 12 34 56 78 9a bc de f0 12");
    assertEquals(6, n6.naaType());
    assertEquals(n5, Designator.naa(Hex.bytes("50 01 40 5a bc de f0 12")));
    assertThrows(IllegalArgumentException.class,
        () -> Designator.naa(Hex.bytes("60 01 40 5a bc de f0 12"))); // NAA 6 needs 16 bytes
    assertThrows(IllegalArgumentException.class,
        () -> Designator.naa(Hex.bytes("10 01 40 5a bc de f0 12"))); // NAA 1 unsupported
    // target port NAA (e.g. a SAS port): same type, different association
    Designator port = decode("61 93 00 08 50 01 40 5a bc de f0 13");
    assertEquals(Association.TARGET_PORT, port.association());
    assertEquals(ProtocolId.SAS, port.protocolIdentifier());
  }

  @Test
  void relativePortGroupsAndMd5() {
    Designator rel = decode("01 14 00 04 00 00 01 00");
    assertEquals(256, rel.relativeTargetPortId());
    assertEquals(rel, Designator.relativeTargetPort(256));
    assertThrows(IllegalArgumentException.class, () -> Designator.relativeTargetPort(0));
    Designator tpg = decode("01 15 00 04 00 00 ff fe");
    assertEquals(0xFFFE, tpg.targetPortGroupId());
    Designator lug = decode("01 06 00 04 00 00 00 03");
    assertEquals(3, lug.logicalUnitGroupId());
    Designator md5 = decode("01 07 00 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
    assertEquals(DesignatorType.MD5_LOGICAL_UNIT, md5.type());
    assertTrue(md5.wwid().isEmpty());
    assertEquals(md5, Designator.md5(Hex.bytes("000102030405060708090a0b0c0d0e0f")));
    // a relative port designator of the wrong length from a peer
    Designator bad = decode("01 14 00 02 00 01");
    assertThrows(ScsiProtocolException.class, bad::relativeTargetPortId);
    assertThrows(IllegalStateException.class, tpg::relativeTargetPortId);
  }

  @Test
  void scsiNameStringPaddingAndLimits() {
    Designator d = Designator.scsiNameString("iqn.a", Association.TARGET_DEVICE);
    // UTF-8 / target device / TYPE 8h, LENGTH 8: "iqn.a" + NUL + 2 pad NULs
    assertArrayEquals(Hex.bytes("03 28 00 08 69 71 6e 2e 61 00 00 00"), d.encode());
    assertEquals("iqn.a", d.wwid().orElseThrow());
    Designator exact = Designator.scsiNameString("naa.600140", Association.LOGICAL_UNIT);
    assertEquals(12, exact.length()); // 10 chars + NUL -> 11 -> padded to 12
    assertThrows(IllegalArgumentException.class,
        () -> Designator.scsiNameString("foo.bar", Association.LOGICAL_UNIT));
    assertThrows(IllegalArgumentException.class,
        () -> Designator.scsiNameString("iqn." + "x".repeat(250), Association.LOGICAL_UNIT));
  }

  @Test
  void protocolSpecificPort() {
    // PROTOCOL IDENTIFIER 9h (UAS), binary, PIV 1, target port, TYPE 9h
    Designator d = decode("91 99 00 04 00 00 05 00");
    assertEquals(DesignatorType.PROTOCOL_SPECIFIC_PORT, d.type());
    assertEquals(ProtocolId.UAS, d.protocolIdentifier());
    assertEquals(d, Designator.protocolSpecificPort(ProtocolId.UAS, Hex.bytes("00 00 05 00")));
  }

  @Test
  void uuidDesignator() {
    UUID u = UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    // binary / LU / TYPE Ah, LENGTH 12h; byte 0 UUID TYPE 1h (bits 7:4), byte 1 reserved
    byte[] golden = Hex.bytes("01 0a 00 12 10 00 6f 1c 2a 3b 4d 5e 4f 60 8a 7b 9c 0d 1e 2f 3a 4b");
    assertArrayEquals(golden, Designator.uuid(u).encode());
    Designator d = Designator.decode(golden, 0, golden.length);
    assertEquals(u, d.uuid());
    assertEquals("uuid.6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", d.wwid().orElseThrow());
  }

  @Test
  void reservedCodesDecodeLosslessly() {
    Designator d = decode("0e 3d 00 01 ff"); // CODE SET Eh, ASSOCIATION 11b, TYPE Dh
    assertEquals(CodeSet.RESERVED_E, d.codeSet());
    assertTrue(d.codeSet().isReserved());
    assertEquals(Association.RESERVED_3, d.association());
    assertEquals(DesignatorType.RESERVED_D, d.type());
    assertTrue(d.wwid().isEmpty());
  }

  @Test
  void shortDescriptor() {
    assertThrows(ScsiProtocolException.class,
        () -> Designator.decode(Hex.bytes("01 03 00"), 0, 3));
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> Designator.decode(Hex.bytes("01 03 00 08 50 01"), 0, 6));
    assertEquals(12, e.expectedLength());
    assertEquals(6, e.actualLength());
  }
}
