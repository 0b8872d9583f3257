package dev.mpath.scsi.iscsi;

import java.nio.ByteBuffer;

/**
 * Factories for the PDUs of RFC 7143 section 11, one per PDU type, with the BHS offsets of
 * each field. Initiator PDUs are what the transport sends; target PDUs serve tests and a
 * future listener.
 */
public final class Pdus {
  private Pdus() {}

  // Byte 1 flag bits.
  public static final int F = 0x80;
  /** SCSI Command: R (read), W (write); ATTR in bits 2:0. */
  public static final int CMD_R = 0x40;
  public static final int CMD_W = 0x20;
  public static final int ATTR_SIMPLE = 0x01;
  /** Login: T (transit) and C (continue). */
  public static final int LOGIN_T = 0x80;
  public static final int LOGIN_C = 0x40;
  /** Data-In: A, O, U, S. */
  public static final int DATA_A = 0x40;
  public static final int DATA_O = 0x04;
  public static final int DATA_U = 0x02;
  public static final int DATA_S = 0x01;
  /** Login stages (CSG/NSG). */
  public static final int STAGE_SECURITY = 0;
  public static final int STAGE_OPERATIONAL = 1;
  public static final int STAGE_FULL_FEATURE = 3;

  // ===== Initiator PDUs =====

  /**
   * SCSI Command (11.3). Byte 1: F, R, W, ATTR; 8-15 LUN; 16-19 ITT; 20-23 EDTL; 24-27 CmdSN;
   * 28-31 ExpStatSN; 32-47 CDB. {@code immediateData} is sent as the data segment.
   */
  public static Pdu scsiCommand(boolean read, boolean write, long lun, int itt, int edtl, int cmdSn,
      int expStatSn, byte[] cdb, ByteBuffer immediateData, boolean finalBit) {
    if (cdb.length > 260) {
      throw new IllegalArgumentException("CDB of " + cdb.length + " bytes (at most 260)");
    }
    int dsl = immediateData == null ? 0 : immediateData.remaining();
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    scsiCommandBhs(bhs, read, write, lun, itt, edtl, cmdSn, expStatSn, cdb, dsl, finalBit);
    byte[] ahs = null;
    if (cdb.length > 16) {
      // Extended CDB AHS (11.3.5): AHSLength (2) = CDB bytes beyond 16 + 1, AHSType 1, reserved, CDB
      int ext = cdb.length - 16;
      ahs = new byte[(4 + ext + 3) & ~3];
      ahs[0] = (byte) ((ext + 1) >>> 8);
      ahs[1] = (byte) (ext + 1);
      ahs[2] = 1;
      System.arraycopy(cdb, 16, ahs, 4, ext);
      bhs[4] = (byte) (ahs.length / 4);
    }
    return new Pdu(bhs, ahs, immediateData);
  }

  /**
   * Lays out a SCSI Command BHS (11.3) in {@code bhs} (48 bytes, every byte written) for a
   * CDB of at most 16 bytes and {@code dsl} bytes of immediate data: the allocation-free form
   * of {@link #scsiCommand}.
   */
  public static void scsiCommandBhs(byte[] bhs, boolean read, boolean write, long lun, int itt,
      int edtl, int cmdSn, int expStatSn, byte[] cdb, int dsl, boolean finalBit) {
    if (cdb.length > 260) {
      throw new IllegalArgumentException("CDB of " + cdb.length + " bytes (at most 260)");
    }
    java.util.Arrays.fill(bhs, 0, Pdu.BHS_LENGTH, (byte) 0);
    bhs[0] = (byte) Opcode.SCSI_COMMAND;
    bhs[1] = (byte) ((finalBit ? F : 0) | (read ? CMD_R : 0) | (write ? CMD_W : 0) | ATTR_SIMPLE);
    lengths(bhs, dsl);
    Pdu.put64(bhs, 8, lun);
    Pdu.put32(bhs, 16, itt);
    Pdu.put32(bhs, 20, edtl);
    Pdu.put32(bhs, 24, cmdSn);
    Pdu.put32(bhs, 28, expStatSn);
    System.arraycopy(cdb, 0, bhs, Pdu.CDB_OFFSET, Math.min(16, cdb.length));
  }

