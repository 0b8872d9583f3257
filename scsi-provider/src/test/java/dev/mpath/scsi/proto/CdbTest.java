package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** CDB golden bytes from the SPC-4 / SBC-3 CDB tables, parse, round trip, malformed input. */
class CdbTest {

  @Test
  void inquiryVpd83Golden() {
    byte[] golden = Hex.bytes(
        "12"      // SPC-4 6.6.1 byte 0: OPERATION CODE 12h
      + "01"      // byte 1 bit 0: EVPD = 1
      + "83"      // byte 2: PAGE CODE 83h (device identification)
      + "01 00"   // bytes 3-4: ALLOCATION LENGTH 0100h = 256
      + "00");    // byte 5: CONTROL
    InquiryCdb c = InquiryCdb.vpd(0x83, 256);
    assertArrayEquals(golden, c.toBytes());
    Cdb parsed = Cdb.parse(golden);
    InquiryCdb i = assertInstanceOf(InquiryCdb.class, parsed);
    assertTrue(i.evpd());
    assertEquals(0x83, i.pageCode());
    assertEquals(256, i.allocationLength());
    assertEquals(0, i.control());
    assertEquals(-1, i.serviceAction());
    assertEquals(6, i.length());
    assertEquals("INQUIRY", i.commandName());
  }

  @Test
  void standardInquiryGolden() {
    // byte 0 12h, EVPD 0, PAGE CODE 0, ALLOCATION LENGTH 0024h (36), CONTROL 0
    byte[] golden = Hex.bytes("12 00 00 00 24 00");
    assertArrayEquals(golden, InquiryCdb.standard(36).toBytes());
    InquiryCdb i = InquiryCdb.decode(golden, 0, golden.length);
    assertFalse(i.evpd());
    assertEquals(36, i.allocationLength());
  }

  @Test
  void cdbInsideA16ByteIscsiFieldParses() {
    byte[] field = Hex.bytes("12 01 00 ff ff 04 00 00 00 00 00 00 00 00 00 00");
    InquiryCdb i = (InquiryCdb) Cdb.parse(field);
    assertEquals(0xFFFF, i.allocationLength());
    assertEquals(0x04, i.control()); // NACA
    assertEquals(Cdb.CONTROL_NACA, i.control() & Cdb.CONTROL_NACA);
  }

  @Test
  void testUnitReadyGolden() {
    byte[] golden = Hex.bytes("00 00 00 00 00 00"); // SPC-4: OPCODE 00h, reserved, CONTROL
    assertArrayEquals(golden, new TestUnitReadyCdb().toBytes());
    assertEquals(new TestUnitReadyCdb(0), Cdb.parse(golden));
  }

  @Test
  void readCapacity16Golden() {
    byte[] golden = Hex.bytes(
        "9e"                        // byte 0: SERVICE ACTION IN (16)
      + "10"                        // byte 1 bits 4:0: SERVICE ACTION 10h
      + "00 00 00 00 00 00 00 00"   // bytes 2-9: LOGICAL BLOCK ADDRESS
      + "00 00 00 20"               // bytes 10-13: ALLOCATION LENGTH 32
      + "00"                        // byte 14: PMI 0
      + "00");                      // byte 15: CONTROL
    assertArrayEquals(golden, ReadCapacity16Cdb.of(32).toBytes());
    ReadCapacity16Cdb r = assertInstanceOf(ReadCapacity16Cdb.class, Cdb.parse(golden));
    assertEquals(0x9E, r.opcode());
    assertEquals(0x10, r.serviceAction());
    assertEquals(32, r.allocationLength());
    assertEquals(0, r.lba());
    assertFalse(r.pmi());
  }

  @Test
  void serviceActionInWithoutARecordIsGeneric() {
    // SERVICE ACTION IN (16) with service action 13h (REPORT REFERRALS)
    byte[] cdb = Hex.bytes("9e 13 00 00 00 00 00 00 00 00 00 00 00 20 00 00");
    GenericCdb g = assertInstanceOf(GenericCdb.class, Cdb.parse(cdb));
    assertEquals(0x13, g.serviceAction());
    assertThrows(ScsiProtocolException.class, () -> ReadCapacity16Cdb.decode(cdb, 0, 16));
  }

