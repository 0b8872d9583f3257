package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** READ CAPACITY (16) data, LUNs, REPORT LUNS data and UNMAP parameter lists. */
class BlockDataTest {

  @Test
  void readCapacity16Golden() {
    byte[] golden = Hex.cat(Hex.bytes(
        "00 00 00 00 01 ff ff ff"   // SBC-3 bytes 0-7: RETURNED LOGICAL BLOCK ADDRESS
      + "00 00 02 00"               // bytes 8-11: LOGICAL BLOCK LENGTH IN BYTES 512
      + "05"                        // byte 12: P_TYPE 010b (bits 3:1), PROT_EN 1 (bit 0)
      + "13"                        // byte 13: P_I_EXPONENT 1 (7:4), LBPPB EXPONENT 3 (3:0)
      + "c0"                        // byte 14: LBPME 1, LBPRZ 1, LOWEST ALIGNED LBA bits 13:8 = 0
      + "07"),                      // byte 15: LOWEST ALIGNED LBA bits 7:0 = 7
        new byte[16]);              // bytes 16-31 reserved
    ReadCapacity16Data d = ReadCapacity16Data.decode(golden);
    assertEquals(0x1FFFFFFL, d.returnedLba());
    assertEquals(0x2000000L, d.blockCount());
    assertEquals(512, d.logicalBlockLength());
    assertEquals(2, d.pType());
    assertTrue(d.protEn());
    assertEquals(1, d.pIExponent());
    assertEquals(3, d.lbppbExponent());
    assertEquals(8, d.logicalBlocksPerPhysicalBlock());
    assertTrue(d.lbpme());
    assertTrue(d.lbprz());
    assertEquals(7, d.lowestAlignedLba());
    assertArrayEquals(golden, new ReadCapacity16Data(0x1FFFFFFL, 512, 2, true, 1, 3, true, true,
        7).encode());
  }

  @Test
  void readCapacity16SimpleAndShort() {
    ReadCapacity16Data d = ReadCapacity16Data.of(2048, 4096, false);
    byte[] e = d.encode();
    assertEquals(32, e.length);
    assertEquals(0x07, e[6]);          // 2047 = 07FFh
    assertEquals((byte) 0xFF, e[7]);
    assertEquals(0x10, e[10]);         // 4096 = 1000h
    assertEquals(0, e[14]);
    assertEquals(d, ReadCapacity16Data.decode(e));
    ScsiProtocolException x = assertThrows(ScsiProtocolException.class,
        () -> ReadCapacity16Data.decode(Arrays.copyOf(e, 16)));
    assertEquals(32, x.expectedLength());
    assertEquals(16, x.actualLength());
  }

  static final byte[] REPORT_LUNS = Hex.bytes(
        "00 00 00 30"               // bytes 0-3: LUN LIST LENGTH 48 (six LUNs)
      + "00 00 00 00"               // bytes 4-7: reserved
      + "00 00 00 00 00 00 00 00"   // LUN 0: peripheral device addressing, bus 0
      + "00 01 00 00 00 00 00 00"   // LUN 1
      + "00 ff 00 00 00 00 00 00"   // LUN 255
      + "41 00 00 00 00 00 00 00"   // LUN 256: flat space addressing (01b), 0100h
      + "7f ff 00 00 00 00 00 00"   // LUN 16383: flat space 3FFFh
      + "c1 01 00 00 00 00 00 00"); // REPORT LUNS well known LUN

  @Test
  void reportLunsGolden() {
    ReportLunsData d = ReportLunsData.decode(REPORT_LUNS);
    assertEquals(6, d.luns().size());
    assertEquals(0, d.luns().get(0).number());
    assertEquals(1, d.luns().get(1).number());
    assertEquals(255, d.luns().get(2).number());
    assertEquals(256, d.luns().get(3).number());
    assertEquals(Lun.FLAT_SPACE_ADDRESSING, d.luns().get(3).addressMethod());
    assertEquals(16383, d.luns().get(4).number());
    assertEquals(Lun.REPORT_LUNS_WELL_KNOWN, d.luns().get(5));
    assertFalse(d.luns().get(5).isSimple());
    assertThrows(ScsiProtocolException.class, () -> d.luns().get(5).number());
    List<Lun> luns = new java.util.ArrayList<>(ReportLunsData.ofNumbers(0, 1, 255, 256, 16383).luns());
    luns.add(Lun.REPORT_LUNS_WELL_KNOWN);
    assertArrayEquals(REPORT_LUNS, new ReportLunsData(luns).encode());
  }

