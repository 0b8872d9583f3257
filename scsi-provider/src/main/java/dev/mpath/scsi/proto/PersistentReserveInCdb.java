package dev.mpath.scsi.proto;

/**
 * PERSISTENT RESERVE IN CDB (SPC-4), 10 bytes.
 *
 * <pre>
 * byte 0    OPERATION CODE (5Eh)
 * byte 1    bits 4:0 SERVICE ACTION ({@link PrInServiceAction})
 * byte 7-8  ALLOCATION LENGTH
 * byte 9    CONTROL
 * </pre>
 *
 * @param serviceAction     SERVICE ACTION code, 0..31 (kept as a number so a reserved one still decodes)
 * @param allocationLength  ALLOCATION LENGTH, 0..65535
 * @param control           CONTROL byte
 */
public record PersistentReserveInCdb(int serviceAction, int allocationLength, int control)
    implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 10;
  static final int SERVICE_ACTION = 1;
  static final int ALLOCATION_LENGTH = 7;
  static final int CONTROL = 9;

  public PersistentReserveInCdb {
    Bytes.checkRange("SERVICE ACTION", serviceAction, 0, 0x1F);
    Bytes.checkRange("ALLOCATION LENGTH", allocationLength, 0, 0xFFFF);
    Bytes.checkControl(control);
  }

  public static PersistentReserveInCdb of(PrInServiceAction action, int allocationLength) {
    return new PersistentReserveInCdb(action.code(), allocationLength, 0);
  }

  /** The service action as an enum; a reserved code is a {@link ScsiProtocolException}. */
  public PrInServiceAction action() {
    return PrInServiceAction.fromCode(serviceAction);
  }

  @Override
  public int opcode() {
    return OperationCode.PERSISTENT_RESERVE_IN;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.PERSISTENT_RESERVE_IN;
    c[SERVICE_ACTION] = (byte) serviceAction;
    Bytes.put16(c, ALLOCATION_LENGTH, allocationLength);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes a PERSISTENT RESERVE IN CDB. */
  public static PersistentReserveInCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "PERSISTENT RESERVE IN",
        OperationCode.PERSISTENT_RESERVE_IN);
    return new PersistentReserveInCdb(b[off + SERVICE_ACTION] & 0x1F,
        Bytes.u16(b, off + ALLOCATION_LENGTH), Bytes.u8(b, off + CONTROL));
  }
}
