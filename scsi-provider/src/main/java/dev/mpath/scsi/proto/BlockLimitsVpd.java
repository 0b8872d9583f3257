package dev.mpath.scsi.proto;

import java.util.Objects;

/**
 * Block Limits VPD page (SBC-3 6.5.3), page code B0h, PAGE LENGTH 003Ch.
 *
 * <pre>
 * byte 4      bit 0 WSNZ
 * byte 5      MAXIMUM COMPARE AND WRITE LENGTH
 * byte 6-7    OPTIMAL TRANSFER LENGTH GRANULARITY
 * byte 8-11   MAXIMUM TRANSFER LENGTH
 * byte 12-15  OPTIMAL TRANSFER LENGTH
 * byte 16-19  MAXIMUM PREFETCH XDREAD XDWRITE TRANSFER LENGTH
 * byte 20-23  MAXIMUM UNMAP LBA COUNT
 * byte 24-27  MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 * byte 28-31  OPTIMAL UNMAP GRANULARITY
 * byte 32-35  bit 7 of 32 UGAVALID, UNMAP GRANULARITY ALIGNMENT (31 bits)
 * byte 36-43  MAXIMUM WRITE SAME LENGTH
 * byte 44-63  reserved
 * </pre>
 *
 * <p>Lengths are in logical blocks, zero meaning "not reported / no limit". Decoding accepts a
 * shorter PAGE LENGTH (early SBC-3 drafts used 000Ch): fields beyond it read as zero.
 */
public record BlockLimitsVpd(Peripheral peripheral, boolean wsnz, int maxCompareAndWriteLength,
    int optimalTransferLengthGranularity, long maxTransferLength, long optimalTransferLength,
    long maxPrefetchLength, long maxUnmapLbaCount, long maxUnmapBlockDescriptorCount,
    long optimalUnmapGranularity, boolean ugaValid, long unmapGranularityAlignment,
    long maxWriteSameLength) implements VpdPage {

  /** PAGE LENGTH this codec encodes. */
  public static final int PAGE_LENGTH = 0x3C;

  public BlockLimitsVpd {
    Objects.requireNonNull(peripheral, "peripheral");
    Bytes.checkRange("MAXIMUM COMPARE AND WRITE LENGTH", maxCompareAndWriteLength, 0, 0xFF);
    Bytes.checkRange("OPTIMAL TRANSFER LENGTH GRANULARITY", optimalTransferLengthGranularity, 0,
        0xFFFF);
    Bytes.checkU32("MAXIMUM TRANSFER LENGTH", maxTransferLength);
    Bytes.checkU32("OPTIMAL TRANSFER LENGTH", optimalTransferLength);
    Bytes.checkU32("MAXIMUM PREFETCH LENGTH", maxPrefetchLength);
    Bytes.checkU32("MAXIMUM UNMAP LBA COUNT", maxUnmapLbaCount);
    Bytes.checkU32("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT", maxUnmapBlockDescriptorCount);
    Bytes.checkU32("OPTIMAL UNMAP GRANULARITY", optimalUnmapGranularity);
    Bytes.checkRange("UNMAP GRANULARITY ALIGNMENT", unmapGranularityAlignment, 0, 0x7FFF_FFFFL);
  }

  /** Limits for a disk that reports transfer limits and UNMAP support. */
  public static BlockLimitsVpd of(long maxTransferLength, long optimalTransferLength,
      long maxUnmapLbaCount, long maxUnmapBlockDescriptorCount, long optimalUnmapGranularity,
      long maxWriteSameLength) {
    return new BlockLimitsVpd(Peripheral.DISK, false, 0, 0, maxTransferLength,
        optimalTransferLength, 0, maxUnmapLbaCount, maxUnmapBlockDescriptorCount,
        optimalUnmapGranularity, false, 0, maxWriteSameLength);
  }

  @Override
  public int pageCode() {
    return BLOCK_LIMITS;
  }

  @Override
  public byte[] encode() {
    byte[] d = VpdSupport.page(peripheral, BLOCK_LIMITS, PAGE_LENGTH);
    d[4] = (byte) (wsnz ? 1 : 0);
    d[5] = (byte) maxCompareAndWriteLength;
    Bytes.put16(d, 6, optimalTransferLengthGranularity);
    Bytes.put32(d, 8, maxTransferLength);
    Bytes.put32(d, 12, optimalTransferLength);
    Bytes.put32(d, 16, maxPrefetchLength);
    Bytes.put32(d, 20, maxUnmapLbaCount);
    Bytes.put32(d, 24, maxUnmapBlockDescriptorCount);
    Bytes.put32(d, 28, optimalUnmapGranularity);
    Bytes.put32(d, 32, (ugaValid ? 0x8000_0000L : 0) | unmapGranularityAlignment);
    Bytes.put64(d, 36, maxWriteSameLength);
    return d;
  }

  public static BlockLimitsVpd decode(byte[] b, int off, int len) {
    int pl = VpdSupport.checkHeader(b, off, len, BLOCK_LIMITS, "Block Limits page");
    int end = HEADER_LENGTH + pl;
    long uga = end >= 36 ? Bytes.u32(b, off + 32) : 0;
    return new BlockLimitsVpd(Peripheral.fromByte(Bytes.u8(b, off)),
        end >= 5 && (b[off + 4] & 1) != 0,
        end >= 6 ? Bytes.u8(b, off + 5) : 0,
        end >= 8 ? Bytes.u16(b, off + 6) : 0,
        end >= 12 ? Bytes.u32(b, off + 8) : 0,
        end >= 16 ? Bytes.u32(b, off + 12) : 0,
        end >= 20 ? Bytes.u32(b, off + 16) : 0,
        end >= 24 ? Bytes.u32(b, off + 20) : 0,
        end >= 28 ? Bytes.u32(b, off + 24) : 0,
        end >= 32 ? Bytes.u32(b, off + 28) : 0,
        (uga & 0x8000_0000L) != 0,
        uga & 0x7FFF_FFFFL,
        end >= 44 ? Bytes.u64(b, off + 36) : 0);
  }
}
