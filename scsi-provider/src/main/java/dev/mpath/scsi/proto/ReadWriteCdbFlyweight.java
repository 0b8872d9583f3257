package dev.mpath.scsi.proto;

/**
 * A READ (10), WRITE (10), READ (16) or WRITE (16) CDB (SBC-3 5.11, 5.13, 5.29, 5.31) read in
 * place: the checks and fields of {@link ReadWriteCdb#decode}, which is built on it, without
 * an object per command, for a device server's I/O path.
 *
 * <p>Not thread-safe: one per device server thread. The fields are read from the wrapped
 * array on each call, so they are valid until the next {@link #wrap} or until that array
 * changes.
 */
public final class ReadWriteCdbFlyweight {
  private byte[] b;
  private int off;
  private int op;

  /** Whether {@code opcode} is one this flyweight reads. */
  public static boolean isReadWrite(int opcode) {
    return opcode == OperationCode.READ_10 || opcode == OperationCode.WRITE_10
        || opcode == OperationCode.READ_16 || opcode == OperationCode.WRITE_16;
  }

  /**
   * Wraps the CDB at {@code b[off, off + len)}.
   *
   * @return this
   * @throws ScsiProtocolException when the slice is shorter than the CDB its opcode names, or
   *     the opcode is not READ/WRITE (10/16)
   */
  public ReadWriteCdbFlyweight wrap(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("READ/WRITE CDB", 1, len);
    int op = Bytes.u8(b, off);
    boolean ten = op == OperationCode.READ_10 || op == OperationCode.WRITE_10;
    if (!isReadWrite(op)) {
      throw new ScsiProtocolException("not a READ/WRITE (10/16) CDB: OPERATION CODE "
          + Bytes.hex2(op));
    }
    int length = ten ? 10 : 16;
    if (len < length) {
      throw ScsiProtocolException.tooShort(OperationCode.name(op) + " CDB", length, len);
    }
    this.b = b;
    this.off = off;
    this.op = op;
    return this;
  }

  public int opcode() {
    return op;
  }

  /** 10 or 16. */
  public int length() {
    return ten() ? 10 : 16;
  }

  public boolean isWrite() {
    return op == OperationCode.WRITE_10 || op == OperationCode.WRITE_16;
  }

  /** RDPROTECT / WRPROTECT (byte 1 bits 7:5). */
  public int protect() {
    return Bytes.u8(b, off + ReadWriteCdb.FLAGS) >>> 5;
  }

  public boolean dpo() {
    return (b[off + ReadWriteCdb.FLAGS] & ReadWriteCdb.DPO_BIT) != 0;
  }

  public boolean fua() {
    return (b[off + ReadWriteCdb.FLAGS] & ReadWriteCdb.FUA_BIT) != 0;
  }

  /** LOGICAL BLOCK ADDRESS: 32 bits in the 10-byte forms, unsigned 64 in the 16-byte ones. */
  public long lba() {
    return ten() ? Bytes.u32(b, off + ReadWriteCdb.LBA) : Bytes.u64(b, off + ReadWriteCdb.LBA);
  }

  /** TRANSFER LENGTH in logical blocks: 16 bits resp. unsigned 32 bits. */
  public long transferLength() {
    return ten() ? Bytes.u16(b, off + ReadWriteCdb.TRANSFER_LENGTH_10)
        : Bytes.u32(b, off + ReadWriteCdb.TRANSFER_LENGTH_16);
  }

  /** GROUP NUMBER (bits 4:0). */
  public int groupNumber() {
    return b[off + (ten() ? ReadWriteCdb.GROUP_10 : ReadWriteCdb.GROUP_16)] & 0x1F;
  }

  public int control() {
    return Bytes.u8(b, off + (ten() ? ReadWriteCdb.CONTROL_10 : ReadWriteCdb.CONTROL_16));
  }

  private boolean ten() {
    return op == OperationCode.READ_10 || op == OperationCode.WRITE_10;
  }
}
