package dev.mpath.scsi.proto;

/**
 * WRITE SAME (10) and (16) (SBC-3 5.41, 5.42): the typical 10- and 16-byte layouts
 * ({@link TypicalCdb}) with NUMBER OF LOGICAL BLOCKS as the length and byte 1 as below.
 *
 * <pre>
 * byte 1: WRPROTECT 7:5 | ANCHOR 4 | UNMAP 3 | obsolete 2:1 | NDOB 0 (16 only, SBC-4)
 * </pre>
 *
 * <p>NUMBER OF LOGICAL BLOCKS zero means "to the last block of the medium" unless the Block
 * Limits page sets WSNZ. With NDOB set there is no Data-Out: the block written is all zeros.
 *
 * @param opcode         {@link OperationCode#WRITE_SAME_10} or {@link OperationCode#WRITE_SAME_16}
 * @param wrprotect      WRPROTECT, 0..7
 * @param anchor         ANCHOR
 * @param unmap          UNMAP
 * @param ndob           NDOB (no Data-Out buffer; the 16-byte form only)
 * @param lba            LOGICAL BLOCK ADDRESS
 * @param numberOfBlocks NUMBER OF LOGICAL BLOCKS
 * @param groupNumber    GROUP NUMBER, 0..31
 * @param control        CONTROL byte
 */
public record WriteSameCdb(int opcode, int wrprotect, boolean anchor, boolean unmap,
    boolean ndob, long lba, long numberOfBlocks, int groupNumber, int control) implements Cdb {

  static final int ANCHOR_BIT = 0x10;
  static final int UNMAP_BIT = 0x08;
  static final int NDOB_BIT = 0x01;

  public WriteSameCdb {
    if (opcode != OperationCode.WRITE_SAME_10 && opcode != OperationCode.WRITE_SAME_16) {
      throw new IllegalArgumentException("not a WRITE SAME opcode: " + Bytes.hex2(opcode));
    }
    if (ndob && opcode == OperationCode.WRITE_SAME_10) {
      throw new IllegalArgumentException("WRITE SAME (10) has no NDOB bit");
    }
    Bytes.checkRange("WRPROTECT", wrprotect, 0, 7);
    TypicalCdb.check(opcode == OperationCode.WRITE_SAME_10 ? 10 : 16, lba, numberOfBlocks,
        groupNumber, control);
  }

  /** WRITE SAME (16) of {@code blocks} at {@code lba}, unmapping them when {@code unmap}. */
  public static WriteSameCdb of16(long lba, long blocks, boolean unmap) {
    return new WriteSameCdb(OperationCode.WRITE_SAME_16, 0, false, unmap, false, lba, blocks, 0,
        0);
  }

  @Override
  public int length() {
    return opcode == OperationCode.WRITE_SAME_10 ? 10 : 16;
  }

  /** Byte of the CDB where NUMBER OF LOGICAL BLOCKS starts (for sense field pointers). */
  public int lengthOffset() {
    return TypicalCdb.lengthOffset(length());
  }

  @Override
  public byte[] toBytes() {
    int flags = wrprotect << 5 | (anchor ? ANCHOR_BIT : 0) | (unmap ? UNMAP_BIT : 0)
        | (ndob ? NDOB_BIT : 0);
    return TypicalCdb.encode(length(), opcode, flags, lba, numberOfBlocks, groupNumber, control);
  }

  /** Decodes WRITE SAME (10) or (16); bit 0 of a WRITE SAME (10) is obsolete and ignored. */
  public static WriteSameCdb decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("WRITE SAME CDB", 1, len);
    int op = Bytes.u8(b, off);
    int n = op == OperationCode.WRITE_SAME_10 ? 10 : 16;
    Bytes.checkCdb(b, off, len, n, OperationCode.name(op), OperationCode.WRITE_SAME_10,
        OperationCode.WRITE_SAME_16);
    int flags = Bytes.u8(b, off + TypicalCdb.FLAGS);
    return new WriteSameCdb(op, flags >>> 5, (flags & ANCHOR_BIT) != 0,
        (flags & UNMAP_BIT) != 0, n == 16 && (flags & NDOB_BIT) != 0, TypicalCdb.lba(b, off, n),
        TypicalCdb.length(b, off, n), TypicalCdb.group(b, off, n), Bytes.u8(b, off + n - 1));
  }
}
