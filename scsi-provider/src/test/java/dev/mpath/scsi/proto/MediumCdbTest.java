package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Golden bytes of the SBC-3 medium commands beyond READ/WRITE (VERIFY, WRITE AND VERIFY,
 * WRITE SAME, COMPARE AND WRITE, PRE-FETCH, ORWRITE, GET LBA STATUS) and of SPC-4 REPORT
 * SUPPORTED OPERATION CODES, laid out by hand from the CDB tables.
 */
class MediumCdbTest {

  @Test
  void verify10Golden() {
    byte[] golden = Hex.bytes(
        "2f"           // SBC-3 5.24 byte 0: VERIFY (10)
      + "12"           // byte 1: VRPROTECT 000b, DPO 1 (bit 4), BYTCHK 01b (bits 2:1)
      + "00 00 12 34"  // bytes 2-5: LOGICAL BLOCK ADDRESS
      + "05"           // byte 6: GROUP NUMBER 5
      + "00 08"        // bytes 7-8: VERIFICATION LENGTH 8
      + "00");         // byte 9: CONTROL
    VerifyCdb v = assertInstanceOf(VerifyCdb.class, Cdb.parse(golden));
    assertEquals(new VerifyCdb(OperationCode.VERIFY_10, 0, true, 1, 0x1234, 8, 5, 0), v);
    assertArrayEquals(golden, v.toBytes());
    assertFalse(v.writes());
    assertEquals(7, v.lengthOffset());
    assertEquals("VERIFY (10)", v.commandName());
  }

  @Test
  void verify12AndWriteAndVerify16Golden() {
    byte[] v12 = Hex.bytes(
        "af"           // SBC-3 5.25: VERIFY (12)
      + "26"           // VRPROTECT 001b (bits 7:5), BYTCHK 11b
      + "00 00 00 10"  // LBA 16
      + "00 01 00 00"  // bytes 6-9: VERIFICATION LENGTH 65536
      + "00 00");      // GROUP NUMBER, CONTROL
    assertEquals(new VerifyCdb(OperationCode.VERIFY_12, 1, false, 3, 16, 0x10000, 0, 0),
        Cdb.parse(v12));
    assertArrayEquals(v12,
        new VerifyCdb(OperationCode.VERIFY_12, 1, false, 3, 16, 0x10000, 0, 0).toBytes());
    byte[] wv16 = Hex.bytes(
        "8e"                        // SBC-3 5.38: WRITE AND VERIFY (16)
      + "02"                        // BYTCHK 01b
      + "00 00 00 01 00 00 00 00"   // bytes 2-9: LBA 2^32
      + "00 00 00 02"               // bytes 10-13: TRANSFER LENGTH 2
      + "00 00");                   // GROUP NUMBER, CONTROL
    VerifyCdb w = assertInstanceOf(VerifyCdb.class, Cdb.parse(wv16));
    assertTrue(w.writes());
    assertEquals(1L << 32, w.lba());
    assertEquals(2, w.transferLength());
    assertEquals(1, w.bytchk());
    assertArrayEquals(wv16, w.toBytes());
    assertThrows(IllegalArgumentException.class,
        () -> new VerifyCdb(OperationCode.VERIFY_10, 0, false, 0, 0, 0x10000, 0, 0));
    assertThrows(ScsiProtocolException.class, () -> Cdb.parse(Hex.bytes("2f 00 00 00 00")));
  }

  @Test
  void writeSameGolden() {
    byte[] ws10 = Hex.bytes(
        "41"           // SBC-3 5.41: WRITE SAME (10)
      + "18"           // byte 1: ANCHOR 1 (bit 4), UNMAP 1 (bit 3)
      + "00 00 00 20"  // LBA 32
      + "00"           // GROUP NUMBER
      + "01 00"        // NUMBER OF LOGICAL BLOCKS 256
      + "00");
    WriteSameCdb w = assertInstanceOf(WriteSameCdb.class, Cdb.parse(ws10));
    assertEquals(new WriteSameCdb(OperationCode.WRITE_SAME_10, 0, true, true, false, 32, 256, 0,
        0), w);
    assertArrayEquals(ws10, w.toBytes());
    byte[] ws16 = Hex.bytes(
        "93"                        // SBC-3 5.42: WRITE SAME (16)
      + "09"                        // UNMAP 1, NDOB 1 (bit 0)
      + "00 00 00 00 00 00 00 07"   // LBA 7
      + "00 00 00 00"               // NUMBER OF LOGICAL BLOCKS 0: to the end
      + "00 00");
    WriteSameCdb n = assertInstanceOf(WriteSameCdb.class, Cdb.parse(ws16));
    assertTrue(n.unmap());
    assertTrue(n.ndob());
    assertFalse(n.anchor());
    assertEquals(0, n.numberOfBlocks());
    assertArrayEquals(ws16, n.toBytes());
    // bit 0 of WRITE SAME (10) is obsolete, never NDOB
    assertFalse(((WriteSameCdb) Cdb.parse(Hex.bytes("41 01 00 00 00 00 00 00 01 00"))).ndob());
  }

