package dev.mpath.scsi.proto;

/**
 * READ (10), READ (16), WRITE (10) and WRITE (16) CDBs (SBC-3).
 *
 * <pre>
 * (10): byte 0 OPCODE 28h/2Ah | byte 1 RDPROTECT/WRPROTECT 7:5, DPO 4, FUA 3
 *       byte 2-5 LOGICAL BLOCK ADDRESS | byte 6 GROUP NUMBER 4:0
 *       byte 7-8 TRANSFER LENGTH | byte 9 CONTROL
 * (16): byte 0 OPCODE 88h/8Ah | byte 1 as above
 *       byte 2-9 LOGICAL BLOCK ADDRESS | byte 10-13 TRANSFER LENGTH
 *       byte 14 GROUP NUMBER 4:0 | byte 15 CONTROL
 * </pre>
 *
 * <p>A TRANSFER LENGTH of zero means no blocks are transferred (unlike READ (6)).
 *
 * @param opcode          one of {@link OperationCode#READ_10}, {@link OperationCode#WRITE_10},
 *                        {@link OperationCode#READ_16}, {@link OperationCode#WRITE_16}
 * @param protect         RDPROTECT / WRPROTECT, 0..7
 * @param dpo             DPO (disable page out)
 * @param fua             FUA (force unit access)
 * @param lba             LOGICAL BLOCK ADDRESS (32 bits for the 10-byte forms, unsigned 64 otherwise)
 * @param transferLength  TRANSFER LENGTH in logical blocks (16 bits resp. unsigned 32 bits)
 * @param groupNumber     GROUP NUMBER, 0..31
 * @param control         CONTROL byte
 */
