package dev.mpath.scsi.proto;

/**
 * PRE-FETCH (10) and (16) (SBC-3 5.6, 5.7): the typical 10- and 16-byte layouts
 * ({@link TypicalCdb}) with PREFETCH LENGTH as the length and IMMED in byte 1 bit 1.
 *
 * <p>PREFETCH LENGTH zero means "to the last block of the medium".
 *
 * @param opcode         {@link OperationCode#PRE_FETCH_10} or {@link OperationCode#PRE_FETCH_16}
 * @param immed          IMMED
 * @param lba            LOGICAL BLOCK ADDRESS
 * @param prefetchLength PREFETCH LENGTH in logical blocks
 * @param groupNumber    GROUP NUMBER, 0..31
 * @param control        CONTROL byte
 */
public record PreFetchCdb(int opcode, boolean immed, long lba, long prefetchLength,
    int groupNumber, int control) implements Cdb {

  static final int IMMED_BIT = 0x02;

  public PreFetchCdb {
    if (opcode != OperationCode.PRE_FETCH_10 && opcode != OperationCode.PRE_FETCH_16) {
      throw new IllegalArgumentException("not a PRE-FETCH opcode: " + Bytes.hex2(opcode));
    }
    TypicalCdb.check(opcode == OperationCode.PRE_FETCH_10 ? 10 : 16, lba, prefetchLength,
        groupNumber, control);
  }

  @Override
  public int length() {
    return opcode == OperationCode.PRE_FETCH_10 ? 10 : 16;
  }

  @Override
  public byte[] toBytes() {
    return TypicalCdb.encode(length(), opcode, immed ? IMMED_BIT : 0, lba, prefetchLength,
        groupNumber, control);
  }

  public static PreFetchCdb decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("PRE-FETCH CDB", 1, len);
    int op = Bytes.u8(b, off);
    int n = op == OperationCode.PRE_FETCH_10 ? 10 : 16;
    Bytes.checkCdb(b, off, len, n, OperationCode.name(op), OperationCode.PRE_FETCH_10,
        OperationCode.PRE_FETCH_16);
    return new PreFetchCdb(op, (b[off + TypicalCdb.FLAGS] & IMMED_BIT) != 0,
        TypicalCdb.lba(b, off, n), TypicalCdb.length(b, off, n), TypicalCdb.group(b, off, n),
        Bytes.u8(b, off + n - 1));
  }
}
