package dev.mpath.scsi.proto;

/**
 * READ CAPACITY (16) CDB (SBC-3, SERVICE ACTION IN (16) 9Eh with service action 10h), 16 bytes.
 *
 * <pre>
 * byte 0      OPERATION CODE (9Eh)
 * byte 1      bits 4:0 SERVICE ACTION (10h)
 * byte 2-9    LOGICAL BLOCK ADDRESS (obsolete with PMI in SBC-4; zero normally)
 * byte 10-13  ALLOCATION LENGTH
 * byte 14     bit 0 PMI
 * byte 15     CONTROL
 * </pre>
 *
 * @param lba               LOGICAL BLOCK ADDRESS (unsigned 64 bits)
 * @param allocationLength  ALLOCATION LENGTH, unsigned 32 bits (32 for the full parameter data)
 * @param pmi               PMI bit
 * @param control           CONTROL byte
 */
public record ReadCapacity16Cdb(long lba, long allocationLength, boolean pmi, int control)
    implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 16;
  static final int SERVICE_ACTION = 1;
  static final int LOGICAL_BLOCK_ADDRESS = 2;
  static final int ALLOCATION_LENGTH = 10;
  static final int PMI_BYTE = 14;
  static final int CONTROL = 15;

  public ReadCapacity16Cdb {
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    Bytes.checkControl(control);
  }

  /** The usual form: LBA 0, PMI 0, the given allocation length. */
  public static ReadCapacity16Cdb of(long allocationLength) {
    return new ReadCapacity16Cdb(0, allocationLength, false, 0);
  }

  @Override
  public int opcode() {
    return OperationCode.SERVICE_ACTION_IN_16;
  }

  @Override
  public int serviceAction() {
    return OperationCode.SA_READ_CAPACITY_16;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.SERVICE_ACTION_IN_16;
    c[SERVICE_ACTION] = (byte) OperationCode.SA_READ_CAPACITY_16;
    Bytes.put64(c, LOGICAL_BLOCK_ADDRESS, lba);
    Bytes.put32(c, ALLOCATION_LENGTH, allocationLength);
    c[PMI_BYTE] = (byte) (pmi ? 1 : 0);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes a READ CAPACITY (16) CDB; a different service action is a protocol error. */
  public static ReadCapacity16Cdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "READ CAPACITY (16)", OperationCode.SERVICE_ACTION_IN_16);
    int sa = b[off + SERVICE_ACTION] & 0x1F;
    if (sa != OperationCode.SA_READ_CAPACITY_16) {
      throw new ScsiProtocolException(
          "not a READ CAPACITY (16) CDB: SERVICE ACTION " + Bytes.hex2(sa));
    }
    return new ReadCapacity16Cdb(Bytes.u64(b, off + LOGICAL_BLOCK_ADDRESS),
        Bytes.u32(b, off + ALLOCATION_LENGTH), (b[off + PMI_BYTE] & 1) != 0,
        Bytes.u8(b, off + CONTROL));
  }
}
