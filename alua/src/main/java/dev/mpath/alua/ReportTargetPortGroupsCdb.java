package dev.mpath.alua;

/**
 * The REPORT TARGET PORT GROUPS CDB (SPC-4 6.37): MAINTENANCE IN with service action 0Ah.
 *
 * <pre>
 * byte 0     OPERATION CODE (A3h)
 * byte 1     bits 7:5 PARAMETER DATA FORMAT, bits 4:0 SERVICE ACTION (0Ah)
 * bytes 2-5  reserved
 * bytes 6-9  ALLOCATION LENGTH
 * byte 10    reserved
 * byte 11    CONTROL
 * </pre>
 *
 * @param format the requested parameter data format
 * @param allocationLength bytes the application client can accept, 0..2^32-1
 * @param control the CONTROL byte, 0..255
 */
public record ReportTargetPortGroupsCdb(RtpgFormat format, long allocationLength, int control) {
  /** MAINTENANCE IN operation code (SPC-4 6.37). */
  public static final int OPERATION_CODE = 0xA3;
  /** REPORT TARGET PORT GROUPS service action (SPC-4 6.37). */
  public static final int SERVICE_ACTION = 0x0A;
  /** CDB length. */
  public static final int LENGTH = 12;

  private static final int SERVICE_ACTION_MASK = 0x1F;
  private static final int FORMAT_SHIFT = 5;
  private static final int ALLOCATION_LENGTH_OFFSET = 6;
  private static final int CONTROL_OFFSET = 11;

  /** Validates the fields. */
  public ReportTargetPortGroupsCdb {
    if (format == null) {
      throw new NullPointerException("format");
    }
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    if (control < 0 || control > 0xFF) {
      throw new IllegalArgumentException("CONTROL is one byte: " + control);
    }
  }

  /** A CDB with CONTROL 0. */
  public static ReportTargetPortGroupsCdb of(RtpgFormat format, long allocationLength) {
    return new ReportTargetPortGroupsCdb(format, allocationLength, 0);
  }

  /** The 12 CDB bytes. */
  public byte[] encode() {
    byte[] cdb = new byte[LENGTH];
    cdb[0] = (byte) OPERATION_CODE;
    cdb[1] = (byte) ((format.code() << FORMAT_SHIFT) | SERVICE_ACTION);
    Bytes.putU32(cdb, ALLOCATION_LENGTH_OFFSET, allocationLength);
    cdb[CONTROL_OFFSET] = (byte) control;
    return cdb;
  }

  /**
   * Decodes a CDB; reserved bytes are ignored.
   *
   * @throws AluaProtocolException when the CDB is shorter than 12 bytes, is not MAINTENANCE
   *     IN / REPORT TARGET PORT GROUPS, or asks for a reserved parameter data format
   */
  public static ReportTargetPortGroupsCdb decode(byte[] cdb) {
    if (cdb.length < LENGTH) {
      throw new AluaProtocolException(
          "REPORT TARGET PORT GROUPS CDB needs " + LENGTH + " bytes, got " + cdb.length);
    }
    if (Bytes.u8(cdb, 0) != OPERATION_CODE) {
      throw new AluaProtocolException(
          String.format("operation code 0x%02X is not MAINTENANCE IN", Bytes.u8(cdb, 0)), 0);
    }
    if ((cdb[1] & SERVICE_ACTION_MASK) != SERVICE_ACTION) {
      throw new AluaProtocolException(
          String.format("service action 0x%02X is not REPORT TARGET PORT GROUPS",
              cdb[1] & SERVICE_ACTION_MASK), 1);
    }
    RtpgFormat format = RtpgFormat.fromCode((cdb[1] & 0xFF) >>> FORMAT_SHIFT, 1);
    return new ReportTargetPortGroupsCdb(
        format, Bytes.u32(cdb, ALLOCATION_LENGTH_OFFSET), Bytes.u8(cdb, CONTROL_OFFSET));
  }
}