  /**
   * SCSI Data-Out (11.8). Byte 1: F; 8-15 LUN; 16-19 ITT; 20-23 TTT; 28-31 ExpStatSN; 36-39
   * DataSN; 40-43 Buffer Offset.
   */
  public static Pdu dataOut(boolean finalBit, long lun, int itt, int ttt, int expStatSn, int dataSn,
      int bufferOffset, ByteBuffer data) {
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    dataOutBhs(bhs, finalBit, lun, itt, ttt, expStatSn, dataSn, bufferOffset,
        data == null ? 0 : data.remaining());
    return new Pdu(bhs, null, data);
  }

  /** Lays out a Data-Out BHS (11.8) for {@code dsl} data bytes: the allocation-free form of {@link #dataOut}. */
  public static void dataOutBhs(byte[] bhs, boolean finalBit, long lun, int itt, int ttt,
      int expStatSn, int dataSn, int bufferOffset, int dsl) {
    java.util.Arrays.fill(bhs, 0, Pdu.BHS_LENGTH, (byte) 0);
    bhs[0] = (byte) Opcode.DATA_OUT;
    bhs[1] = (byte) (finalBit ? F : 0);
    lengths(bhs, dsl);
    Pdu.put64(bhs, 8, lun);
    Pdu.put32(bhs, 16, itt);
    Pdu.put32(bhs, 20, ttt);
    Pdu.put32(bhs, 28, expStatSn);
    Pdu.put32(bhs, 36, dataSn);
    Pdu.put32(bhs, 40, bufferOffset);
  }

  /** TotalAHSLength 0 (byte 4) and DataSegmentLength (bytes 5-7). */
  private static void lengths(byte[] bhs, int dsl) {
    if (dsl < 0 || dsl > Pdu.MAX_DSL_FIELD) {
      throw new IllegalArgumentException("data segment of " + dsl + " bytes");
    }
    bhs[4] = 0;
    bhs[5] = (byte) (dsl >>> 16);
    bhs[6] = (byte) (dsl >>> 8);
    bhs[7] = (byte) dsl;
  }

  /**
   * NOP-Out (11.18). Byte 0 I bit; byte 1 F; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 CmdSN;
   * 28-31 ExpStatSN; data = ping data.
   */
  public static Pdu nopOut(boolean immediate, long lun, int itt, int ttt, int cmdSn, int expStatSn, byte[] ping) {
    return Pdu.builder(Opcode.NOP_OUT).immediate(immediate).flags(F).lun(lun).itt(itt).int32(20, ttt)
        .int32(24, cmdSn).int32(28, expStatSn).data(ping == null || ping.length == 0 ? null : ping).build();
  }

  /**
   * Login Request (11.12). Byte 0 = 43h (I always set); byte 1 T, C, CSG (bits 3:2), NSG
   * (bits 1:0); 2 Version-max; 3 Version-min; 8-13 ISID; 14-15 TSIH; 16-19 ITT; 20-21 CID;
   * 24-27 CmdSN; 28-31 ExpStatSN; data = key=value text.
   */
  public static Pdu loginRequest(boolean transit, boolean cont, int csg, int nsg, long isid, int tsih,
      int itt, int cid, int cmdSn, int expStatSn, byte[] text) {
    return Pdu.builder(Opcode.LOGIN_REQUEST).immediate(true)
        .flags((transit ? LOGIN_T : 0) | (cont ? LOGIN_C : 0) | (csg & 3) << 2 | (transit ? nsg & 3 : 0))
        .byteAt(2, 0).byteAt(3, 0)
        .int64(8, (isid << 16) | (tsih & 0xFFFF)).itt(itt).int16(20, cid)
        .int32(24, cmdSn).int32(28, expStatSn).data(text).build();
  }

  /**
   * Text Request (11.10). Byte 0 I; byte 1 F, C; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-27 CmdSN;
   * 28-31 ExpStatSN.
   */
  public static Pdu textRequest(boolean immediate, boolean finalBit, int itt, int ttt, int cmdSn,
      int expStatSn, byte[] text) {
    return Pdu.builder(Opcode.TEXT_REQUEST).immediate(immediate).flags(finalBit ? F : 0).itt(itt)
        .int32(20, ttt).int32(24, cmdSn).int32(28, expStatSn).data(text).build();
  }

