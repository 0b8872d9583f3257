package dev.mpath.scsi.proto;

/**
 * An 8-byte LOGICAL UNIT NUMBER (SAM-5 4.7), held as a big-endian long.
 *
 * <p>{@link #of(int)} encodes LUNs 0..255 with single level peripheral device addressing
 * (byte 0 = 00h, byte 1 = LUN) and 256..16383 with flat space addressing (byte 0 = 40h | LUN
 * bits 13:8, byte 1 = LUN bits 7:0); bytes 2-7 are zero. {@link #number()} decodes those two
 * forms; anything else (multi-level, logical unit addressing, extended / well known LUNs) is
 * kept as raw bytes and reported by {@link #number()} as a protocol error.
 *
 * @param value the 8 LUN bytes, big-endian
 */
public record Lun(long value) {
  /** Encoded length. */
  public static final int LENGTH = 8;
  /** ADDRESS METHOD values (byte 0 bits 7:6). */
  public static final int PERIPHERAL_DEVICE_ADDRESSING = 0;
  public static final int FLAT_SPACE_ADDRESSING = 1;
  public static final int LOGICAL_UNIT_ADDRESSING = 2;
  public static final int EXTENDED_LOGICAL_UNIT_ADDRESSING = 3;
  /** REPORT LUNS well known logical unit (W-LUN C101h, SAM-5 / SPC-4 8.2). */
  public static final Lun REPORT_LUNS_WELL_KNOWN = new Lun(0xC101_0000_0000_0000L);
  /** Largest LUN {@link #of(int)} encodes. */
  public static final int MAX_FLAT_LUN = 0x3FFF;

  /** Encodes a single-level LUN; see the class comment. */
  public static Lun of(int lun) {
    Bytes.checkRange("LUN", lun, 0, MAX_FLAT_LUN);
    if (lun < 256) {
      return new Lun((long) lun << 48);
    }
    return new Lun((long) (0x4000 | lun) << 48);
  }

  /** ADDRESS METHOD (byte 0 bits 7:6). */
  public int addressMethod() {
    return (int) (value >>> 62);
  }

  /**
   * The LUN number of a single level peripheral (bus 0) or flat space LUN.
   *
   * @throws ScsiProtocolException for any other form
   */
  public int number() {
    int first = (int) (value >>> 48) & 0xFFFF;
    boolean singleLevel = (value & 0x0000_FFFF_FFFF_FFFFL) == 0;
    if (singleLevel && (first & 0xFF00) == 0) {
      return first & 0xFF;
    }
    if (singleLevel && addressMethod() == FLAT_SPACE_ADDRESSING) {
      return first & 0x3FFF;
    }
    throw new ScsiProtocolException("LUN " + this + " is not a single level peripheral (bus 0)"
        + " or flat space LUN");
  }

  /** Whether {@link #number()} can decode this LUN. */
  public boolean isSimple() {
    int first = (int) (value >>> 48) & 0xFFFF;
    return (value & 0x0000_FFFF_FFFF_FFFFL) == 0
        && ((first & 0xFF00) == 0 || addressMethod() == FLAT_SPACE_ADDRESSING);
  }

  public byte[] toBytes() {
    byte[] b = new byte[LENGTH];
    Bytes.put64(b, 0, value);
    return b;
  }

  public void encodeInto(byte[] b, int off) {
    Bytes.put64(b, off, value);
  }

  /** Decodes 8 LUN bytes at {@code b[off]}; {@code len} is what is available from there. */
  public static Lun decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("LUN", LENGTH, len);
    return new Lun(Bytes.u64(b, off));
  }

  /** Hex of the 8 bytes. */
  @Override
  public String toString() {
    return String.format("%016x", value);
  }
}
