package dev.mpath.scsi.proto;

/**
 * SYNCHRONIZE CACHE (10) and (16) CDBs (SBC-3).
 *
 * <pre>
 * (10): byte 0 35h | byte 1 bit 1 IMMED | byte 2-5 LOGICAL BLOCK ADDRESS
 *       byte 6 GROUP NUMBER 4:0 | byte 7-8 NUMBER OF LOGICAL BLOCKS | byte 9 CONTROL
 * (16): byte 0 91h | byte 1 bit 1 IMMED | byte 2-9 LOGICAL BLOCK ADDRESS
 *       byte 10-13 NUMBER OF LOGICAL BLOCKS | byte 14 GROUP NUMBER 4:0 | byte 15 CONTROL
 * </pre>
 *
 * <p>NUMBER OF LOGICAL BLOCKS zero means "from LBA to the end of the medium".
 *
 * @param opcode          {@link OperationCode#SYNCHRONIZE_CACHE_10} or {@link OperationCode#SYNCHRONIZE_CACHE_16}
 * @param immed           IMMED: return status before the cache is flushed
 * @param lba             LOGICAL BLOCK ADDRESS
 * @param numberOfBlocks  NUMBER OF LOGICAL BLOCKS
 * @param groupNumber     GROUP NUMBER, 0..31
 * @param control         CONTROL byte
 */
public record SynchronizeCacheCdb(int opcode, boolean immed, long lba, long numberOfBlocks,
    int groupNumber, int control) implements Cdb {

  static final int IMMED_BIT = 0x02;

  public SynchronizeCacheCdb {
    if (opcode != OperationCode.SYNCHRONIZE_CACHE_10
        && opcode != OperationCode.SYNCHRONIZE_CACHE_16) {
      throw new IllegalArgumentException("not a SYNCHRONIZE CACHE opcode: " + Bytes.hex2(opcode));
    }
    Bytes.checkRange("GROUP NUMBER", groupNumber, 0, 0x1F);
    Bytes.checkControl(control);
    if (opcode == OperationCode.SYNCHRONIZE_CACHE_10) {
      Bytes.checkU32("LOGICAL BLOCK ADDRESS", lba);
      Bytes.checkRange("NUMBER OF LOGICAL BLOCKS", numberOfBlocks, 0, 0xFFFF);
    } else {
      Bytes.checkU32("NUMBER OF LOGICAL BLOCKS", numberOfBlocks);
    }
  }

  /** SYNCHRONIZE CACHE (10) of the whole medium. */
  public static SynchronizeCacheCdb all10() {
    return new SynchronizeCacheCdb(OperationCode.SYNCHRONIZE_CACHE_10, false, 0, 0, 0, 0);
  }

  /** SYNCHRONIZE CACHE (16) of the whole medium. */
  public static SynchronizeCacheCdb all16() {
    return new SynchronizeCacheCdb(OperationCode.SYNCHRONIZE_CACHE_16, false, 0, 0, 0, 0);
  }

  @Override
  public int length() {
    return opcode == OperationCode.SYNCHRONIZE_CACHE_10 ? 10 : 16;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[length()];
    c[0] = (byte) opcode;
    c[1] = (byte) (immed ? IMMED_BIT : 0);
    if (c.length == 10) {
      Bytes.put32(c, 2, lba);
      c[6] = (byte) groupNumber;
      Bytes.put16(c, 7, (int) numberOfBlocks);
      c[9] = (byte) control;
    } else {
      Bytes.put64(c, 2, lba);
      Bytes.put32(c, 10, numberOfBlocks);
      c[14] = (byte) groupNumber;
      c[15] = (byte) control;
    }
    return c;
  }

  /** Decodes SYNCHRONIZE CACHE (10) or (16). */
  public static SynchronizeCacheCdb decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("SYNCHRONIZE CACHE CDB", 1, len);
    int op = Bytes.u8(b, off);
    boolean ten = op == OperationCode.SYNCHRONIZE_CACHE_10;
    Bytes.checkCdb(b, off, len, ten ? 10 : 16, OperationCode.name(op),
        OperationCode.SYNCHRONIZE_CACHE_10, OperationCode.SYNCHRONIZE_CACHE_16);
    boolean immed = (b[off + 1] & IMMED_BIT) != 0;
    if (ten) {
      return new SynchronizeCacheCdb(op, immed, Bytes.u32(b, off + 2), Bytes.u16(b, off + 7),
          b[off + 6] & 0x1F, Bytes.u8(b, off + 9));
    }
    return new SynchronizeCacheCdb(op, immed, Bytes.u64(b, off + 2), Bytes.u32(b, off + 10),
        b[off + 14] & 0x1F, Bytes.u8(b, off + 15));
  }
}
