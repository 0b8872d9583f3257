package dev.mpath.scsi.proto;

/**
 * VERIFY (10)/(12)/(16) (SBC-3 5.24-5.26) and WRITE AND VERIFY (10)/(12)/(16) (SBC-3
 * 5.36-5.38): the typical 10-, 12- and 16-byte layouts ({@link TypicalCdb}) with byte 1 as
 * below; the length field is VERIFICATION LENGTH resp. TRANSFER LENGTH, in logical blocks.
 *
 * <pre>
 * byte 1: VRPROTECT/WRPROTECT 7:5 | DPO 4 | reserved 3 | BYTCHK 2:1 | obsolete 0
 * </pre>
 *
 * <p>BYTCHK (SBC-4 table "BYTCHK field"): 00b no Data-Out, the medium is checked; 01b the
 * Data-Out holds the blocks and is compared byte by byte; 10b reserved; 11b the Data-Out holds
 * one block, compared with (VERIFY) or written to and compared with (WRITE AND VERIFY) each
 * block of the range. SBC-3's WRITE AND VERIFY has a one-bit BYTCHK in bit 1, which is the
 * 01b of this field.
 *
 * @param opcode     one of the six opcodes
 * @param protect    VRPROTECT / WRPROTECT, 0..7
 * @param dpo        DPO
 * @param bytchk     BYTCHK, 0..3
 * @param lba        LOGICAL BLOCK ADDRESS (32 bits in the 10- and 12-byte forms)
 * @param transferLength VERIFICATION LENGTH / TRANSFER LENGTH in blocks (16 bits in the
 *                   10-byte forms)
 * @param groupNumber GROUP NUMBER, 0..31
 * @param control    CONTROL byte
 */
public record VerifyCdb(int opcode, int protect, boolean dpo, int bytchk, long lba,
    long transferLength, int groupNumber, int control) implements Cdb {

  static final int DPO_BIT = 0x10;
  static final int BYTCHK_SHIFT = 1;

  public VerifyCdb {
    int n = cdbLengthOf(opcode);
    if (n == 0) {
      throw new IllegalArgumentException("not a (WRITE AND) VERIFY opcode: " + Bytes.hex2(opcode));
    }
    Bytes.checkRange("VRPROTECT/WRPROTECT", protect, 0, 7);
    Bytes.checkRange("BYTCHK", bytchk, 0, 3);
    TypicalCdb.check(n, lba, transferLength, groupNumber, control);
  }

  /** VERIFY (10) of {@code blocks} at {@code lba} with the given BYTCHK. */
  public static VerifyCdb verify10(long lba, int blocks, int bytchk) {
    return new VerifyCdb(OperationCode.VERIFY_10, 0, false, bytchk, lba, blocks, 0, 0);
  }

  /** VERIFY (16) of {@code blocks} at {@code lba} with the given BYTCHK. */
  public static VerifyCdb verify16(long lba, long blocks, int bytchk) {
    return new VerifyCdb(OperationCode.VERIFY_16, 0, false, bytchk, lba, blocks, 0, 0);
  }

  /** The CDB length of a (WRITE AND) VERIFY opcode, or 0 for another. */
  static int cdbLengthOf(int opcode) {
    switch (opcode) {
      case OperationCode.VERIFY_10:
      case OperationCode.WRITE_AND_VERIFY_10:
        return 10;
      case OperationCode.VERIFY_12:
      case OperationCode.WRITE_AND_VERIFY_12:
        return 12;
      case OperationCode.VERIFY_16:
      case OperationCode.WRITE_AND_VERIFY_16:
        return 16;
      default:
        return 0;
    }
  }

  /** Whether this is WRITE AND VERIFY (Data-Out is written before it is compared). */
  public boolean writes() {
    return opcode == OperationCode.WRITE_AND_VERIFY_10
        || opcode == OperationCode.WRITE_AND_VERIFY_12
        || opcode == OperationCode.WRITE_AND_VERIFY_16;
  }

  @Override
  public int length() {
    return cdbLengthOf(opcode);
  }

  /** Byte of the CDB where the length field starts (for sense field pointers). */
  public int lengthOffset() {
    return TypicalCdb.lengthOffset(length());
  }

  @Override
  public byte[] toBytes() {
    int flags = protect << 5 | (dpo ? DPO_BIT : 0) | bytchk << BYTCHK_SHIFT;
    return TypicalCdb.encode(length(), opcode, flags, lba, transferLength, groupNumber,
        control);
  }

  /** Decodes any of the six opcodes. */
  public static VerifyCdb decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("VERIFY CDB", 1, len);
    int op = Bytes.u8(b, off);
    int n = cdbLengthOf(op);
    Bytes.checkCdb(b, off, len, Math.max(n, 1), OperationCode.name(op),
        OperationCode.VERIFY_10, OperationCode.VERIFY_12, OperationCode.VERIFY_16,
        OperationCode.WRITE_AND_VERIFY_10, OperationCode.WRITE_AND_VERIFY_12,
        OperationCode.WRITE_AND_VERIFY_16);
    int flags = Bytes.u8(b, off + TypicalCdb.FLAGS);
    return new VerifyCdb(op, flags >>> 5, (flags & DPO_BIT) != 0, (flags >>> BYTCHK_SHIFT) & 3,
        TypicalCdb.lba(b, off, n), TypicalCdb.length(b, off, n), TypicalCdb.group(b, off, n),
        Bytes.u8(b, off + n - 1));
  }
}
