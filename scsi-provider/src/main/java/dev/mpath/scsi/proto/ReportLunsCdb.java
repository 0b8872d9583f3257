package dev.mpath.scsi.proto;

/**
 * REPORT LUNS CDB (SPC-4), 12 bytes.
 *
 * <pre>
 * byte 0    OPERATION CODE (A0h)
 * byte 2    SELECT REPORT
 * byte 6-9  ALLOCATION LENGTH (SPC-4: at least 16, else INVALID FIELD IN CDB)
 * byte 11   CONTROL
 * </pre>
 *
 * @param selectReport      SELECT REPORT (00h all LUNs except well known, 01h well known only, 02h all)
 * @param allocationLength  ALLOCATION LENGTH, unsigned 32 bits
 * @param control           CONTROL byte
 */
public record ReportLunsCdb(int selectReport, long allocationLength, int control) implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 12;
  static final int SELECT_REPORT = 2;
  static final int ALLOCATION_LENGTH = 6;
  static final int CONTROL = 11;

  public ReportLunsCdb {
    Bytes.checkRange("SELECT REPORT", selectReport, 0, 0xFF);
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    Bytes.checkControl(control);
  }

  /** SELECT REPORT 00h with the given allocation length. */
  public static ReportLunsCdb of(long allocationLength) {
    return new ReportLunsCdb(0, allocationLength, 0);
  }

  @Override
  public int opcode() {
    return OperationCode.REPORT_LUNS;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.REPORT_LUNS;
    c[SELECT_REPORT] = (byte) selectReport;
    Bytes.put32(c, ALLOCATION_LENGTH, allocationLength);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes a REPORT LUNS CDB. */
  public static ReportLunsCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "REPORT LUNS", OperationCode.REPORT_LUNS);
    return new ReportLunsCdb(Bytes.u8(b, off + SELECT_REPORT),
        Bytes.u32(b, off + ALLOCATION_LENGTH), Bytes.u8(b, off + CONTROL));
  }
}
