package dev.mpath.alua;

import static dev.mpath.alua.TestBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Golden bytes for the MAINTENANCE IN / OUT CDBs, written from SPC-4 6.37 and 6.45. */
class CdbTest {

  // SPC-4 6.37 REPORT TARGET PORT GROUPS command, extended header, allocation length 4096
  private static final byte[] RTPG_EXTENDED = bytes(
      0xA3,                   // byte 0: OPERATION CODE (MAINTENANCE IN)
      0x2A,                   // byte 1: PARAMETER DATA FORMAT 001b (bits 7:5) | SERVICE ACTION 0Ah
      0x00, 0x00, 0x00, 0x00, // bytes 2-5: reserved
      0x00, 0x00, 0x10, 0x00, // bytes 6-9: ALLOCATION LENGTH = 4096
      0x00,                   // byte 10: reserved
      0x00);                  // byte 11: CONTROL

  // Same command, length-only header, allocation length 12345678h, CONTROL 80h
  private static final byte[] RTPG_LENGTH_ONLY = bytes(
      0xA3,                   // byte 0: OPERATION CODE
      0x0A,                   // byte 1: PARAMETER DATA FORMAT 000b | SERVICE ACTION 0Ah
      0x00, 0x00, 0x00, 0x00, // bytes 2-5: reserved
      0x12, 0x34, 0x56, 0x78, // bytes 6-9: ALLOCATION LENGTH
      0x00,                   // byte 10: reserved
      0x80);                  // byte 11: CONTROL

  // SPC-4 6.45 SET TARGET PORT GROUPS command, parameter list length 12
  private static final byte[] STPG = bytes(
      0xA4,                   // byte 0: OPERATION CODE (MAINTENANCE OUT)
      0x0A,                   // byte 1: reserved (7:5) | SERVICE ACTION 0Ah
      0x00, 0x00, 0x00, 0x00, // bytes 2-5: reserved
      0x00, 0x00, 0x00, 0x0C, // bytes 6-9: PARAMETER LIST LENGTH = 12
      0x00,                   // byte 10: reserved
      0x00);                  // byte 11: CONTROL

  @Test
  void rtpgExtendedEncodes() {
    assertArrayEquals(RTPG_EXTENDED, ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 4096).encode());
  }

  @Test
  void rtpgLengthOnlyEncodes() {
    assertArrayEquals(RTPG_LENGTH_ONLY,
        new ReportTargetPortGroupsCdb(RtpgFormat.LENGTH_ONLY, 0x12345678L, 0x80).encode());
  }

  @Test
  void rtpgDecodesEveryField() {
    ReportTargetPortGroupsCdb ext = ReportTargetPortGroupsCdb.decode(RTPG_EXTENDED);
    assertEquals(RtpgFormat.EXTENDED, ext.format());
    assertEquals(4096, ext.allocationLength());
    assertEquals(0, ext.control());
    ReportTargetPortGroupsCdb lo = ReportTargetPortGroupsCdb.decode(RTPG_LENGTH_ONLY);
    assertEquals(RtpgFormat.LENGTH_ONLY, lo.format());
    assertEquals(0x12345678L, lo.allocationLength());
    assertEquals(0x80, lo.control());
  }

  @Test
  void rtpgMaximumAllocationLength() {
    byte[] cdb = RTPG_EXTENDED.clone();
    cdb[6] = cdb[7] = cdb[8] = cdb[9] = (byte) 0xFF;
    assertEquals(0xFFFF_FFFFL, ReportTargetPortGroupsCdb.decode(cdb).allocationLength());
    assertArrayEquals(cdb, ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 0xFFFF_FFFFL).encode());
    assertThrows(IllegalArgumentException.class,
        () -> ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 1L << 32));
  }

  @Test
  void rtpgDecodeRejectsMalformed() {
    assertThrows(AluaProtocolException.class,
        () -> ReportTargetPortGroupsCdb.decode(bytes(0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    byte[] wrongOpcode = RTPG_EXTENDED.clone();
    wrongOpcode[0] = (byte) 0xA4;
    assertEquals(0, assertThrows(AluaProtocolException.class,
        () -> ReportTargetPortGroupsCdb.decode(wrongOpcode)).fieldOffset());
    byte[] wrongServiceAction = RTPG_EXTENDED.clone();
    wrongServiceAction[1] = 0x2C; // REPORT SUPPORTED OPERATION CODES
    assertEquals(1, assertThrows(AluaProtocolException.class,
        () -> ReportTargetPortGroupsCdb.decode(wrongServiceAction)).fieldOffset());
    byte[] reservedFormat = RTPG_EXTENDED.clone();
    reservedFormat[1] = 0x4A; // PARAMETER DATA FORMAT 010b
    assertEquals(1, assertThrows(AluaProtocolException.class,
        () -> ReportTargetPortGroupsCdb.decode(reservedFormat)).fieldOffset());
  }

  @Test
  void stpgEncodesAndDecodes() {
    assertArrayEquals(STPG, SetTargetPortGroupsCdb.of(12).encode());
    SetTargetPortGroupsCdb cdb = SetTargetPortGroupsCdb.decode(STPG);
    assertEquals(12, cdb.parameterListLength());
    assertEquals(0, cdb.control());
  }

  @Test
  void stpgDecodeRejectsMalformed() {
    assertThrows(AluaProtocolException.class,
        () -> SetTargetPortGroupsCdb.decode(bytes(0xA4, 0x0A, 0, 0)));
    byte[] wrongOpcode = STPG.clone();
    wrongOpcode[0] = (byte) 0xA3;
    assertThrows(AluaProtocolException.class, () -> SetTargetPortGroupsCdb.decode(wrongOpcode));
    byte[] wrongServiceAction = STPG.clone();
    wrongServiceAction[1] = 0x0B;
    assertThrows(AluaProtocolException.class,
        () -> SetTargetPortGroupsCdb.decode(wrongServiceAction));
  }
}
