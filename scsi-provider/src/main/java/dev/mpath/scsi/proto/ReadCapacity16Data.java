package dev.mpath.scsi.proto;

/**
 * READ CAPACITY (16) parameter data (SBC-3, 32 bytes).
 *
 * <pre>
 * byte 0-7    RETURNED LOGICAL BLOCK ADDRESS (last LBA)
 * byte 8-11   LOGICAL BLOCK LENGTH IN BYTES
 * byte 12     bits 3:1 P_TYPE, bit 0 PROT_EN
 * byte 13     bits 7:4 P_I_EXPONENT, bits 3:0 LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
 * byte 14     bit 7 LBPME, bit 6 LBPRZ, bits 5:0 LOWEST ALIGNED LOGICAL BLOCK ADDRESS (MSB)
 * byte 15     LOWEST ALIGNED LOGICAL BLOCK ADDRESS (LSB)
 * byte 16-31  reserved
 * </pre>
 *
 * <p>Decoding requires the full 32 bytes (the host always asks for them).
 *
 * @param returnedLba          RETURNED LOGICAL BLOCK ADDRESS (unsigned 64 bits)
 * @param logicalBlockLength   LOGICAL BLOCK LENGTH IN BYTES (unsigned 32 bits)
 * @param pType                P_TYPE, 0..7
 * @param protEn               PROT_EN
 * @param pIExponent           P_I_EXPONENT, 0..15
 * @param lbppbExponent        LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT, 0..15
 * @param lbpme                LBPME (logical block provisioning management enabled)
 * @param lbprz                LBPRZ (unmapped blocks read as zero)
 * @param lowestAlignedLba     LOWEST ALIGNED LOGICAL BLOCK ADDRESS, 0..16383
 */
public record ReadCapacity16Data(long returnedLba, long logicalBlockLength, int pType,
    boolean protEn, int pIExponent, int lbppbExponent, boolean lbpme, boolean lbprz,
    int lowestAlignedLba) {
  /** Parameter data length. */
  public static final int LENGTH = 32;

  public ReadCapacity16Data {
    Bytes.checkU32("LOGICAL BLOCK LENGTH IN BYTES", logicalBlockLength);
    Bytes.checkRange("P_TYPE", pType, 0, 7);
    Bytes.checkRange("P_I_EXPONENT", pIExponent, 0, 15);
    Bytes.checkRange("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT", lbppbExponent, 0, 15);
    Bytes.checkRange("LOWEST ALIGNED LOGICAL BLOCK ADDRESS", lowestAlignedLba, 0, 0x3FFF);
  }

  /** Plain capacity: {@code blocks} logical blocks of {@code blockLength} bytes, no protection. */
  public static ReadCapacity16Data of(long blocks, long blockLength, boolean thinProvisioned) {
    if (blocks <= 0) {
      throw new IllegalArgumentException("capacity must be at least one block: " + blocks);
    }
    return new ReadCapacity16Data(blocks - 1, blockLength, 0, false, 0, 0, thinProvisioned,
        thinProvisioned, 0);
  }

  /** Number of logical blocks (RETURNED LOGICAL BLOCK ADDRESS + 1). */
  public long blockCount() {
    return returnedLba + 1;
  }

  /** Logical blocks per physical block (2^exponent). */
  public int logicalBlocksPerPhysicalBlock() {
    return 1 << lbppbExponent;
  }

  public byte[] encode() {
    byte[] d = new byte[LENGTH];
    Bytes.put64(d, 0, returnedLba);
    Bytes.put32(d, 8, logicalBlockLength);
    d[12] = (byte) (pType << 1 | (protEn ? 1 : 0));
    d[13] = (byte) (pIExponent << 4 | lbppbExponent);
    Bytes.put16(d, 14, (lbpme ? 0x8000 : 0) | (lbprz ? 0x4000 : 0) | lowestAlignedLba);
    return d;
  }

  public static ReadCapacity16Data decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static ReadCapacity16Data decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("READ CAPACITY (16) parameter data", LENGTH, len);
    int b12 = Bytes.u8(b, off + 12);
    int b13 = Bytes.u8(b, off + 13);
    int w14 = Bytes.u16(b, off + 14);
    return new ReadCapacity16Data(Bytes.u64(b, off), Bytes.u32(b, off + 8), (b12 >>> 1) & 7,
        (b12 & 1) != 0, b13 >>> 4, b13 & 0xF, (w14 & 0x8000) != 0, (w14 & 0x4000) != 0,
        w14 & 0x3FFF);
  }
}