public record ReadWriteCdb(int opcode, int protect, boolean dpo, boolean fua, long lba,
    long transferLength, int groupNumber, int control) implements Cdb {

  static final int FLAGS = 1;
  static final int LBA = 2;
  static final int GROUP_10 = 6;
  static final int TRANSFER_LENGTH_10 = 7;
  static final int CONTROL_10 = 9;
  static final int TRANSFER_LENGTH_16 = 10;
  static final int GROUP_16 = 14;
  static final int CONTROL_16 = 15;
  static final int DPO_BIT = 0x10;
  static final int FUA_BIT = 0x08;

  public ReadWriteCdb {
    if (opcode != OperationCode.READ_10 && opcode != OperationCode.WRITE_10
        && opcode != OperationCode.READ_16 && opcode != OperationCode.WRITE_16) {
      throw new IllegalArgumentException("not a READ/WRITE (10/16) opcode: " + Bytes.hex2(opcode));
    }
    Bytes.checkRange("RDPROTECT/WRPROTECT", protect, 0, 7);
    Bytes.checkRange("GROUP NUMBER", groupNumber, 0, 0x1F);
    Bytes.checkControl(control);
    if (opcode == OperationCode.READ_10 || opcode == OperationCode.WRITE_10) {
      Bytes.checkU32("LOGICAL BLOCK ADDRESS", lba);
      Bytes.checkRange("TRANSFER LENGTH", transferLength, 0, 0xFFFF);
    } else {
      Bytes.checkU32("TRANSFER LENGTH", transferLength);
    }
  }

  public static ReadWriteCdb read10(long lba, int blocks) {
    return new ReadWriteCdb(OperationCode.READ_10, 0, false, false, lba, blocks, 0, 0);
  }

  public static ReadWriteCdb write10(long lba, int blocks) {
    return new ReadWriteCdb(OperationCode.WRITE_10, 0, false, false, lba, blocks, 0, 0);
  }

  public static ReadWriteCdb read16(long lba, long blocks) {
    return new ReadWriteCdb(OperationCode.READ_16, 0, false, false, lba, blocks, 0, 0);
  }

  public static ReadWriteCdb write16(long lba, long blocks) {
    return new ReadWriteCdb(OperationCode.WRITE_16, 0, false, false, lba, blocks, 0, 0);
  }

  /**
   * The smallest CDB that can address {@code lba}/{@code blocks}: the 10-byte form when the LBA
   * fits 32 bits and the length 16 bits, else the 16-byte form.
   */
  public static ReadWriteCdb of(boolean write, long lba, long blocks, boolean dpo, boolean fua) {
    boolean small = lba >= 0 && lba <= 0xFFFF_FFFFL && blocks >= 0 && blocks <= 0xFFFF;
    int op = write
        ? (small ? OperationCode.WRITE_10 : OperationCode.WRITE_16)
        : (small ? OperationCode.READ_10 : OperationCode.READ_16);
    return new ReadWriteCdb(op, 0, dpo, fua, lba, blocks, 0, 0);
  }

  /** This CDB with the FUA bit set to {@code fua}. */
  public ReadWriteCdb withFua(boolean fua) {
    return new ReadWriteCdb(opcode, protect, dpo, fua, lba, transferLength, groupNumber, control);
  }

  /** This CDB with the DPO bit set to {@code dpo}. */
  public ReadWriteCdb withDpo(boolean dpo) {
    return new ReadWriteCdb(opcode, protect, dpo, fua, lba, transferLength, groupNumber, control);
  }

  public boolean isWrite() {
    return opcode == OperationCode.WRITE_10 || opcode == OperationCode.WRITE_16;
  }

  public boolean isRead() {
    return !isWrite();
  }

  @Override
  public int length() {
    return (opcode == OperationCode.READ_10 || opcode == OperationCode.WRITE_10) ? 10 : 16;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[length()];
    layout(c, opcode, protect, dpo, fua, lba, transferLength, groupNumber, control);
    return c;
  }

  /**
   * The CDB {@link #of of(write, lba, blocks, false, false)} would make, laid out in
   * {@code ten} or {@code sixteen} (whichever the form needs, every byte written) instead of
   * a new array: the allocation-free form for the I/O path. Returns the array used.
   */
  public static byte[] layoutSmallest(boolean write, long lba, long blocks, byte[] ten,
      byte[] sixteen) {
    boolean small = lba >= 0 && lba <= 0xFFFF_FFFFL && blocks >= 0 && blocks <= 0xFFFF;
    if (!small) {
      Bytes.checkU32("TRANSFER LENGTH", blocks);
    }
    int op = write
        ? (small ? OperationCode.WRITE_10 : OperationCode.WRITE_16)
        : (small ? OperationCode.READ_10 : OperationCode.READ_16);
    byte[] c = small ? ten : sixteen;
    if (c.length != (small ? 10 : 16)) {
      throw new IllegalArgumentException("CDB array of " + c.length + " bytes");
    }
    layout(c, op, 0, false, false, lba, blocks, 0, 0);
    return c;
  }

  private static void layout(byte[] c, int opcode, int protect, boolean dpo, boolean fua,
      long lba, long transferLength, int groupNumber, int control) {
    c[0] = (byte) opcode;
    c[FLAGS] = (byte) (protect << 5 | (dpo ? DPO_BIT : 0) | (fua ? FUA_BIT : 0));
    if (c.length == 10) {
      Bytes.put32(c, LBA, lba);
      c[GROUP_10] = (byte) groupNumber;
      Bytes.put16(c, TRANSFER_LENGTH_10, (int) transferLength);
      c[CONTROL_10] = (byte) control;
    } else {
      Bytes.put64(c, LBA, lba);
      Bytes.put32(c, TRANSFER_LENGTH_16, transferLength);
      c[GROUP_16] = (byte) groupNumber;
      c[CONTROL_16] = (byte) control;
    }
  }

  /** Decodes any of READ (10), WRITE (10), READ (16), WRITE (16). */
  public static ReadWriteCdb decode(byte[] b, int off, int len) {
    ReadWriteCdbFlyweight f = new ReadWriteCdbFlyweight().wrap(b, off, len);
    if (f.length() != 10 && f.length() != 16 || f.isOrWrite()) {
      throw new ScsiProtocolException("not a READ/WRITE (10/16) CDB: " + OperationCode.name(f.opcode()));
    }
    return new ReadWriteCdb(f.opcode(), f.protect(), f.dpo(), f.fua(), f.lba(),
        f.transferLength(), f.groupNumber(), f.control());
  }
}