  /** Logout reason codes (11.14.1). */
  public static final int LOGOUT_CLOSE_SESSION = 0;
  public static final int LOGOUT_CLOSE_CONNECTION = 1;

  /**
   * Logout Request (11.14). Byte 0 I; byte 1 = 80h | reason; 16-19 ITT; 20-21 CID; 24-27
   * CmdSN; 28-31 ExpStatSN.
   */
  public static Pdu logoutRequest(boolean immediate, int reason, int itt, int cid, int cmdSn, int expStatSn) {
    return Pdu.builder(Opcode.LOGOUT_REQUEST).immediate(immediate).flags(F | (reason & 0x7F)).itt(itt)
        .int16(20, cid).int32(24, cmdSn).int32(28, expStatSn).build();
  }

  /** Task management functions (11.5.1). */
  public static final int TMF_ABORT_TASK = 1;
  public static final int TMF_ABORT_TASK_SET = 2;
  public static final int TMF_LOGICAL_UNIT_RESET = 5;
  public static final int TMF_TARGET_WARM_RESET = 6;

  /**
   * Task Management Function Request (11.5). Byte 0 I; byte 1 = 80h | function; 8-15 LUN;
   * 16-19 ITT; 20-23 Referenced Task Tag; 24-27 CmdSN; 28-31 ExpStatSN; 32-35 RefCmdSN; 36-39
   * ExpDataSN.
   */
  public static Pdu taskManagement(boolean immediate, int function, long lun, int itt, int referencedTag,
      int cmdSn, int expStatSn, int refCmdSn, int expDataSn) {
    return Pdu.builder(Opcode.TASK_MGMT_REQUEST).immediate(immediate).flags(F | (function & 0x7F))
        .lun(lun).itt(itt).int32(20, referencedTag).int32(24, cmdSn).int32(28, expStatSn)
        .int32(32, refCmdSn).int32(36, expDataSn).build();
  }

  // ===== Target PDUs =====

  /** Writes StatSN (24-27), ExpCmdSN (28-31) and MaxCmdSN (32-35). */
  private static Pdu.Builder sn(Pdu.Builder b, int statSn, int expCmdSn, int maxCmdSn) {
    return b.int32(24, statSn).int32(28, expCmdSn).int32(32, maxCmdSn);
  }

  /**
   * SCSI Response (11.4). Byte 1: 80h | o u O U; 2 Response; 3 Status; 16-19 ITT; 20-23 SNACK
   * Tag; 24-35 StatSN/ExpCmdSN/MaxCmdSN; 36-39 ExpDataSN; 40-43 Bidirectional Read Residual
   * Count; 44-47 Residual Count. Data: SenseLength (2 bytes) + sense, when sense is given.
   */
  public static Pdu scsiResponse(int itt, int response, int status, int statSn, int expCmdSn, int maxCmdSn,
      int expDataSn, boolean overflow, boolean underflow, int residual, byte[] sense) {
    byte[] seg = null;
    if (sense != null) {
      seg = new byte[2 + sense.length];
      seg[0] = (byte) (sense.length >>> 8);
      seg[1] = (byte) sense.length;
      System.arraycopy(sense, 0, seg, 2, sense.length);
    }
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    scsiResponseBhs(bhs, itt, response, status, statSn, expCmdSn, maxCmdSn, expDataSn, overflow,
        underflow, residual, seg == null ? 0 : seg.length);
    return new Pdu(bhs, null, seg == null ? null : ByteBuffer.wrap(seg));
  }

  /** Lays out a SCSI Response BHS (11.4) for {@code dsl} data bytes: the allocation-free form of {@link #scsiResponse}. */
  public static void scsiResponseBhs(byte[] bhs, int itt, int response, int status, int statSn,
      int expCmdSn, int maxCmdSn, int expDataSn, boolean overflow, boolean underflow, int residual,
      int dsl) {
    java.util.Arrays.fill(bhs, 0, Pdu.BHS_LENGTH, (byte) 0);
    bhs[0] = (byte) Opcode.SCSI_RESPONSE;
    bhs[1] = (byte) (F | (overflow ? DATA_O : 0) | (underflow ? DATA_U : 0));
    bhs[2] = (byte) response;
    bhs[3] = (byte) status;
    lengths(bhs, dsl);
    Pdu.put32(bhs, 16, itt);
    sn(bhs, statSn, expCmdSn, maxCmdSn);
    Pdu.put32(bhs, 36, expDataSn);
    Pdu.put32(bhs, 44, residual);
  }