  @Test
  void read10Golden() {
    byte[] golden = Hex.bytes(
        "28"            // SBC-3 READ (10) byte 0: OPERATION CODE 28h
      + "18"            // byte 1: RDPROTECT 000b, DPO 1 (bit 4), FUA 1 (bit 3)
      + "12 34 56 78"   // bytes 2-5: LOGICAL BLOCK ADDRESS
      + "05"            // byte 6: GROUP NUMBER 5
      + "00 80"         // bytes 7-8: TRANSFER LENGTH 128
      + "00");          // byte 9: CONTROL
    ReadWriteCdb c = new ReadWriteCdb(OperationCode.READ_10, 0, true, true, 0x12345678L, 128, 5, 0);
    assertArrayEquals(golden, c.toBytes());
    ReadWriteCdb p = assertInstanceOf(ReadWriteCdb.class, Cdb.parse(golden));
    assertEquals(c, p);
    assertTrue(p.isRead());
    assertTrue(p.dpo());
    assertTrue(p.fua());
    assertEquals(0x12345678L, p.lba());
    assertEquals(128, p.transferLength());
    assertEquals(5, p.groupNumber());
    assertEquals(10, p.length());
  }

  @Test
  void write16Golden() {
    byte[] golden = Hex.bytes(
        "8a"                          // SBC-3 WRITE (16) byte 0: 8Ah
      + "08"                          // byte 1: FUA (bit 3)
      + "00 00 00 01 00 00 00 00"     // bytes 2-9: LOGICAL BLOCK ADDRESS 2^32
      + "00 01 00 00"                 // bytes 10-13: TRANSFER LENGTH 65536
      + "00"                          // byte 14: GROUP NUMBER
      + "00");                        // byte 15: CONTROL
    ReadWriteCdb c = ReadWriteCdb.write16(0x1_0000_0000L, 65536).withFua(true);
    assertArrayEquals(golden, c.toBytes());
    ReadWriteCdb p = (ReadWriteCdb) Cdb.parse(golden);
    assertTrue(p.isWrite());
    assertTrue(p.fua());
    assertFalse(p.dpo());
    assertEquals(0x1_0000_0000L, p.lba());
    assertEquals(65536, p.transferLength());
    assertEquals(16, p.length());
  }

  @Test
  void flyweightReadsTheGoldenCdbsInPlaceAndIsReused() {
    // the SBC-3 READ (10) above, at offset 3 of a larger array, then the WRITE (16) above
    byte[] ten = Hex.bytes("ee ee ee 28 18 12 34 56 78 05 00 80 00 ee");
    ReadWriteCdbFlyweight f = new ReadWriteCdbFlyweight();
    assertSame(f, f.wrap(ten, 3, 10));
    assertEquals(OperationCode.READ_10, f.opcode());
    assertFalse(f.isWrite());
    assertEquals(0, f.protect());
    assertTrue(f.dpo());
    assertTrue(f.fua());
    assertEquals(0x12345678L, f.lba());
    assertEquals(128, f.transferLength());
    assertEquals(5, f.groupNumber());
    assertEquals(0, f.control());
    assertEquals(10, f.length());
    byte[] sixteen = Hex.bytes("8a 08 00 00 00 01 00 00 00 00 00 01 00 00 00 00");
    f.wrap(sixteen, 0, 16);
    assertTrue(f.isWrite());
    assertFalse(f.dpo());
    assertTrue(f.fua());
    assertEquals(0x1_0000_0000L, f.lba());
    assertEquals(65536, f.transferLength());
    assertEquals(16, f.length());
    byte[] top = Hex.bytes("88 e0 ff ff ff ff ff ff ff fe ff ff ff ff 1f 44");
    f.wrap(top, 0, 16);
    assertEquals(7, f.protect());
    assertEquals(-2L, f.lba());
    assertEquals(0xFFFF_FFFFL, f.transferLength());
    assertEquals(31, f.groupNumber());
    assertEquals(0x44, f.control());
    // a 10-byte READ cut short, a 16-byte WRITE in 10 bytes, another opcode: refused
    assertThrows(ScsiProtocolException.class, () -> f.wrap(ten, 3, 9));
    assertThrows(ScsiProtocolException.class, () -> f.wrap(sixteen, 0, 10));
    assertThrows(ScsiProtocolException.class, () -> f.wrap(Hex.bytes("12 00 00 00 24 00"), 0, 6));
    assertThrows(ScsiProtocolException.class, () -> f.wrap(ten, 0, 0));
    assertEquals(0x44, f.control()); // a refused wrap leaves the last CDB in place
  }

