package dev.mpath.scsi.proto;

/**
 * INQUIRY CDB (SPC-4 6.6.1), 6 bytes.
 *
 * <pre>
 * byte 0    OPERATION CODE (12h)
 * byte 1    bit 0 EVPD (bit 1 CMDDT obsolete)
 * byte 2    PAGE CODE
 * byte 3-4  ALLOCATION LENGTH
 * byte 5    CONTROL
 * </pre>
 *
 * <p>A PAGE CODE other than zero with EVPD zero is legal to encode and decode; the device
 * server answers it with INVALID FIELD IN CDB.
 *
 * @param evpd              EVPD: return the VPD page {@code pageCode} instead of standard data
 * @param pageCode          PAGE CODE, 0..255
 * @param allocationLength  ALLOCATION LENGTH, 0..65535
 * @param control           CONTROL byte
 */
public record InquiryCdb(boolean evpd, int pageCode, int allocationLength, int control)
    implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 6;
  // SPC-4 6.6.1 field offsets
  static final int EVPD_BYTE = 1;
  static final int PAGE_CODE = 2;
  static final int ALLOCATION_LENGTH = 3;
  static final int CONTROL = 5;

  public InquiryCdb {
    Bytes.checkRange("PAGE CODE", pageCode, 0, 0xFF);
    Bytes.checkRange("ALLOCATION LENGTH", allocationLength, 0, 0xFFFF);
    Bytes.checkControl(control);
  }

  /** Standard INQUIRY with the given allocation length (36 is the classic first probe). */
  public static InquiryCdb standard(int allocationLength) {
    return new InquiryCdb(false, 0, allocationLength, 0);
  }

  /** INQUIRY for VPD page {@code pageCode}. */
  public static InquiryCdb vpd(int pageCode, int allocationLength) {
    return new InquiryCdb(true, pageCode, allocationLength, 0);
  }

  @Override
  public int opcode() {
    return OperationCode.INQUIRY;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.INQUIRY;
    c[EVPD_BYTE] = (byte) (evpd ? 0x01 : 0);
    c[PAGE_CODE] = (byte) pageCode;
    Bytes.put16(c, ALLOCATION_LENGTH, allocationLength);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes an INQUIRY CDB from {@code b[off, off+len)}. */
  public static InquiryCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "INQUIRY", OperationCode.INQUIRY);
    return new InquiryCdb((b[off + EVPD_BYTE] & 0x01) != 0, Bytes.u8(b, off + PAGE_CODE),
        Bytes.u16(b, off + ALLOCATION_LENGTH), Bytes.u8(b, off + CONTROL));
  }
}