  /** StatSN (24-27), ExpCmdSN (28-31) and MaxCmdSN (32-35). */
  private static void sn(byte[] bhs, int statSn, int expCmdSn, int maxCmdSn) {
    Pdu.put32(bhs, 24, statSn);
    Pdu.put32(bhs, 28, expCmdSn);
    Pdu.put32(bhs, 32, maxCmdSn);
  }

  /**
   * SCSI Data-In (11.7). Byte 1: F A 0 0 0 O U S; 3 Status (with S); 8-15 LUN; 16-19 ITT;
   * 20-23 TTT; 24-35 StatSN/ExpCmdSN/MaxCmdSN; 36-39 DataSN; 40-43 Buffer Offset; 44-47
   * Residual Count.
   */
  public static Pdu dataIn(int flags, int status, long lun, int itt, int ttt, int statSn, int expCmdSn,
      int maxCmdSn, int dataSn, int bufferOffset, int residual, ByteBuffer data) {
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    dataInBhs(bhs, flags, status, lun, itt, ttt, statSn, expCmdSn, maxCmdSn, dataSn, bufferOffset,
        residual, data == null ? 0 : data.remaining());
    return new Pdu(bhs, null, data);
  }

  /** Lays out a Data-In BHS (11.7) for {@code dsl} data bytes: the allocation-free form of {@link #dataIn}. */
  public static void dataInBhs(byte[] bhs, int flags, int status, long lun, int itt, int ttt,
      int statSn, int expCmdSn, int maxCmdSn, int dataSn, int bufferOffset, int residual, int dsl) {
    java.util.Arrays.fill(bhs, 0, Pdu.BHS_LENGTH, (byte) 0);
    bhs[0] = (byte) Opcode.DATA_IN;
    bhs[1] = (byte) flags;
    bhs[3] = (byte) ((flags & DATA_S) != 0 ? status : 0);
    lengths(bhs, dsl);
    Pdu.put64(bhs, 8, lun);
    Pdu.put32(bhs, 16, itt);
    Pdu.put32(bhs, 20, ttt);
    sn(bhs, statSn, expCmdSn, maxCmdSn);
    Pdu.put32(bhs, 36, dataSn);
    Pdu.put32(bhs, 40, bufferOffset);
    Pdu.put32(bhs, 44, residual);
  }

  /**
   * Ready To Transfer (11.8). Byte 1 80h; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-35
   * StatSN/ExpCmdSN/MaxCmdSN; 36-39 R2TSN; 40-43 Buffer Offset; 44-47 Desired Data Transfer
   * Length.
   */
  public static Pdu r2t(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int r2tSn,
      int bufferOffset, int desired) {
    return sn(Pdu.builder(Opcode.R2T).flags(F).lun(lun).itt(itt).int32(20, ttt), statSn, expCmdSn, maxCmdSn)
        .int32(36, r2tSn).int32(40, bufferOffset).int32(44, desired).build();
  }

  /** NOP-In (11.19). Byte 1 80h; 8-15 LUN; 16-19 ITT; 20-23 TTT; 24-35 StatSN/ExpCmdSN/MaxCmdSN. */
  public static Pdu nopIn(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, byte[] ping) {
    return sn(Pdu.builder(Opcode.NOP_IN).flags(F).lun(lun).itt(itt).int32(20, ttt), statSn, expCmdSn, maxCmdSn)
        .data(ping == null || ping.length == 0 ? null : ping).build();
  }

  /**
   * Login Response (11.13). Byte 1 T C CSG NSG; 2 Version-max; 3 Version-active; 8-13 ISID;
   * 14-15 TSIH; 16-19 ITT; 24-35 StatSN/ExpCmdSN/MaxCmdSN; 36 Status-Class; 37 Status-Detail.
   */
  public static Pdu loginResponse(boolean transit, boolean cont, int csg, int nsg, long isid, int tsih, int itt,
      int statSn, int expCmdSn, int maxCmdSn, int statusClass, int statusDetail, byte[] text) {
    return sn(Pdu.builder(Opcode.LOGIN_RESPONSE)
        .flags((transit ? LOGIN_T : 0) | (cont ? LOGIN_C : 0) | (csg & 3) << 2 | (transit ? nsg & 3 : 0))
        .int64(8, (isid << 16) | (tsih & 0xFFFF)).itt(itt), statSn, expCmdSn, maxCmdSn)
        .byteAt(36, statusClass).byteAt(37, statusDetail).data(text).build();
  }

