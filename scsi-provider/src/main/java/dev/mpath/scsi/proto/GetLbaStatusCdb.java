package dev.mpath.scsi.proto;

/**
 * GET LBA STATUS (SBC-3 5.16): SERVICE ACTION IN (16) 9Eh with service action 12h.
 *
 * <pre>
 * byte 0 9Eh | byte 1 bits 4:0 SERVICE ACTION 12h | bytes 2-9 STARTING LOGICAL BLOCK ADDRESS
 * bytes 10-13 ALLOCATION LENGTH | byte 14 reserved | byte 15 CONTROL
 * </pre>
 *
 * @param startingLba      STARTING LOGICAL BLOCK ADDRESS
 * @param allocationLength ALLOCATION LENGTH
 * @param control          CONTROL byte
 */
public record GetLbaStatusCdb(long startingLba, long allocationLength, int control)
    implements Cdb {
  static final int LENGTH = 16;
  static final int SERVICE_ACTION = 1;
  static final int STARTING_LBA = 2;
  static final int ALLOCATION_LENGTH = 10;

  public GetLbaStatusCdb {
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    Bytes.checkControl(control);
  }

  @Override
  public int opcode() {
    return OperationCode.SERVICE_ACTION_IN_16;
  }

  @Override
  public int serviceAction() {
    return OperationCode.SA_GET_LBA_STATUS;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.SERVICE_ACTION_IN_16;
    c[SERVICE_ACTION] = (byte) OperationCode.SA_GET_LBA_STATUS;
    Bytes.put64(c, STARTING_LBA, startingLba);
    Bytes.put32(c, ALLOCATION_LENGTH, allocationLength);
    c[LENGTH - 1] = (byte) control;
    return c;
  }

  /** Decodes a GET LBA STATUS CDB; a different service action is a protocol error. */
  public static GetLbaStatusCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "GET LBA STATUS", OperationCode.SERVICE_ACTION_IN_16);
    int sa = b[off + SERVICE_ACTION] & 0x1F;
    if (sa != OperationCode.SA_GET_LBA_STATUS) {
      throw new ScsiProtocolException("not a GET LBA STATUS CDB: SERVICE ACTION " + Bytes.hex2(sa));
    }
    return new GetLbaStatusCdb(Bytes.u64(b, off + STARTING_LBA),
        Bytes.u32(b, off + ALLOCATION_LENGTH), Bytes.u8(b, off + LENGTH - 1));
  }
}
