package dev.mpath.scsi.proto;

/**
 * COMPARE AND WRITE (SBC-3 5.2).
 *
 * <pre>
 * byte 0 89h | byte 1 WRPROTECT 7:5, DPO 4, FUA 3, reserved 2, obsolete 1, reserved 0
 * bytes 2-9 LOGICAL BLOCK ADDRESS | bytes 10-12 reserved | byte 13 NUMBER OF LOGICAL BLOCKS
 * byte 14 GROUP NUMBER 4:0 | byte 15 CONTROL
 * </pre>
 *
 * <p>The Data-Out holds 2 x NUMBER OF LOGICAL BLOCKS blocks: the verify data, then the write
 * data.
 *
 * @param wrprotect      WRPROTECT, 0..7
 * @param dpo            DPO
 * @param fua            FUA
 * @param lba            LOGICAL BLOCK ADDRESS
 * @param numberOfBlocks NUMBER OF LOGICAL BLOCKS, 0..255
 * @param groupNumber    GROUP NUMBER, 0..31
 * @param control        CONTROL byte
 */
public record CompareAndWriteCdb(int wrprotect, boolean dpo, boolean fua, long lba,
    int numberOfBlocks, int groupNumber, int control) implements Cdb {

  static final int LENGTH = 16;
  static final int NUMBER_OF_LOGICAL_BLOCKS = 13;
  static final int GROUP = 14;
  static final int DPO_BIT = 0x10;
  static final int FUA_BIT = 0x08;

  public CompareAndWriteCdb {
    Bytes.checkRange("WRPROTECT", wrprotect, 0, 7);
    Bytes.checkRange("NUMBER OF LOGICAL BLOCKS", numberOfBlocks, 0, 0xFF);
    Bytes.checkRange("GROUP NUMBER", groupNumber, 0, 0x1F);
    Bytes.checkControl(control);
  }

  /** COMPARE AND WRITE of {@code blocks} at {@code lba}, no flags. */
  public static CompareAndWriteCdb of(long lba, int blocks) {
    return new CompareAndWriteCdb(0, false, false, lba, blocks, 0, 0);
  }

  @Override
  public int opcode() {
    return OperationCode.COMPARE_AND_WRITE;
  }

  @Override
  public int length() {
    return LENGTH;
  }

  /** Byte of the CDB holding NUMBER OF LOGICAL BLOCKS (for sense field pointers). */
  public int lengthOffset() {
    return NUMBER_OF_LOGICAL_BLOCKS;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.COMPARE_AND_WRITE;
    c[1] = (byte) (wrprotect << 5 | (dpo ? DPO_BIT : 0) | (fua ? FUA_BIT : 0));
    Bytes.put64(c, 2, lba);
    c[NUMBER_OF_LOGICAL_BLOCKS] = (byte) numberOfBlocks;
    c[GROUP] = (byte) groupNumber;
    c[LENGTH - 1] = (byte) control;
    return c;
  }

  public static CompareAndWriteCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "COMPARE AND WRITE", OperationCode.COMPARE_AND_WRITE);
    int flags = Bytes.u8(b, off + 1);
    return new CompareAndWriteCdb(flags >>> 5, (flags & DPO_BIT) != 0, (flags & FUA_BIT) != 0,
        Bytes.u64(b, off + 2), Bytes.u8(b, off + NUMBER_OF_LOGICAL_BLOCKS),
        b[off + GROUP] & 0x1F, Bytes.u8(b, off + LENGTH - 1));
  }
}