  /** Text Response (11.11). Byte 1 F C; 16-19 ITT; 20-23 TTT; 24-35 StatSN/ExpCmdSN/MaxCmdSN. */
  public static Pdu textResponse(boolean finalBit, boolean cont, int itt, int ttt, int statSn, int expCmdSn,
      int maxCmdSn, byte[] text) {
    return sn(Pdu.builder(Opcode.TEXT_RESPONSE).flags((finalBit ? F : 0) | (cont ? LOGIN_C : 0)).itt(itt)
        .int32(20, ttt), statSn, expCmdSn, maxCmdSn).data(text).build();
  }

  /**
   * Logout Response (11.15). Byte 1 80h; 2 Response; 16-19 ITT; 24-35 StatSN/ExpCmdSN/MaxCmdSN;
   * 40-41 Time2Wait; 42-43 Time2Retain.
   */
  public static Pdu logoutResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn,
      int time2Wait, int time2Retain) {
    return sn(Pdu.builder(Opcode.LOGOUT_RESPONSE).flags(F).byteAt(2, response).itt(itt), statSn, expCmdSn,
        maxCmdSn).int16(40, time2Wait).int16(42, time2Retain).build();
  }

  /** Task Management Function Response (11.6). Byte 1 80h; 2 Response; 16-19 ITT; 24-35 SNs. */
  public static Pdu taskManagementResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn) {
    return sn(Pdu.builder(Opcode.TASK_MGMT_RESPONSE).flags(F).byteAt(2, response).itt(itt), statSn, expCmdSn,
        maxCmdSn).build();
  }

  /**
   * Reject (11.17). Byte 1 80h; 2 Reason; 16-19 ffffffffh; 24-35 SNs; 36-39 DataSN/R2TSN;
   * data = the rejected PDU's BHS.
   */
  public static Pdu reject(int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, byte[] rejectedBhs) {
    return sn(Pdu.builder(Opcode.REJECT).flags(F).byteAt(2, reason).itt(Pdu.RESERVED_TAG), statSn, expCmdSn,
        maxCmdSn).int32(36, dataSn).data(rejectedBhs).build();
  }

  /**
   * Asynchronous Message (11.9). Byte 1 80h; 8-15 LUN; 16-19 ffffffffh; 24-35 SNs; 36
   * AsyncEvent; 37 AsyncVCode; 38-39 Parameter1; 40-41 Parameter2; 42-43 Parameter3; data =
   * SenseLength + sense + iSCSI event data.
   */
  public static Pdu asyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int event, int vcode,
      int p1, int p2, int p3, byte[] data) {
    return sn(Pdu.builder(Opcode.ASYNC_MESSAGE).flags(F).lun(lun).itt(Pdu.RESERVED_TAG), statSn, expCmdSn,
        maxCmdSn).byteAt(36, event).byteAt(37, vcode).int16(38, p1).int16(40, p2).int16(42, p3)
        .data(data).build();
  }

  /**
   * The sense data of a SCSI Response or Asynchronous Message data segment (11.4.7.2):
   * SenseLength (2 bytes, big-endian) then that many bytes; null when the segment is empty or
   * SenseLength is 0.
   */
  public static byte[] sense(Pdu p) throws IscsiProtocolException {
    if (p.dataSegmentLength() == 0) {
      return null; // the common case: no view of an empty segment is made
    }
    ByteBuffer d = p.data();
    if (d.remaining() == 0) {
      return null;
    }
    if (d.remaining() < 2) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + ": data segment of " + d.remaining()
          + " bytes cannot hold SenseLength");
    }
    int len = d.getShort() & 0xFFFF;
    if (len > d.remaining()) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + ": SenseLength " + len + " exceeds the "
          + d.remaining() + " bytes that follow");
    }
    if (len == 0) {
      return null;
    }
    byte[] s = new byte[len];
    d.get(s);
    return s;
  }
}
