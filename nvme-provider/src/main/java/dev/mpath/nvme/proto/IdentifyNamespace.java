package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight over the 4096-byte Identify Namespace data structure of the NVM Command Set
 * (CNS 00h; NVM Command Set 1.0, Identify Namespace Data Structure).
 *
 * <p>Contract as for {@link IdentifyController}: {@link #wrap} checks that 4096 bytes fit;
 * accessors are little-endian, absolute and leave the position alone. The LBA format
 * helpers that a host acts on ({@link #lbaFormatIndex()}, {@link #blockSize()}) validate
 * what the controller reported and throw {@link NvmeProtocolException} on nonsense.
 */
public final class IdentifyNamespace {

  /** Size of the data structure. */
  public static final int LENGTH = 4096;

  /** Bytes 07:00 Namespace Size (NSZE), logical blocks. */
  public static final int NSZE_OFFSET = 0;
  /** Bytes 15:08 Namespace Capacity (NCAP). */
  public static final int NCAP_OFFSET = 8;
  /** Bytes 23:16 Namespace Utilization (NUSE). */
  public static final int NUSE_OFFSET = 16;
  /** Byte 24 Namespace Features (NSFEAT). */
  public static final int NSFEAT_OFFSET = 24;
  /** Byte 25 Number of LBA Formats (NLBAF), zero-based. */
  public static final int NLBAF_OFFSET = 25;
  /** Byte 26 Formatted LBA Size (FLBAS). */
  public static final int FLBAS_OFFSET = 26;
  /** Byte 27 Metadata Capabilities (MC). */
  public static final int MC_OFFSET = 27;
  /** Byte 28 End-to-end Data Protection Capabilities (DPC). */
  public static final int DPC_OFFSET = 28;
  /** Byte 29 End-to-end Data Protection Type Settings (DPS). */
  public static final int DPS_OFFSET = 29;
  /** Byte 30 Namespace Multi-path I/O and Namespace Sharing Capabilities (NMIC). */
  public static final int NMIC_OFFSET = 30;
  /** Byte 31 Reservation Capabilities (RESCAP). */
  public static final int RESCAP_OFFSET = 31;
  /** Byte 32 Format Progress Indicator (FPI). */
  public static final int FPI_OFFSET = 32;
  /** Byte 33 Deallocate Logical Block Features (DLFEAT). */
  public static final int DLFEAT_OFFSET = 33;
  /** Bytes 35:34 Namespace Atomic Write Unit Normal (NAWUN). */
  public static final int NAWUN_OFFSET = 34;
  /** Bytes 37:36 Namespace Atomic Write Unit Power Fail (NAWUPF). */
  public static final int NAWUPF_OFFSET = 36;
  /** Bytes 47:46 Namespace Optimal I/O Boundary (NOIOB). */
  public static final int NOIOB_OFFSET = 46;
  /** Bytes 95:92 ANA Group Identifier (ANAGRPID). */
  public static final int ANAGRPID_OFFSET = 92;
  /** Byte 99 Namespace Attributes (NSATTR). */
  public static final int NSATTR_OFFSET = 99;
  /** Bytes 101:100 NVM Set Identifier (NVMSETID). */
  public static final int NVMSETID_OFFSET = 100;
  /** Bytes 103:102 Endurance Group Identifier (ENDGID). */
  public static final int ENDGID_OFFSET = 102;
  /** Bytes 119:104 Namespace Globally Unique Identifier (NGUID). */
  public static final int NGUID_OFFSET = 104;
  public static final int NGUID_LENGTH = 16;
  /** Bytes 127:120 IEEE Extended Unique Identifier (EUI64). */
  public static final int EUI64_OFFSET = 120;
  public static final int EUI64_LENGTH = 8;
  /** Bytes 131:128 LBA Format 0 Support (LBAF0); LBAF n at 128 + 4n, n in 0..63. */
  public static final int LBAF0_OFFSET = 128;
  /** Number of LBA Format slots. */
  public static final int MAX_LBA_FORMATS = 64;

  /** NSFEAT bit 0: thin provisioning. */
  public static final int NSFEAT_THIN_PROVISIONING = 1;
  /** NMIC bit 0: the namespace may be attached to two or more controllers (shared). */
  public static final int NMIC_SHARED = 1;
  /** NSATTR bit 0: the namespace is currently write protected. */
  public static final int NSATTR_WRITE_PROTECTED = 1;
  /** FLBAS bit 4: metadata transferred at the end of the data LBA (extended LBA). */
  public static final int FLBAS_EXTENDED_METADATA = 1 << 4;

  /** RESCAP bit 0: Persist Through Power Loss. */
  public static final int RESCAP_PTPL = 1;
  /** RESCAP bit 1: Write Exclusive. */
  public static final int RESCAP_WRITE_EXCLUSIVE = 1 << 1;
  /** RESCAP bit 2: Exclusive Access. */
  public static final int RESCAP_EXCLUSIVE_ACCESS = 1 << 2;
  /** RESCAP bit 3: Write Exclusive – Registrants Only. */
  public static final int RESCAP_WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 1 << 3;
  /** RESCAP bit 4: Exclusive Access – Registrants Only. */
  public static final int RESCAP_EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 1 << 4;
  /** RESCAP bit 5: Write Exclusive – All Registrants. */
  public static final int RESCAP_WRITE_EXCLUSIVE_ALL_REGISTRANTS = 1 << 5;
  /** RESCAP bit 6: Exclusive Access – All Registrants. */
  public static final int RESCAP_EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 1 << 6;
  /** RESCAP bit 7: Ignore Existing Key behaviour of NVMe 1.3 and later. */
  public static final int RESCAP_IEKEY = 1 << 7;

  private static final String STRUCTURE = "Identify Namespace data structure";

  private ByteBuffer buffer;
  private int offset;

  /** An unwrapped flyweight; call {@link #wrap} before use. */
  public IdentifyNamespace() {}

  /** A flyweight over a fresh, zeroed, 4096-byte little-endian heap buffer. */
  public static IdentifyNamespace allocate() {
    IdentifyNamespace id = new IdentifyNamespace();
    id.buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    return id;
  }

  /**
   * Points this flyweight at 4096 bytes starting at absolute index {@code offset}.
   *
   * @throws NvmeProtocolException if fewer than 4096 bytes lie between offset and limit
   */
  public IdentifyNamespace wrap(ByteBuffer buffer, int offset) throws NvmeProtocolException {
    Le.requireFits(buffer, offset, LENGTH, STRUCTURE);
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Wraps a copy of the 4096 bytes at {@code src.position()}. */
  public static IdentifyNamespace decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    IdentifyNamespace id = allocate();
    id.buffer.put(0, src, src.position(), LENGTH);
    return id;
  }

  /** The wrapped buffer. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute index of byte 0 of the structure. */
  public int offset() {
    return offset;
  }

  /** A copy of the 4096 bytes. */
  public byte[] toBytes() {
    return Le.bytes(buffer, offset, LENGTH);
  }

  private int u8(int off) {
    return Le.u8(buffer, offset + off);
  }

  private IdentifyNamespace u8(int off, String field, int v) {
    Le.checkRange(field, v, 0, 0xFF);
    Le.put8(buffer, offset + off, v);
    return this;
  }

  private int u16(int off) {
    return Le.u16(buffer, offset + off);
  }

  private IdentifyNamespace u16(int off, String field, int v) {
    Le.checkRange(field, v, 0, 0xFFFF);
    Le.put16(buffer, offset + off, v);
    return this;
  }

  /** NSZE, logical blocks. */
  public long nsze() {
    return Le.i64(buffer, offset + NSZE_OFFSET);
  }

  /** Sets NSZE. */
  public IdentifyNamespace nsze(long v) {
    Le.put64(buffer, offset + NSZE_OFFSET, v);
    return this;
  }

  /** NCAP, logical blocks. */
  public long ncap() {
    return Le.i64(buffer, offset + NCAP_OFFSET);
  }

  /** Sets NCAP. */
  public IdentifyNamespace ncap(long v) {
    Le.put64(buffer, offset + NCAP_OFFSET, v);
    return this;
  }

  /** NUSE, logical blocks. */
  public long nuse() {
    return Le.i64(buffer, offset + NUSE_OFFSET);
  }

  /** Sets NUSE. */
  public IdentifyNamespace nuse(long v) {
    Le.put64(buffer, offset + NUSE_OFFSET, v);
    return this;
  }

  /** NSFEAT. */
  public int nsfeat() {
    return u8(NSFEAT_OFFSET);
  }

  /** Sets NSFEAT. */
  public IdentifyNamespace nsfeat(int v) {
    return u8(NSFEAT_OFFSET, "NSFEAT", v);
  }

  /** NLBAF, zero-based: NLBAF + 1 formats are described. */
  public int nlbaf() {
    return u8(NLBAF_OFFSET);
  }

  /** Sets NLBAF. */
  public IdentifyNamespace nlbaf(int v) {
    return u8(NLBAF_OFFSET, "NLBAF", v);
  }

  /** FLBAS. */
  public int flbas() {
    return u8(FLBAS_OFFSET);
  }

  /** Sets FLBAS. */
  public IdentifyNamespace flbas(int v) {
    return u8(FLBAS_OFFSET, "FLBAS", v);
  }

  /** MC. */
  public int mc() {
    return u8(MC_OFFSET);
  }

  /** Sets MC. */
  public IdentifyNamespace mc(int v) {
    return u8(MC_OFFSET, "MC", v);
  }

  /** DPC. */
  public int dpc() {
    return u8(DPC_OFFSET);
  }

  /** Sets DPC. */
  public IdentifyNamespace dpc(int v) {
    return u8(DPC_OFFSET, "DPC", v);
  }

  /** DPS. */
  public int dps() {
    return u8(DPS_OFFSET);
  }

  /** Sets DPS. */
  public IdentifyNamespace dps(int v) {
    return u8(DPS_OFFSET, "DPS", v);
  }

  /** NMIC. */
  public int nmic() {
    return u8(NMIC_OFFSET);
  }

  /** Sets NMIC. */
  public IdentifyNamespace nmic(int v) {
    return u8(NMIC_OFFSET, "NMIC", v);
  }

  /** RESCAP ({@code RESCAP_*} bits). */
  public int rescap() {
    return u8(RESCAP_OFFSET);
  }

  /** Sets RESCAP. */
  public IdentifyNamespace rescap(int v) {
    return u8(RESCAP_OFFSET, "RESCAP", v);
  }

  /** FPI. */
  public int fpi() {
    return u8(FPI_OFFSET);
  }

  /** Sets FPI. */
  public IdentifyNamespace fpi(int v) {
    return u8(FPI_OFFSET, "FPI", v);
  }

  /** DLFEAT. */
  public int dlfeat() {
    return u8(DLFEAT_OFFSET);
  }

  /** Sets DLFEAT. */
  public IdentifyNamespace dlfeat(int v) {
    return u8(DLFEAT_OFFSET, "DLFEAT", v);
  }

  /** NAWUN (zero-based blocks). */
  public int nawun() {
    return u16(NAWUN_OFFSET);
  }

  /** Sets NAWUN. */
  public IdentifyNamespace nawun(int v) {
    return u16(NAWUN_OFFSET, "NAWUN", v);
  }

  /** NAWUPF (zero-based blocks). */
  public int nawupf() {
    return u16(NAWUPF_OFFSET);
  }

  /** Sets NAWUPF. */
  public IdentifyNamespace nawupf(int v) {
    return u16(NAWUPF_OFFSET, "NAWUPF", v);
  }

  /** NOIOB, blocks. */
  public int noiob() {
    return u16(NOIOB_OFFSET);
  }

  /** Sets NOIOB. */
  public IdentifyNamespace noiob(int v) {
    return u16(NOIOB_OFFSET, "NOIOB", v);
  }

  /** ANAGRPID (raw 32 bits; 0 when ANA is not reported). */
  public int anagrpid() {
    return Le.i32(buffer, offset + ANAGRPID_OFFSET);
  }

  /** Sets ANAGRPID. */
  public IdentifyNamespace anagrpid(int v) {
    Le.put32(buffer, offset + ANAGRPID_OFFSET, v);
    return this;
  }

  /** NSATTR. */
  public int nsattr() {
    return u8(NSATTR_OFFSET);
  }

  /** Sets NSATTR. */
  public IdentifyNamespace nsattr(int v) {
    return u8(NSATTR_OFFSET, "NSATTR", v);
  }

  /** NVMSETID. */
  public int nvmsetid() {
    return u16(NVMSETID_OFFSET);
  }

  /** Sets NVMSETID. */
  public IdentifyNamespace nvmsetid(int v) {
    return u16(NVMSETID_OFFSET, "NVMSETID", v);
  }

  /** ENDGID. */
  public int endgid() {
    return u16(ENDGID_OFFSET);
  }

  /** Sets ENDGID. */
  public IdentifyNamespace endgid(int v) {
    return u16(ENDGID_OFFSET, "ENDGID", v);
  }

  /** NGUID, 16 bytes in the order stored (all zero when not reported). */
  public byte[] nguid() {
    return Le.bytes(buffer, offset + NGUID_OFFSET, NGUID_LENGTH);
  }

  /** Sets NGUID (16 bytes). */
  public IdentifyNamespace nguid(byte[] v) {
    if (v.length != NGUID_LENGTH) {
      throw new IllegalArgumentException("NGUID is 16 bytes: " + v.length);
    }
    Le.putBytes(buffer, offset + NGUID_OFFSET, v);
    return this;
  }

  /** EUI64, 8 bytes in the order stored (all zero when not reported). */
  public byte[] eui64() {
    return Le.bytes(buffer, offset + EUI64_OFFSET, EUI64_LENGTH);
  }

  /** Sets EUI64 (8 bytes). */
  public IdentifyNamespace eui64(byte[] v) {
    if (v.length != EUI64_LENGTH) {
      throw new IllegalArgumentException("EUI64 is 8 bytes: " + v.length);
    }
    Le.putBytes(buffer, offset + EUI64_OFFSET, v);
    return this;
  }

  /** LBA Format {@code n} raw dword: MS bits 15:00, LBADS bits 23:16, RP bits 25:24. */
  public int lbaf(int n) {
    Le.checkRange("LBA format index", n, 0, MAX_LBA_FORMATS - 1);
    return Le.i32(buffer, offset + LBAF0_OFFSET + 4 * n);
  }

  /**
   * Sets LBA Format {@code n}.
   *
   * @param ms metadata bytes per block
   * @param lbads log2 of the data size (9 = 512 bytes)
   * @param rp relative performance, 0 best .. 3 degraded
   */
  public IdentifyNamespace lbaf(int n, int ms, int lbads, int rp) {
    Le.checkRange("LBA format index", n, 0, MAX_LBA_FORMATS - 1);
    Le.checkRange("MS", ms, 0, 0xFFFF);
    Le.checkRange("LBADS", lbads, 0, 0xFF);
    Le.checkRange("RP", rp, 0, 3);
    Le.put32(buffer, offset + LBAF0_OFFSET + 4 * n, rp << 24 | lbads << 16 | ms);
    return this;
  }

  /** LBADS of format {@code n}. */
  public int lbads(int n) {
    return lbaf(n) >>> 16 & 0xFF;
  }

  /** MS (metadata size) of format {@code n}. */
  public int metadataSize(int n) {
    return lbaf(n) & 0xFFFF;
  }

  /**
   * The formatted LBA format index: FLBAS bits 03:00, plus bits 06:05 as the upper two bits
   * when more than 16 formats are described.
   *
   * @throws NvmeProtocolException if the index exceeds NLBAF
   */
  public int lbaFormatIndex() throws NvmeProtocolException {
    int f = flbas();
    int index = f & 0xF;
    if (nlbaf() >= 16) {
      index |= (f >>> 5 & 0x3) << 4;
    }
    if (index > nlbaf()) {
      throw new NvmeProtocolException(
          STRUCTURE, "FLBAS selects format " + index + " but NLBAF is " + nlbaf());
    }
    return index;
  }

  /** Sets FLBAS to select format {@code index} (0..63), keeping bit 4. */
  public IdentifyNamespace lbaFormatIndex(int index) {
    Le.checkRange("LBA format index", index, 0, MAX_LBA_FORMATS - 1);
    int f = flbas() & FLBAS_EXTENDED_METADATA;
    return flbas(f | (index & 0xF) | (index >>> 4) << 5);
  }

  /**
   * Logical block data size of the formatted LBA format, in bytes.
   *
   * @throws NvmeProtocolException if the format is out of range or LBADS is below 9 or above
   *     30 (a controller may not report block sizes under 512 bytes)
   */
  public int blockSize() throws NvmeProtocolException {
    int lbads = lbads(lbaFormatIndex());
    if (lbads < 9 || lbads > 30) {
      throw new NvmeProtocolException(STRUCTURE, "unsupported LBADS " + lbads);
    }
    return 1 << lbads;
  }

  /** Whether NMIC reports a shared namespace. */
  public boolean shared() {
    return (nmic() & NMIC_SHARED) != 0;
  }

  @Override
  public String toString() {
    if (buffer == null) {
      return "IdentifyNamespace[unwrapped]";
    }
    return String.format(
        "IdentifyNamespace[nsze=%d ncap=%d nlbaf=%d flbas=0x%02x nmic=0x%02x anagrpid=%d nguid=%s"
            + " eui64=%s]",
        nsze(), ncap(), nlbaf(), flbas(), nmic(), Integer.toUnsignedLong(anagrpid()),
        Le.hex(nguid()), Le.hex(eui64()));
  }
}