  @Test
  void lunEncoding() {
    assertArrayEquals(Hex.bytes("00 05 00 00 00 00 00 00"), Lun.of(5).toBytes());
    assertArrayEquals(Hex.bytes("00 ff 00 00 00 00 00 00"), Lun.of(255).toBytes());
    assertArrayEquals(Hex.bytes("41 2c 00 00 00 00 00 00"), Lun.of(300).toBytes());
    assertThrows(IllegalArgumentException.class, () -> Lun.of(16384));
    assertThrows(IllegalArgumentException.class, () -> Lun.of(-1));
    // two-level LUN and a non-zero bus: kept, but not a simple number
    Lun twoLevel = Lun.decode(Hex.bytes("00 01 00 02 00 00 00 00"), 0, 8);
    assertFalse(twoLevel.isSimple());
    assertThrows(ScsiProtocolException.class, twoLevel::number);
    Lun bus1 = Lun.decode(Hex.bytes("01 05 00 00 00 00 00 00"), 0, 8);
    assertThrows(ScsiProtocolException.class, bus1::number);
    assertEquals("0105000000000000", bus1.toString());
    assertThrows(ScsiProtocolException.class, () -> Lun.decode(new byte[7], 0, 7));
  }

  @Test
  void reportLunsLengths() {
    TruncatedDataException t = assertThrows(TruncatedDataException.class,
        () -> ReportLunsData.decode(Arrays.copyOf(REPORT_LUNS, 16)));
    assertEquals(56, t.requiredLength());
    assertEquals(16, t.availableLength());
    ScsiProtocolException huge = assertThrows(ScsiProtocolException.class,
        () -> ReportLunsData.decode(Hex.bytes("ff ff ff f8 00 00 00 00 00 00 00 00 00 00 00 00")));
    assertFalse(huge instanceof TruncatedDataException);
    assertThrows(ScsiProtocolException.class,
        () -> ReportLunsData.decode(Hex.bytes("00 00 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")));
    assertThrows(ScsiProtocolException.class, () -> ReportLunsData.decode(new byte[7]));
    ReportLunsData empty = ReportLunsData.decode(new byte[8]);
    assertTrue(empty.luns().isEmpty());
    assertArrayEquals(new byte[8], empty.encode());
  }

  @Test
  void unmapParameterListGolden() {
    byte[] golden = Hex.bytes(
        "00 26"                     // SBC-3 bytes 0-1: UNMAP DATA LENGTH 38 (n-1)
      + "00 20"                     // bytes 2-3: UNMAP BLOCK DESCRIPTOR DATA LENGTH 32 (n-7)
      + "00 00 00 00"               // bytes 4-7: reserved
      + "00 00 00 00 00 00 10 00"   // descriptor 1 bytes 0-7: UNMAP LOGICAL BLOCK ADDRESS 4096
      + "00 00 00 08"               //   bytes 8-11: NUMBER OF LOGICAL BLOCKS 8
      + "00 00 00 00"               //   bytes 12-15: reserved
      + "00 00 00 01 00 00 00 00"   // descriptor 2: LBA 2^32
      + "ff ff ff ff"               //   NUMBER OF LOGICAL BLOCKS FFFFFFFFh
      + "00 00 00 00");
    UnmapParameterList l = new UnmapParameterList(List.of(new UnmapBlockDescriptor(4096, 8),
        new UnmapBlockDescriptor(1L << 32, 0xFFFF_FFFFL)));
    assertArrayEquals(golden, l.encode());
    assertEquals(l, UnmapParameterList.decode(golden));
  }

  @Test
  void unmapMalformed() {
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> UnmapParameterList.decode(Hex.bytes("00 26 00 20 00 00 00 00 00 00 00 00 00 00 10 00")));
    assertEquals(40, e.expectedLength());
    assertEquals(16, e.actualLength());
    assertThrows(ScsiProtocolException.class, () -> UnmapParameterList.decode(new byte[6]));
    // descriptor data length 20: the trailing partial descriptor is ignored (SBC-3)
    byte[] partial = new byte[8 + 20];
    partial[3] = 20;
    partial[15] = 1;
    partial[19] = 2;
    UnmapParameterList p = UnmapParameterList.decode(partial);
    assertEquals(List.of(new UnmapBlockDescriptor(1, 2)), p.descriptors());
    assertTrue(UnmapParameterList.decode(new byte[8]).descriptors().isEmpty());
  }
}
