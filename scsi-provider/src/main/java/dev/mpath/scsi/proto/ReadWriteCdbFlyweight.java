package dev.mpath.scsi.proto;

/**
 * A READ or WRITE CDB of any of the four sizes read in place: READ (6)/WRITE (6) (SBC-3 5.8,
 * 5.32), READ (10)/WRITE (10) (5.9, 5.33), READ (12)/WRITE (12) (5.10, 5.34) and READ
 * (16)/WRITE (16) (5.11, 5.35). The checks and fields of {@link ReadWriteCdb#decode}, which
 * is built on it for the 10- and 16-byte forms, without an object per command, for a device
 * server's I/O path.
 *
 * <pre>
 * (6):  byte 0 OPCODE 08h/0Ah | byte 1 bits 4:0 + bytes 2-3 LOGICAL BLOCK ADDRESS (21 bits)
 *       byte 4 TRANSFER LENGTH (0 means 256 blocks) | byte 5 CONTROL
 * (10), (12), (16): the typical layouts of {@link TypicalCdb}; byte 1 RDPROTECT/WRPROTECT
 *       7:5, DPO 4, FUA 3. ORWRITE (16) 8Bh (SBC-3 5.5) has the WRITE (16) layout (its
 *       byte 1 bits 7:5 are ORPROTECT).
 * </pre>
 *
 * <p>Not thread-safe: one per device server thread. The fields are read from the wrapped
 * array on each call, so they are valid until the next {@link #wrap} or until that array
 * changes.
 */
public final class ReadWriteCdbFlyweight {
  static final int TRANSFER_LENGTH_6 = 4;
  static final int CONTROL_6 = 5;

  private byte[] b;
  private int off;
  private int op;
  private int length;

  /** Whether {@code opcode} is one this flyweight reads. */
  public static boolean isReadWrite(int opcode) {
    return lengthOf(opcode) > 0;
  }

  /** The CDB length of a READ/WRITE opcode, or 0 for another opcode. */
  private static int lengthOf(int opcode) {
    switch (opcode) {
      case OperationCode.READ_6:
      case OperationCode.WRITE_6:
        return 6;
      case OperationCode.READ_10:
      case OperationCode.WRITE_10:
        return 10;
      case OperationCode.READ_12:
      case OperationCode.WRITE_12:
        return 12;
      case OperationCode.READ_16:
      case OperationCode.WRITE_16:
      case OperationCode.ORWRITE_16:
        return 16;
      default:
        return 0;
    }
  }

  /**
   * Wraps the CDB at {@code b[off, off + len)}.
   *
   * @return this
   * @throws ScsiProtocolException when the slice is shorter than the CDB its opcode names, or
   *     the opcode is not a READ/WRITE (6/10/12/16); the previous CDB stays wrapped
   */
  public ReadWriteCdbFlyweight wrap(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("READ/WRITE CDB", 1, len);
    int op = Bytes.u8(b, off);
    int n = lengthOf(op);
    if (n == 0) {
      throw new ScsiProtocolException("not a READ/WRITE (6/10/12/16) CDB: OPERATION CODE "
          + Bytes.hex2(op));
    }
    if (len < n) {
      throw ScsiProtocolException.tooShort(OperationCode.name(op) + " CDB", n, len);
    }
    this.b = b;
    this.off = off;
    this.op = op;
    this.length = n;
    return this;
  }

  public int opcode() {
    return op;
  }

  /** 6, 10, 12 or 16. */
  public int length() {
    return length;
  }

  /** Whether the command carries Data-Out: a WRITE, or an ORWRITE. */
  public boolean isWrite() {
    return op == OperationCode.WRITE_6 || op == OperationCode.WRITE_10
        || op == OperationCode.WRITE_12 || op == OperationCode.WRITE_16
        || op == OperationCode.ORWRITE_16;
  }

  /** Whether this is ORWRITE (16): the Data-Out is ORed into the blocks (SBC-3 5.5). */
  public boolean isOrWrite() {
    return op == OperationCode.ORWRITE_16;
  }

  /** RDPROTECT / WRPROTECT (byte 1 bits 7:5; the 6-byte forms have none: 0). */
  public int protect() {
    return length == 6 ? 0 : Bytes.u8(b, off + ReadWriteCdb.FLAGS) >>> 5;
  }

  public boolean dpo() {
    return length != 6 && (b[off + ReadWriteCdb.FLAGS] & ReadWriteCdb.DPO_BIT) != 0;
  }

  public boolean fua() {
    return length != 6 && (b[off + ReadWriteCdb.FLAGS] & ReadWriteCdb.FUA_BIT) != 0;
  }

  /** LOGICAL BLOCK ADDRESS: 21 bits (6), 32 bits (10, 12), unsigned 64 bits (16). */
  public long lba() {
    return length == 6 ? ((b[off + 1] & 0x1FL) << 16) | Bytes.u16(b, off + 2)
        : TypicalCdb.lba(b, off, length);
  }

  /** TRANSFER LENGTH in logical blocks (a 6-byte form's 0 is 256 blocks, SBC-3 5.8). */
  public long transferLength() {
    if (length == 6) {
      int n = Bytes.u8(b, off + TRANSFER_LENGTH_6);
      return n == 0 ? 256 : n;
    }
    return TypicalCdb.length(b, off, length);
  }

  /** Byte of the CDB where TRANSFER LENGTH starts (for sense-key specific field pointers). */
  public int transferLengthOffset() {
    return length == 6 ? TRANSFER_LENGTH_6 : TypicalCdb.lengthOffset(length);
  }

  /** GROUP NUMBER (bits 4:0; the 6-byte forms have none: 0). */
  public int groupNumber() {
    return length == 6 ? 0 : TypicalCdb.group(b, off, length);
  }

  /** CONTROL: the CDB's last byte. */
  public int control() {
    return Bytes.u8(b, off + length - 1);
  }
}
