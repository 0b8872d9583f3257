package dev.mpath.scsi.proto;

import java.util.EnumSet;
import java.util.Set;

/**
 * PERSISTENT RESERVE IN, REPORT CAPABILITIES parameter data (SPC-4).
 *
 * <pre>
 * byte 0-1  LENGTH (0008h)
 * byte 2    bit 7 RLR_C, bit 4 CRH, bit 3 SIP_C, bit 2 ATP_C, bit 0 PTPL_C
 * byte 3    bit 7 TMV, bits 6:4 ALLOW COMMANDS, bit 0 PTPL_A
 * byte 4    PERSISTENT RESERVATION TYPE MASK: bit 7 WR_EX_AR, bit 6 EX_AC_RO, bit 5 WR_EX_RO,
 *           bit 3 EX_AC, bit 1 WR_EX
 * byte 5    bit 0 EX_AC_AR
 * byte 6-7  reserved
 * </pre>
 *
 * <p>Decoding: a LENGTH below 8 is a {@link ScsiProtocolException}; fewer than 8 bytes a
 * {@link TruncatedDataException}. The type mask is decoded whatever TMV says.
 */
public record PrCapabilities(boolean rlrC, boolean crh, boolean sipC, boolean atpC,
    boolean ptplC, boolean tmv, int allowCommands, boolean ptplA, Set<PrType> supportedTypes) {
  /** LENGTH value and data length. */
  public static final int LENGTH = 8;

  public PrCapabilities {
    Bytes.checkRange("ALLOW COMMANDS", allowCommands, 0, 7);
    supportedTypes = supportedTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(supportedTypes));
  }

  /** Type mask bit for {@code t}: bits 15..8 are byte 4, bits 7..0 byte 5. */
  static int maskBit(PrType t) {
    return t == PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS ? 0x0001 : 1 << (8 + t.code());
  }

  public byte[] encode() {
    byte[] d = new byte[LENGTH];
    Bytes.put16(d, 0, LENGTH);
    d[2] = (byte) ((rlrC ? 0x80 : 0) | (crh ? 0x10 : 0) | (sipC ? 0x08 : 0) | (atpC ? 0x04 : 0)
        | (ptplC ? 0x01 : 0));
    d[3] = (byte) ((tmv ? 0x80 : 0) | allowCommands << 4 | (ptplA ? 0x01 : 0));
    int mask = 0;
    for (PrType t : supportedTypes) {
      mask |= maskBit(t);
    }
    Bytes.put16(d, 4, mask);
    return d;
  }

  public static PrCapabilities decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static PrCapabilities decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("REPORT CAPABILITIES LENGTH field", 2, len);
    int length = Bytes.u16(b, off);
    if (length < LENGTH) {
      throw new ScsiProtocolException("REPORT CAPABILITIES: LENGTH " + length + ", expected 8",
          LENGTH, length);
    }
    if (len < LENGTH) {
      throw new TruncatedDataException("REPORT CAPABILITIES parameter data", LENGTH, len);
    }
    int f2 = Bytes.u8(b, off + 2);
    int f3 = Bytes.u8(b, off + 3);
    int mask = Bytes.u16(b, off + 4);
    EnumSet<PrType> types = EnumSet.noneOf(PrType.class);
    for (PrType t : PrType.values()) {
      if ((mask & maskBit(t)) != 0) {
        types.add(t);
      }
    }
    return new PrCapabilities((f2 & 0x80) != 0, (f2 & 0x10) != 0, (f2 & 0x08) != 0,
        (f2 & 0x04) != 0, (f2 & 0x01) != 0, (f3 & 0x80) != 0, (f3 >>> 4) & 7,
        (f3 & 0x01) != 0, types);
  }
}
