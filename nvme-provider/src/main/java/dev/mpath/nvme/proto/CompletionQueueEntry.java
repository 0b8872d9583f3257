package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight over a 16-byte Completion Queue Entry (NVMe Base 2.0, Common Completion Queue
 * Entry Layout).
 *
 * <p>Dword 3 holds CID in bits 15:00, the Phase Tag in bit 16 and the 15-bit Status field in
 * bits 31:17; {@link #statusField()} returns the Status field shifted down, ready for
 * {@link NvmeStatus}. Contract as for {@link SubmissionQueueEntry}: {@link #wrap} checks the
 * length, accessors are little-endian, absolute and allocation-free. Not thread-safe.
 */
public final class CompletionQueueEntry {

  /** Size of a completion queue entry in bytes (CQES 4). */
  public static final int LENGTH = 16;

  /** Bytes 03:00 Dword 0: command specific. */
  public static final int DW0_OFFSET = 0;
  /** Bytes 07:04 Dword 1: command specific. */
  public static final int DW1_OFFSET = 4;
  /** Bytes 09:08 SQ Head Pointer (SQHD). */
  public static final int SQHD_OFFSET = 8;
  /** Bytes 11:10 SQ Identifier (SQID). */
  public static final int SQID_OFFSET = 10;
  /** Bytes 13:12 Command Identifier (CID). */
  public static final int CID_OFFSET = 12;
  /** Bytes 15:14: Phase Tag (P, bit 0) and Status field (bits 15:01) of dword 3 bits 31:16. */
  public static final int STATUS_OFFSET = 14;

  private static final String STRUCTURE = "Completion Queue Entry";

  private ByteBuffer buffer;
  private int offset;

  /** An unwrapped flyweight; call {@link #wrap} before use. */
  public CompletionQueueEntry() {}

  /** A flyweight over a fresh, zeroed, 16-byte little-endian heap buffer. */
  public static CompletionQueueEntry allocate() {
    CompletionQueueEntry cqe = new CompletionQueueEntry();
    cqe.buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    return cqe;
  }

  /**
   * Points this flyweight at the 16 bytes starting at absolute index {@code offset}.
   *
   * @throws NvmeProtocolException if fewer than 16 bytes lie between offset and limit
   */
  public CompletionQueueEntry wrap(ByteBuffer buffer, int offset) throws NvmeProtocolException {
    Le.requireFits(buffer, offset, LENGTH, STRUCTURE);
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** The wrapped buffer. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute index of byte 0 of the entry. */
  public int offset() {
    return offset;
  }

  /** Zeroes all 16 bytes. */
  public CompletionQueueEntry clear() {
    Le.zero(buffer, offset, LENGTH);
    return this;
  }

  /** Copies the 16 bytes to {@code dst} at absolute index {@code dstOffset}. */
  public void copyTo(ByteBuffer dst, int dstOffset) {
    dst.put(dstOffset, buffer, offset, LENGTH);
  }

  /** A copy of the 16 bytes. */
  public byte[] toBytes() {
    return Le.bytes(buffer, offset, LENGTH);
  }

  /** DW0, command specific (e.g. the AER event, the Get Features value). */
  public int dw0() {
    return Le.i32(buffer, offset + DW0_OFFSET);
  }

  /** Sets DW0. */
  public CompletionQueueEntry dw0(int v) {
    Le.put32(buffer, offset + DW0_OFFSET, v);
    return this;
  }

  /** DW1, command specific. */
  public int dw1() {
    return Le.i32(buffer, offset + DW1_OFFSET);
  }

  /** Sets DW1. */
  public CompletionQueueEntry dw1(int v) {
    Le.put32(buffer, offset + DW1_OFFSET, v);
    return this;
  }

  /** SQHD, 0..65535. */
  public int sqhd() {
    return Le.u16(buffer, offset + SQHD_OFFSET);
  }

  /** Sets SQHD. */
  public CompletionQueueEntry sqhd(int v) {
    Le.checkRange("SQHD", v, 0, 0xFFFF);
    Le.put16(buffer, offset + SQHD_OFFSET, v);
    return this;
  }

  /** SQID, 0..65535. */
  public int sqid() {
    return Le.u16(buffer, offset + SQID_OFFSET);
  }

  /** Sets SQID. */
  public CompletionQueueEntry sqid(int v) {
    Le.checkRange("SQID", v, 0, 0xFFFF);
    Le.put16(buffer, offset + SQID_OFFSET, v);
    return this;
  }

  /** CID, 0..65535. */
  public int cid() {
    return Le.u16(buffer, offset + CID_OFFSET);
  }

  /** Sets CID. */
  public CompletionQueueEntry cid(int v) {
    Le.checkRange("CID", v, 0, 0xFFFF);
    Le.put16(buffer, offset + CID_OFFSET, v);
    return this;
  }

  /** Phase Tag (P), dword 3 bit 16. */
  public boolean phase() {
    return (Le.u8(buffer, offset + STATUS_OFFSET) & 0x1) != 0;
  }

  /** Sets the Phase Tag, leaving the Status field as it is. */
  public CompletionQueueEntry phase(boolean p) {
    int w = Le.u16(buffer, offset + STATUS_OFFSET);
    Le.put16(buffer, offset + STATUS_OFFSET, p ? (w | 1) : (w & ~1));
    return this;
  }

  /** The 15-bit Status field (dword 3 bits 31:17), see {@link NvmeStatus}. */
  public int statusField() {
    return Le.u16(buffer, offset + STATUS_OFFSET) >>> 1;
  }

  /** Sets the 15-bit Status field, leaving the Phase Tag as it is. */
  public CompletionQueueEntry statusField(int field) {
    Le.checkRange("Status field", field, 0, NvmeStatus.FIELD_MASK);
    int w = Le.u16(buffer, offset + STATUS_OFFSET);
    Le.put16(buffer, offset + STATUS_OFFSET, (field << 1) | (w & 1));
    return this;
  }

  /** The Status field as a value object (allocates unless it is a well-known constant). */
  public NvmeStatus status() {
    return NvmeStatus.fromField(statusField());
  }

  /** Sets the Status field from {@code status}, leaving the Phase Tag as it is. */
  public CompletionQueueEntry status(NvmeStatus status) {
    return statusField(status.field());
  }

  /** Whether the Status field is Successful Completion (SCT 0, SC 0). */
  public boolean isSuccess() {
    return NvmeStatus.code(statusField()) == 0;
  }

  @Override
  public String toString() {
    if (buffer == null) {
      return "CompletionQueueEntry[unwrapped]";
    }
    return String.format(
        "CompletionQueueEntry[dw0=0x%08x dw1=0x%08x sqhd=%d sqid=%d cid=%d p=%d status=%s]",
        dw0(), dw1(), sqhd(), sqid(), cid(), phase() ? 1 : 0, status());
  }
}