  @Test
  void flyweightReadsTheSixAndTwelveByteForms() {
    ReadWriteCdbFlyweight f = new ReadWriteCdbFlyweight();
    byte[] read6 = Hex.bytes(
        "08"          // SBC-3 5.8 READ (6) byte 0: 08h
      + "1f ff fe"    // byte 1 bits 4:0 and bytes 2-3: LOGICAL BLOCK ADDRESS 1FFFFEh (21 bits)
      + "00"          // byte 4: TRANSFER LENGTH 0: 256 blocks
      + "00");        // byte 5: CONTROL
    f.wrap(read6, 0, 6);
    assertEquals(6, f.length());
    assertFalse(f.isWrite());
    assertEquals(0x1FFFFEL, f.lba());
    assertEquals(256, f.transferLength());
    assertEquals(4, f.transferLengthOffset());
    assertEquals(0, f.protect());
    assertFalse(f.fua());
    byte[] write6 = Hex.bytes("0a e0 00 10 08 04"); // bits 7:5 of byte 1 are not LBA bits
    f.wrap(write6, 0, 6);
    assertTrue(f.isWrite());
    assertEquals(0x10, f.lba());
    assertEquals(8, f.transferLength());
    assertEquals(0x04, f.control());
    byte[] write12 = Hex.bytes(
        "aa"            // SBC-3 5.34 WRITE (12) byte 0: AAh
      + "38"            // byte 1: WRPROTECT 1 (bits 7:5), DPO (bit 4), FUA (bit 3)
      + "89 ab cd ef"   // bytes 2-5: LOGICAL BLOCK ADDRESS
      + "00 01 00 00"   // bytes 6-9: TRANSFER LENGTH 65536
      + "07"            // byte 10: GROUP NUMBER 7
      + "00");          // byte 11: CONTROL
    f.wrap(write12, 0, 12);
    assertEquals(12, f.length());
    assertTrue(f.isWrite());
    assertEquals(1, f.protect());
    assertTrue(f.dpo());
    assertTrue(f.fua());
    assertEquals(0x89ABCDEFL, f.lba());
    assertEquals(65536, f.transferLength());
    assertEquals(6, f.transferLengthOffset());
    assertEquals(7, f.groupNumber());
    assertThrows(ScsiProtocolException.class, () -> f.wrap(write12, 0, 11));
    // the record covers the 10- and 16-byte forms only
    assertThrows(ScsiProtocolException.class, () -> ReadWriteCdb.decode(read6, 0, 6));
  }

  @Test
  void read16WithTopBitLbaAndWrprotect() {
    byte[] golden = Hex.bytes("88 e0 ff ff ff ff ff ff ff fe ff ff ff ff 1f 00");
    ReadWriteCdb p = (ReadWriteCdb) Cdb.parse(golden);
    assertEquals(7, p.protect());
    assertEquals(-2L, p.lba()); // FFFFFFFFFFFFFFFEh as unsigned
    assertEquals(0xFFFF_FFFFL, p.transferLength());
    assertEquals(31, p.groupNumber());
    assertArrayEquals(golden, p.toBytes());
  }

  @Test
  void smallestReadWriteForm() {
    assertEquals(OperationCode.WRITE_10, ReadWriteCdb.of(true, 100, 8, false, false).opcode());
    assertEquals(OperationCode.READ_16, ReadWriteCdb.of(false, 1L << 32, 8, false, false).opcode());
    assertEquals(OperationCode.READ_16, ReadWriteCdb.of(false, 0, 70000, false, false).opcode());
    assertThrows(IllegalArgumentException.class, () -> ReadWriteCdb.read10(1L << 32, 1));
  }

  @Test
  void synchronizeCacheGolden() {
    byte[] ten = Hex.bytes(
        "35"            // SYNCHRONIZE CACHE (10)
      + "02"            // byte 1 bit 1: IMMED
      + "00 00 10 00"   // bytes 2-5: LBA 4096
      + "00"            // byte 6: GROUP NUMBER
      + "00 08"         // bytes 7-8: NUMBER OF LOGICAL BLOCKS 8
      + "00");
    SynchronizeCacheCdb s = new SynchronizeCacheCdb(OperationCode.SYNCHRONIZE_CACHE_10, true,
        4096, 8, 0, 0);
    assertArrayEquals(ten, s.toBytes());
    assertEquals(s, Cdb.parse(ten));

    byte[] sixteen = Hex.bytes(
        "91 00"                      // SYNCHRONIZE CACHE (16), IMMED 0
      + "00 00 00 00 00 00 00 00"    // LBA 0
      + "00 00 00 00"                // NUMBER OF LOGICAL BLOCKS 0 = to the end
      + "00 00");
    assertArrayEquals(sixteen, SynchronizeCacheCdb.all16().toBytes());
    SynchronizeCacheCdb p = (SynchronizeCacheCdb) Cdb.parse(sixteen);
    assertFalse(p.immed());
    assertEquals(0, p.numberOfBlocks());
    assertEquals(16, p.length());
  }