  @Test
  void compareAndWriteGolden() {
    byte[] golden = Hex.bytes(
        "89"                        // SBC-3 5.2: COMPARE AND WRITE
      + "18"                        // DPO 1, FUA 1
      + "00 00 00 00 00 00 01 00"   // LBA 256
      + "00 00 00"                  // bytes 10-12: reserved
      + "04"                        // byte 13: NUMBER OF LOGICAL BLOCKS 4
      + "03"                        // byte 14: GROUP NUMBER 3
      + "00");
    CompareAndWriteCdb c = assertInstanceOf(CompareAndWriteCdb.class, Cdb.parse(golden));
    assertEquals(new CompareAndWriteCdb(0, true, true, 256, 4, 3, 0), c);
    assertArrayEquals(golden, c.toBytes());
    assertEquals(13, c.lengthOffset());
  }

  @Test
  void preFetchGolden() {
    byte[] p10 = Hex.bytes("34 02 00 00 00 09 03 00 10 00"); // IMMED, LBA 9, GROUP 3, 16 blocks
    assertEquals(new PreFetchCdb(OperationCode.PRE_FETCH_10, true, 9, 16, 3, 0), Cdb.parse(p10));
    assertArrayEquals(p10, new PreFetchCdb(OperationCode.PRE_FETCH_10, true, 9, 16, 3, 0)
        .toBytes());
    byte[] p16 = Hex.bytes("90 00 ff ff ff ff ff ff ff ff 00 00 00 01 00 00"); // LBA 2^64-1
    PreFetchCdb p = assertInstanceOf(PreFetchCdb.class, Cdb.parse(p16));
    assertEquals(-1L, p.lba());
    assertEquals(1, p.prefetchLength());
    assertArrayEquals(p16, p.toBytes());
  }

  @Test
  void orwrite16ReadsLikeWrite16() {
    byte[] golden = Hex.bytes(
        "8b"                        // SBC-3 5.5: ORWRITE (16)
      + "08"                        // FUA
      + "00 00 00 00 00 00 00 03"   // LBA 3
      + "00 00 00 02"               // TRANSFER LENGTH 2
      + "00 00");
    ReadWriteCdbFlyweight f = new ReadWriteCdbFlyweight().wrap(golden, 0, golden.length);
    assertTrue(f.isOrWrite());
    assertTrue(f.isWrite());
    assertTrue(f.fua());
    assertEquals(3, f.lba());
    assertEquals(2, f.transferLength());
    assertEquals(16, f.length());
    assertInstanceOf(GenericCdb.class, Cdb.parse(golden));
    assertThrows(ScsiProtocolException.class, () -> ReadWriteCdb.decode(golden, 0, 16));
  }

  @Test
  void getLbaStatusGolden() {
    byte[] golden = Hex.bytes(
        "9e"                        // SERVICE ACTION IN (16)
      + "12"                        // SERVICE ACTION 12h: GET LBA STATUS (SBC-3 5.16)
      + "00 00 00 00 00 00 00 2a"   // STARTING LOGICAL BLOCK ADDRESS 42
      + "00 00 00 18"               // ALLOCATION LENGTH 24
      + "00 00");                   // reserved, CONTROL
    GetLbaStatusCdb g = assertInstanceOf(GetLbaStatusCdb.class, Cdb.parse(golden));
    assertEquals(new GetLbaStatusCdb(42, 24, 0), g);
    assertEquals(0x12, g.serviceAction());
    assertArrayEquals(golden, g.toBytes());
  }

  @Test
  void reportSupportedOperationCodesGolden() {
    byte[] golden = Hex.bytes(
        "a3"           // MAINTENANCE IN
      + "0c"           // SERVICE ACTION 0Ch (SPC-4 6.35)
      + "82"           // byte 2: RCTD 1, REPORTING OPTIONS 010b
      + "9e"           // REQUESTED OPERATION CODE
      + "00 10"        // REQUESTED SERVICE ACTION
      + "00 00 ff ff"  // ALLOCATION LENGTH 65535
      + "00 00");      // reserved, CONTROL
    ReportSupportedOperationCodesCdb r =
        assertInstanceOf(ReportSupportedOperationCodesCdb.class, Cdb.parse(golden));
    assertEquals(new ReportSupportedOperationCodesCdb(true,
        ReportSupportedOperationCodesCdb.ONE_SERVICE_ACTION, 0x9E, 0x10, 0xFFFF, 0), r);
    assertArrayEquals(golden, r.toBytes());
    // REPORT TARGET PORT GROUPS stays generic
    assertInstanceOf(GenericCdb.class, Cdb.parse(Hex.bytes("a3 0a 00 00 00 00 00 00 10 00 00 00")));
  }
}
