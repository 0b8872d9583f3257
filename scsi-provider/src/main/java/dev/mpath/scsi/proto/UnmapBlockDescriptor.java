package dev.mpath.scsi.proto;

/**
 * UNMAP block descriptor (SBC-3, 16 bytes): bytes 0-7 UNMAP LOGICAL BLOCK ADDRESS, bytes 8-11
 * NUMBER OF LOGICAL BLOCKS, bytes 12-15 reserved.
 *
 * @param lba             UNMAP LOGICAL BLOCK ADDRESS (unsigned 64 bits)
 * @param numberOfBlocks  NUMBER OF LOGICAL BLOCKS (unsigned 32 bits)
 */
public record UnmapBlockDescriptor(long lba, long numberOfBlocks) {
  /** Encoded length. */
  public static final int LENGTH = 16;

  public UnmapBlockDescriptor {
    Bytes.checkU32("NUMBER OF LOGICAL BLOCKS", numberOfBlocks);
  }
}
