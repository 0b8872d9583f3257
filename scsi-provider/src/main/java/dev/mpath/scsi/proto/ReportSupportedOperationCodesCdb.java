package dev.mpath.scsi.proto;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35): MAINTENANCE IN A3h with service action 0Ch.
 *
 * <pre>
 * byte 0 A3h | byte 1 bits 4:0 SERVICE ACTION 0Ch
 * byte 2: RCTD 7 | REPORTING OPTIONS 2:0
 * byte 3 REQUESTED OPERATION CODE | bytes 4-5 REQUESTED SERVICE ACTION
 * bytes 6-9 ALLOCATION LENGTH | byte 10 reserved | byte 11 CONTROL
 * </pre>
 *
 * @param rctd                   RCTD: return command timeouts descriptors
 * @param reportingOptions       REPORTING OPTIONS, 0..7 (000b all, 001b one without service
 *                               action, 010b one with service action, 011b either)
 * @param requestedOperationCode REQUESTED OPERATION CODE
 * @param requestedServiceAction REQUESTED SERVICE ACTION
 * @param allocationLength       ALLOCATION LENGTH
 * @param control                CONTROL byte
 */
public record ReportSupportedOperationCodesCdb(boolean rctd, int reportingOptions,
    int requestedOperationCode, int requestedServiceAction, long allocationLength, int control)
    implements Cdb {
  static final int LENGTH = 12;
  static final int SERVICE_ACTION = 1;
  static final int OPTIONS = 2;
  static final int RCTD_BIT = 0x80;
  static final int REQUESTED_OPERATION_CODE = 3;
  static final int REQUESTED_SERVICE_ACTION = 4;
  static final int ALLOCATION_LENGTH = 6;

  /** REPORTING OPTIONS 000b: every command (all_commands parameter data). */
  public static final int ALL = 0;
  /** REPORTING OPTIONS 001b: one command that has no service action. */
  public static final int ONE_OPCODE = 1;
  /** REPORTING OPTIONS 010b: one command with a service action. */
  public static final int ONE_SERVICE_ACTION = 2;
  /** REPORTING OPTIONS 011b (SPC-4 r37 and later): one command, with or without one. */
  public static final int ONE_EITHER = 3;

  public ReportSupportedOperationCodesCdb {
    Bytes.checkRange("REPORTING OPTIONS", reportingOptions, 0, 7);
    Bytes.checkRange("REQUESTED OPERATION CODE", requestedOperationCode, 0, 0xFF);
    Bytes.checkRange("REQUESTED SERVICE ACTION", requestedServiceAction, 0, 0xFFFF);
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    Bytes.checkControl(control);
  }

  @Override
  public int opcode() {
    return OperationCode.MAINTENANCE_IN;
  }

  @Override
  public int serviceAction() {
    return OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.MAINTENANCE_IN;
    c[SERVICE_ACTION] = (byte) OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES;
    c[OPTIONS] = (byte) ((rctd ? RCTD_BIT : 0) | reportingOptions);
    c[REQUESTED_OPERATION_CODE] = (byte) requestedOperationCode;
    Bytes.put16(c, REQUESTED_SERVICE_ACTION, requestedServiceAction);
    Bytes.put32(c, ALLOCATION_LENGTH, allocationLength);
    c[LENGTH - 1] = (byte) control;
    return c;
  }

  /** Decodes the CDB; another MAINTENANCE IN service action is a protocol error. */
  public static ReportSupportedOperationCodesCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "REPORT SUPPORTED OPERATION CODES",
        OperationCode.MAINTENANCE_IN);
    int sa = b[off + SERVICE_ACTION] & 0x1F;
    if (sa != OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES) {
      throw new ScsiProtocolException(
          "not a REPORT SUPPORTED OPERATION CODES CDB: SERVICE ACTION " + Bytes.hex2(sa));
    }
    int options = Bytes.u8(b, off + OPTIONS);
    return new ReportSupportedOperationCodesCdb((options & RCTD_BIT) != 0, options & 0x07,
        Bytes.u8(b, off + REQUESTED_OPERATION_CODE), Bytes.u16(b, off + REQUESTED_SERVICE_ACTION),
        Bytes.u32(b, off + ALLOCATION_LENGTH), Bytes.u8(b, off + LENGTH - 1));
  }
}