  @Test
  void reportLunsGolden() {
    byte[] golden = Hex.bytes(
        "a0"            // SPC-4 REPORT LUNS byte 0
      + "00"            // reserved
      + "02"            // byte 2: SELECT REPORT 02h
      + "00 00 00"      // reserved
      + "00 00 10 00"   // bytes 6-9: ALLOCATION LENGTH 4096
      + "00"            // reserved
      + "00");          // byte 11: CONTROL
    ReportLunsCdb c = new ReportLunsCdb(2, 4096, 0);
    assertArrayEquals(golden, c.toBytes());
    ReportLunsCdb p = (ReportLunsCdb) Cdb.parse(golden);
    assertEquals(2, p.selectReport());
    assertEquals(4096, p.allocationLength());
    assertEquals(12, p.length());
  }

  @Test
  void unmapGolden() {
    byte[] golden = Hex.bytes(
        "42"       // SBC-3 UNMAP byte 0
      + "01"       // byte 1 bit 0: ANCHOR
      + "00 00 00 00"
      + "03"       // byte 6: GROUP NUMBER
      + "00 18"    // bytes 7-8: PARAMETER LIST LENGTH 24
      + "00");
    UnmapCdb c = new UnmapCdb(true, 3, 24, 0);
    assertArrayEquals(golden, c.toBytes());
    assertEquals(c, Cdb.parse(golden));
  }

  @Test
  void persistentReserveInGolden() {
    byte[] golden = Hex.bytes(
        "5e"          // SPC-4 PERSISTENT RESERVE IN byte 0
      + "03"          // byte 1 bits 4:0: SERVICE ACTION 03h READ FULL STATUS
      + "00 00 00 00 00"
      + "20 00"       // bytes 7-8: ALLOCATION LENGTH 8192
      + "00");
    PersistentReserveInCdb c = PersistentReserveInCdb.of(PrInServiceAction.READ_FULL_STATUS, 8192);
    assertArrayEquals(golden, c.toBytes());
    PersistentReserveInCdb p = (PersistentReserveInCdb) Cdb.parse(golden);
    assertEquals(3, p.serviceAction());
    assertEquals(PrInServiceAction.READ_FULL_STATUS, p.action());
    assertEquals(8192, p.allocationLength());
  }

  @Test
  void persistentReserveOutGolden() {
    byte[] golden = Hex.bytes(
        "5f"          // SPC-4 PERSISTENT RESERVE OUT byte 0
      + "05"          // byte 1: SERVICE ACTION 05h PREEMPT AND ABORT
      + "06"          // byte 2: SCOPE 0h (bits 7:4), TYPE 6h EX_AC_RO (bits 3:0)
      + "00 00"       // bytes 3-4 reserved
      + "00 00 00 18" // bytes 5-8: PARAMETER LIST LENGTH 24
      + "00");
    PersistentReserveOutCdb c = PersistentReserveOutCdb.of(PrOutServiceAction.PREEMPT_AND_ABORT,
        PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, 24);
    assertArrayEquals(golden, c.toBytes());
    PersistentReserveOutCdb p = (PersistentReserveOutCdb) Cdb.parse(golden);
    assertEquals(PrOutServiceAction.PREEMPT_AND_ABORT, p.action());
    assertEquals(0, p.scope());
    assertEquals(PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, p.prType());
    assertEquals(24, p.parameterListLength());
    assertEquals(5, p.serviceAction());
  }

  @Test
  void prOutWithReservedTypeStillParses() {
    byte[] cdb = Hex.bytes("5f 01 12 00 00 00 00 00 18 00"); // SCOPE 1, TYPE 2 (obsolete)
    PersistentReserveOutCdb p = (PersistentReserveOutCdb) Cdb.parse(cdb);
    assertEquals(1, p.scope());
    assertEquals(2, p.type());
    assertThrows(ScsiProtocolException.class, p::prType);
    PersistentReserveOutCdb sa = (PersistentReserveOutCdb) Cdb.parse(
        Hex.bytes("5f 1f 00 00 00 00 00 00 18 00"));
    assertThrows(ScsiProtocolException.class, sa::action);
  }

