package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden bytes written by hand from the layouts of RFC 7143 section 11. */
class PduCodecTest {
  private final PduEncoder plain = new PduEncoder(false, false);

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
  }

  static Pdu decodeAll(byte[] wire, PduDecoder d) throws IscsiProtocolException {
    ByteBuffer b = ByteBuffer.wrap(wire);
    Pdu p = d.decode(b);
    assertEquals(0, b.remaining(), "whole PDU consumed");
    return p;
  }

  static PduDecoder fromTarget() {
    return PduDecoder.fromTarget(262144);
  }

  @Test
  void scsiCommandRead10() {
    byte[] cdb = hex("28 00 00 00 00 10 00 00 08 00");
    Pdu p = Pdus.scsiCommand(true, false, dev.mpath.scsi.proto.Lun.of(1).value(), 0x11223344, 4096, 5, 7, cdb,
        null, true);
    byte[] want = hex(""
        + "01"            // 0: opcode 01h, I=0
        + "c1"            // 1: F=1 R=1 W=0 ATTR=1 (simple)
        + "0000"          // 2-3: reserved
        + "00"            // 4: TotalAHSLength
        + "000000"        // 5-7: DataSegmentLength
        + "0001000000000000" // 8-15: LUN 1 (peripheral addressing)
        + "11223344"      // 16-19: ITT
        + "00001000"      // 20-23: Expected Data Transfer Length 4096
        + "00000005"      // 24-27: CmdSN
        + "00000007"      // 28-31: ExpStatSN
        + "28000000001000000800000000000000"); // 32-47: CDB, zero padded
    assertArrayEquals(want, plain.encode(p));
  }

  @Test
  void scsiCommandWriteWithImmediateDataIsPadded() {
    byte[] cdb = hex("2a 00 00 00 00 00 00 00 01 00");
    Pdu p = Pdus.scsiCommand(false, true, 0, 1, 512, 1, 0, cdb, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), false);
    byte[] w = plain.encode(p);
    assertEquals(48 + 8, w.length, "5 data bytes + 3 pad");
    assertEquals(0x21, w[1] & 0xFF); // 1: F=0 W=1 ATTR=1
    assertArrayEquals(hex("000005"), java.util.Arrays.copyOfRange(w, 5, 8)); // 5-7: DSL 5 (no pad)
    assertArrayEquals(hex("0102030405000000"), java.util.Arrays.copyOfRange(w, 48, 56));
  }

  @Test
  void extendedCdbGoesIntoAnAhs() throws Exception {
    byte[] cdb = new byte[32];
    cdb[0] = 0x7F;
    cdb[31] = 0x55;
    Pdu p = Pdus.scsiCommand(false, false, 0, 1, 0, 1, 0, cdb, null, true);
    byte[] w = plain.encode(p);
    assertEquals(5, w[4]); // 4: TotalAHSLength = 20 bytes / 4
    assertArrayEquals(hex("0011 01 00"), java.util.Arrays.copyOfRange(w, 48, 52)); // AHSLength 17, type 1
    assertEquals(0x55, w[48 + 4 + 15]);
    Pdu back = decodeAll(w, PduDecoder.fromInitiator(8192));
    assertEquals(20, back.ahs().length);
  }

  @Test
  void scsiCommandLaidOutInPlaceWithDataFromADirectBuffer() {
    // A reused, dirty BHS array; immediate data from an offset of a direct buffer; data digest.
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    java.util.Arrays.fill(bhs, (byte) 0xEE);
    byte[] cdb = hex("2a 00 00 00 00 10 00 00 01 00");
    Pdus.scsiCommandBhs(bhs, false, true, dev.mpath.scsi.proto.Lun.of(1).value(), 0x11223344, 32, 5, 7,
        cdb, 32, true);
    ByteBuffer src = ByteBuffer.allocateDirect(64);
    src.position(3).limit(50);
    io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
    new PduEncoder(false, true).encode(bhs, src, 8, 32, out);
    byte[] want = hex(""
        + "01" + "a1" + "0000" // 0: opcode 01h; 1: F=1 R=0 W=1 ATTR=1
        + "00" + "000020"      // 4: TotalAHSLength 0; 5-7: DataSegmentLength 32
        + "0001000000000000"   // 8-15: LUN 1
        + "11223344"           // 16-19: ITT
        + "00000020"           // 20-23: EDTL 32
        + "00000005"           // 24-27: CmdSN
        + "00000007"           // 28-31: ExpStatSN
        + "2a000000001000000100000000000000" // 32-47: CDB, zero padded
        + "00".repeat(32)      // the data segment (a multiple of 4: no pad)
        + "aa36918a");         // data digest: CRC32C of 32 zero bytes (RFC 3720 B.4), LSB first
    assertArrayEquals(want, io.netty.buffer.ByteBufUtil.getBytes(out));
    assertEquals(3, src.position(), "the caller's position is restored");
    assertEquals(50, src.limit(), "the caller's limit is restored");
  }

  @Test
  void dataOutLaidOutInPlaceMatchesTheBuiltPdu() {
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    java.util.Arrays.fill(bhs, (byte) 0x5A);
    Pdus.dataOutBhs(bhs, true, 1L << 48, 9, 0x77, 6, 3, 65536, 4);
    ByteBuffer src = ByteBuffer.allocateDirect(8).put(4, hex("01020304"));
    io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
    plain.encode(bhs, src, 4, 4, out);
    Pdu built = Pdus.dataOut(true, 1L << 48, 9, 0x77, 6, 3, 65536, ByteBuffer.wrap(hex("01020304")));
    assertArrayEquals(plain.encode(built), io.netty.buffer.ByteBufUtil.getBytes(out));
    assertThrows(IllegalArgumentException.class, () -> plain.encode(bhs, src, 4, 3, out),
        "a data length the BHS does not announce is refused");
  }

  @Test
  void loginRequest() {
    byte[] text = "SessionType=Normal\0".getBytes(StandardCharsets.US_ASCII);
    Pdu p = Pdus.loginRequest(true, false, 0, 1, 0x00023d000001L, 0, 0, 0, 1, 0, text);
    byte[] want = hex(""
        + "43"            // 0: I=1, opcode 03h
        + "81"            // 1: T=1 C=0 CSG=0 NSG=1
        + "00"            // 2: Version-max
        + "00"            // 3: Version-min
        + "00"            // 4: TotalAHSLength
        + "000013"        // 5-7: DataSegmentLength 19
        + "00023d000001"  // 8-13: ISID
        + "0000"          // 14-15: TSIH
        + "00000000"      // 16-19: ITT
        + "0000"          // 20-21: CID
        + "0000"          // 22-23: reserved
        + "00000001"      // 24-27: CmdSN
        + "00000000"      // 28-31: ExpStatSN
        + "00000000000000000000000000000000" // 32-47: reserved
        + HexFormat.of().formatHex(text) + "00"); // text + 1 pad byte
    assertArrayEquals(want, plain.encode(p));
  }

  @Test
  void loginResponseDecodes() throws Exception {
    byte[] wire = hex(""
        + "23"            // 0: opcode 23h
        + "87"            // 1: T=1 C=0 CSG=1 NSG=3
        + "00" + "00"     // 2: Version-max, 3: Version-active
        + "00" + "000000" // 4: AHS, 5-7: DSL 0
        + "00023d000001"  // 8-13: ISID
        + "0100"          // 14-15: TSIH 256
        + "00000000"      // 16-19: ITT
        + "00000000"      // 20-23: reserved
        + "00000009"      // 24-27: StatSN
        + "00000001"      // 28-31: ExpCmdSN
        + "00000020"      // 32-35: MaxCmdSN
        + "0000"          // 36: Status-Class, 37: Status-Detail
        + "00000000000000000000"); // 38-47: reserved
    Pdu p = decodeAll(wire, fromTarget());
    assertEquals(Opcode.LOGIN_RESPONSE, p.opcode());
    assertTrue(p.finalBit());
    assertFalse(p.continueBit());
    assertEquals(1, p.csg());
    assertEquals(3, p.nsg());
    assertEquals(0x00023d000001L, p.isid());
    assertEquals(256, p.tsih());
    assertEquals(9, p.statSn());
    assertEquals(1, p.expCmdSn());
    assertEquals(0x20, p.maxCmdSn());
    assertEquals(0, p.statusClass());
    // the factory produces the same bytes
    assertArrayEquals(wire, plain.encode(Pdus.loginResponse(true, false, 1, 3, 0x00023d000001L, 256, 0, 9, 1, 0x20,
        0, 0, null)));
  }

  @Test
  void loginRefusalCarriesStatusClassAndDetail() throws Exception {
    Pdu p = decodeAll(plain.encode(Pdus.loginResponse(false, false, 0, 0, 1, 0, 0, 0, 1, 1, 2, 1, null)),
        fromTarget());
    assertEquals(2, p.statusClass());
    assertEquals(1, p.statusDetail());
    assertEquals("authentication failure", IscsiLoginException.describe(2, 1));
  }

  @Test
  void scsiResponseWithSenseAndUnderflow() throws Exception {
    byte[] sense = hex("70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00");
    byte[] wire = hex(""
        + "21"            // 0: opcode 21h
        + "82"            // 1: bit 7 set, U=1
        + "00"            // 2: Response: command completed at target
        + "02"            // 3: Status: CHECK CONDITION
        + "00" + "000014" // 4: AHS, 5-7: DSL 20 (2 + 18)
        + "0000000000000000" // 8-15: reserved
        + "0000abcd"      // 16-19: ITT
        + "00000000"      // 20-23: SNACK Tag
        + "00000010"      // 24-27: StatSN
        + "00000011"      // 28-31: ExpCmdSN
        + "00000030"      // 32-35: MaxCmdSN
        + "00000000"      // 36-39: ExpDataSN
        + "00000000"      // 40-43: Bidirectional Read Residual Count
        + "00000200"      // 44-47: Residual Count 512
        + "0012" + HexFormat.of().formatHex(sense)); // SenseLength 18 + sense (20 bytes, no pad)
    Pdu p = decodeAll(wire, fromTarget());
    assertEquals(0xabcd, p.itt());
    assertEquals(0, p.response());
    assertEquals(2, p.status());
    assertTrue(p.residualUnderflow());
    assertFalse(p.residualOverflow());
    assertEquals(512, p.residualCount());
    assertEquals(0x10, p.statSn());
    assertArrayEquals(sense, Pdus.sense(p));
    assertArrayEquals(wire, plain.encode(Pdus.scsiResponse(0xabcd, 0, 2, 0x10, 0x11, 0x30, 0, false, true, 512,
        sense)));
  }

  @Test
  void senseLengthBeyondTheSegmentIsAProtocolError() throws Exception {
    Pdu p = Pdu.builder(Opcode.SCSI_RESPONSE).flags(0x80).byteAt(3, 2).data(hex("0040 7000")).build();
    assertThrows(IscsiProtocolException.class, () -> Pdus.sense(p));
    Pdu one = Pdu.builder(Opcode.SCSI_RESPONSE).flags(0x80).data(hex("00")).build();
    assertThrows(IscsiProtocolException.class, () -> Pdus.sense(one));
    assertNull(Pdus.sense(Pdu.builder(Opcode.SCSI_RESPONSE).build()));
  }

  @Test
  void finalDataInWithStatus() throws Exception {
    byte[] wire = hex(""
        + "25"            // 0: opcode 25h
        + "83"            // 1: F=1 A=0 O=0 U=1 S=1
        + "00"            // 2: reserved
        + "00"            // 3: Status GOOD (valid with S)
        + "00" + "000006" // 4: AHS, 5-7: DSL 6
        + "0001000000000000" // 8-15: LUN
        + "00000007"      // 16-19: ITT
        + "ffffffff"      // 20-23: TTT
        + "00000003"      // 24-27: StatSN
        + "00000004"      // 28-31: ExpCmdSN
        + "00000013"      // 32-35: MaxCmdSN
        + "00000002"      // 36-39: DataSN
        + "00002000"      // 40-43: Buffer Offset 8192
        + "0000000a"      // 44-47: Residual Count 10
        + "aabbccddeeff" + "0000"); // data + 2 pad bytes
    Pdu p = decodeAll(wire, fromTarget());
    assertTrue(p.finalBit());
    assertTrue(p.statusPresent());
    assertTrue(p.residualUnderflow());
    assertFalse(p.acknowledge());
    assertEquals(2, p.dataSn());
    assertEquals(8192, p.bufferOffset());
    assertEquals(10, p.residualCount());
    assertArrayEquals(hex("aabbccddeeff"), p.dataBytes());
    assertArrayEquals(wire, plain.encode(Pdus.dataIn(0x83, 0, 1L << 48, 7, -1, 3, 4, 0x13, 2, 8192, 10,
        ByteBuffer.wrap(hex("aabbccddeeff")))));
  }

  @Test
  void r2tDecodes() throws Exception {
    byte[] wire = hex(""
        + "31" + "80" + "0000" // 0: opcode 31h, 1: F=1, 2-3: reserved
        + "00" + "000000"      // 4: AHS, 5-7: DSL 0
        + "0001000000000000"   // 8-15: LUN
        + "00000009"           // 16-19: ITT
        + "00000077"           // 20-23: TTT
        + "00000005"           // 24-27: StatSN
        + "00000006"           // 28-31: ExpCmdSN
        + "00000016"           // 32-35: MaxCmdSN
        + "00000001"           // 36-39: R2TSN
        + "00010000"           // 40-43: Buffer Offset 65536
        + "00004000");         // 44-47: Desired Data Transfer Length 16384
    Pdu p = decodeAll(wire, fromTarget());
    assertEquals(Opcode.R2T, p.opcode());
    assertEquals(0x77, p.ttt());
    assertEquals(1, p.dataSn());
    assertEquals(65536, p.bufferOffset());
    assertEquals(16384, p.desiredDataTransferLength());
    assertArrayEquals(wire, plain.encode(Pdus.r2t(1L << 48, 9, 0x77, 5, 6, 0x16, 1, 65536, 16384)));
  }

  @Test
  void dataOut() {
    Pdu p = Pdus.dataOut(true, 1L << 48, 9, 0x77, 6, 3, 65536, ByteBuffer.wrap(hex("01020304")));
    byte[] want = hex(""
        + "05" + "80" + "0000" // 0: opcode 05h, 1: F=1
        + "00" + "000004"      // 4: AHS, 5-7: DSL 4
        + "0001000000000000"   // 8-15: LUN
        + "00000009"           // 16-19: ITT
        + "00000077"           // 20-23: TTT
        + "00000000"           // 24-27: reserved
        + "00000006"           // 28-31: ExpStatSN
        + "00000000"           // 32-35: reserved
        + "00000003"           // 36-39: DataSN
        + "00010000"           // 40-43: Buffer Offset
        + "00000000"           // 44-47: reserved
        + "01020304");
    assertArrayEquals(want, plain.encode(p));
  }

  @Test
  void nopOutAndNopIn() throws Exception {
    byte[] want = hex(""
        + "40" + "80" + "0000" // 0: I=1 opcode 00h, 1: F=1
        + "00" + "000000"
        + "0000000000000000"   // 8-15: LUN
        + "ffffffff"           // 16-19: ITT (answer to a target ping)
        + "00000042"           // 20-23: TTT echoed
        + "00000008"           // 24-27: CmdSN
        + "00000004"           // 28-31: ExpStatSN
        + "00000000000000000000000000000000");
    assertArrayEquals(want, plain.encode(Pdus.nopOut(true, 0, -1, 0x42, 8, 4, null)));
    Pdu in = decodeAll(plain.encode(Pdus.nopIn(0, -1, 0x42, 3, 8, 9, null)), fromTarget());
    assertEquals(Opcode.NOP_IN, in.opcode());
    assertEquals(Pdu.RESERVED_TAG, in.itt());
    assertEquals(0x42, in.ttt());
    assertEquals(9, in.maxCmdSn());
  }

  @Test
  void textRequestLogoutAndTaskManagement() {
    byte[] st = "SendTargets=All\0".getBytes(StandardCharsets.US_ASCII);
    byte[] text = plain.encode(Pdus.textRequest(true, true, 5, -1, 2, 3, st));
    assertArrayEquals(hex("44 80 0000 00 000010"), java.util.Arrays.copyOf(text, 8)); // I, opcode 04h, F, DSL 16
    assertArrayEquals(hex("ffffffff 00000002 00000003"), java.util.Arrays.copyOfRange(text, 20, 32)); // TTT, CmdSN, ExpStatSN
    byte[] logout = plain.encode(Pdus.logoutRequest(true, Pdus.LOGOUT_CLOSE_SESSION, 6, 0, 2, 3));
    assertArrayEquals(hex(""
        + "46" + "80" + "0000"  // 0: I=1 opcode 06h, 1: F=1 reason 0 (close session)
        + "00" + "000000" + "0000000000000000"
        + "00000006"            // 16-19: ITT
        + "0000" + "0000"       // 20-21: CID, 22-23: reserved
        + "00000002" + "00000003" // 24-27: CmdSN, 28-31: ExpStatSN
        + "00000000000000000000000000000000"), logout);
    byte[] tmf = plain.encode(Pdus.taskManagement(true, Pdus.TMF_LOGICAL_UNIT_RESET, 1L << 48, 7, -1, 2, 3, 2, 0));
    assertEquals(0x42, tmf[0] & 0xFF); // I=1 opcode 02h
    assertEquals(0x85, tmf[1] & 0xFF); // F=1 function 5
    assertArrayEquals(hex("ffffffff 00000002 00000003 00000002 00000000"), java.util.Arrays.copyOfRange(tmf, 20, 40));
  }

  @Test
  void rejectAsyncLogoutAndTmfResponsesDecode() throws Exception {
    byte[] rejected = new byte[48];
    rejected[0] = 0x01;
    Pdu r = decodeAll(plain.encode(Pdus.reject(0x09, 1, 2, 3, 0, rejected)), fromTarget());
    assertEquals(Opcode.REJECT, r.opcode());
    assertEquals(0x09, r.response());
    assertEquals(48, r.dataSegmentLength());
    Pdu a = decodeAll(plain.encode(Pdus.asyncMessage(0, 1, 2, 3, 1, 0, 0, 5, 0, null)), fromTarget());
    assertEquals(1, a.byteAt(36)); // 36: AsyncEvent (target requests logout)
    assertEquals(5, a.int16(40)); // 40-41: Parameter2 (Time2Wait)
    Pdu l = decodeAll(plain.encode(Pdus.logoutResponse(0, 6, 4, 5, 6, 2, 20)), fromTarget());
    assertEquals(Opcode.LOGOUT_RESPONSE, l.opcode());
    assertEquals(2, l.int16(40));
    assertEquals(20, l.int16(42));
    Pdu t = decodeAll(plain.encode(Pdus.taskManagementResponse(0, 7, 1, 2, 3)), fromTarget());
    assertEquals(Opcode.TASK_MGMT_RESPONSE, t.opcode());
    assertEquals(7, t.itt());
    Pdu tr = decodeAll(plain.encode(Pdus.textResponse(false, true, 5, 0x99, 1, 2, 3,
        "TargetName=iqn.x\0".getBytes(StandardCharsets.US_ASCII))), fromTarget());
    assertFalse(tr.finalBit());
    assertTrue(tr.continueBit());
    assertEquals(0x99, tr.ttt());
  }

  @Test
  void chapResponseIsMd5OfIdentifierSecretChallenge() throws Exception {
    byte[] c = Chap.decodeBinary("0x00112233445566778899aabbccddeeff", Chap.MAX_CHALLENGE);
    assertEquals("0x204b729b404b0b0cefdf60c618de3341", Chap.encodeHex(Chap.response(0x2a, "tgtpeersecret1", c)));
    assertArrayEquals(hex("00112233"), Chap.decodeBinary("0bABEiMw==", 16));
    assertThrows(IscsiProtocolException.class, () -> Chap.decodeBinary("00112233", 16));
    assertThrows(IscsiProtocolException.class, () -> Chap.decodeBinary("0xzz", 16));
    assertThrows(IscsiProtocolException.class, () -> Chap.decodeBinary("0x" + "00".repeat(2000), Chap.MAX_CHALLENGE));
  }
}