  @Test
  void maintenanceInIsGenericWithServiceAction() {
    // MAINTENANCE IN, service action 0Ah (REPORT TARGET PORT GROUPS) - decoded by the alua module
    byte[] cdb = Hex.bytes("a3 0a 00 00 00 00 00 00 10 00 00 00");
    GenericCdb g = assertInstanceOf(GenericCdb.class, Cdb.parse(cdb));
    assertEquals(0xA3, g.opcode());
    assertEquals(0x0A, g.serviceAction());
    assertEquals(12, g.length());
    assertEquals(0, g.control());
    assertArrayEquals(cdb, g.toBytes());
  }

  @Test
  void genericModeSenseHasNoServiceAction() {
    GenericCdb g = (GenericCdb) Cdb.parse(Hex.bytes("1a 00 3f 00 ff 00 00 00"));
    assertEquals(-1, g.serviceAction());
    assertEquals(6, g.bytes().length);
  }

  @Test
  void variableLengthCdb() {
    // 7Fh, CONTROL at byte 1, ADDITIONAL CDB LENGTH 18h at byte 7, SERVICE ACTION 0009h at 8-9
    byte[] cdb = new byte[32];
    cdb[0] = 0x7F;
    cdb[1] = 0x04;
    cdb[7] = 0x18;
    cdb[9] = 0x09;
    GenericCdb g = (GenericCdb) Cdb.parse(cdb);
    assertEquals(32, g.length());
    assertEquals(9, g.serviceAction());
    assertEquals(4, g.control());
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Arrays.copyOf(cdb, 20)));
  }

  @Test
  void shortCdbsAreRejectedWithLengths() {
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> Cdb.parse(Hex.bytes("28 00 00 00 00 00 00 00 08")));
    assertEquals(10, e.expectedLength());
    assertEquals(9, e.actualLength());
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(new byte[0]));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("88 00 00")));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("12 01 83")));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("5e 00 00 00")));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("9e")));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("a0 00 00 00 00 00")));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("a3 0a")));
  }

  @Test
  void typedDecoderRefusesOtherOpcode() {
    assertThrows(ScsiProtocolException.class,
        () -> InquiryCdb.decode(Hex.bytes("00 00 00 00 00 00"), 0, 6));
    assertThrows(ScsiProtocolException.class,
        () -> UnmapCdb.decode(Hex.bytes("28 00 00 00 00 00 00 00 00 00"), 0, 10));
  }

  @Test
  void decodeAtOffset() {
    byte[] buf = Hex.bytes("ff ff 2a 00 00 00 00 07 00 00 01 00 ee");
    ReadWriteCdb w = (ReadWriteCdb) Cdb.parse(buf, 2, 10);
    assertEquals(OperationCode.WRITE_10, w.opcode());
    assertEquals(7, w.lba());
    assertEquals(1, w.transferLength());
    assertThrows(IndexOutOfBoundsException.class, () -> Cdb.parse(buf, 5, 10));
  }

  @Test
  void encoderRejectsOutOfRangeArguments() {
    assertThrows(IllegalArgumentException.class, () -> new InquiryCdb(true, 256, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new InquiryCdb(false, 0, 65536, 0));
    assertThrows(IllegalArgumentException.class, () -> new PersistentReserveOutCdb(0, 16, 0, 24, 0));
    assertThrows(IllegalArgumentException.class, () -> new ReadWriteCdb(0x12, 0, false, false, 0, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> ReadWriteCdb.read10(0, 0x10000));
  }

  @Test
  void opcodeFacts() {
    assertEquals(6, OperationCode.cdbLength(0x12));
    assertEquals(10, OperationCode.cdbLength(0x5E));
    assertEquals(16, OperationCode.cdbLength(0x88));
    assertEquals(12, OperationCode.cdbLength(0xA0));
    assertEquals(-1, OperationCode.cdbLength(0x7F));
    assertEquals(-1, OperationCode.cdbLength(0xC0));
    assertEquals("PERSISTENT RESERVE OUT", OperationCode.name(0x5F));
    assertEquals("OPCODE C0h", OperationCode.name(0xC0));
  }
}
