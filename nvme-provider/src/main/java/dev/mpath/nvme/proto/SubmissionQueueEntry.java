package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight over a 64-byte Submission Queue Entry (NVMe Base 2.0, Common Command Format).
 *
 * <p>Contract: {@link #wrap} checks that 64 bytes fit at the offset; accessors then read and
 * write little-endian at absolute indexes without allocating and without moving the buffer's
 * position. One instance may be re-wrapped over many entries. Not thread-safe.
 *
 * <p>Command-specific dwords (CDW10..CDW15) are filled by the command classes of this package
 * ({@link ReadWriteCommand}, {@link IdentifyCommand}, ...); the data pointer is the
 * transport's business (PRP for memory-based transports, SGL for fabrics).
 */
public final class SubmissionQueueEntry {

  /** Size of a submission queue entry in bytes (SQES 6). */
  public static final int LENGTH = 64;

  /** Broadcast namespace identifier: all namespaces. */
  public static final int NSID_ALL = 0xFFFF_FFFF;

  // Common Command Format, Command Dword 0
  /** CDW0 bits 07:00 Opcode (OPC). */
  public static final int OPC_OFFSET = 0;
  /** CDW0 bits 15:08: Fused Operation (FUSE, bits 09:08) and PRP or SGL for Data Transfer (PSDT, bits 15:14). */
  public static final int FLAGS_OFFSET = 1;
  /** CDW0 bits 31:16 Command Identifier (CID). */
  public static final int CID_OFFSET = 2;
  /** Bytes 07:04 Namespace Identifier (NSID). */
  public static final int NSID_OFFSET = 4;
  /** Bytes 11:08 Command Dword 2. */
  public static final int CDW2_OFFSET = 8;
  /** Bytes 15:12 Command Dword 3. */
  public static final int CDW3_OFFSET = 12;
  /** Bytes 23:16 Metadata Pointer (MPTR). */
  public static final int MPTR_OFFSET = 16;
  /** Bytes 39:24 Data Pointer (DPTR). */
  public static final int DPTR_OFFSET = 24;
  /** Bytes 31:24 PRP Entry 1 (DPTR.PRP1). */
  public static final int PRP1_OFFSET = 24;
  /** Bytes 39:32 PRP Entry 2 (DPTR.PRP2). */
  public static final int PRP2_OFFSET = 32;
  /** Bytes 31:24 SGL Entry 1 address (DPTR.SGL1, SGL descriptor bytes 07:00). */
  public static final int SGL_ADDRESS_OFFSET = 24;
  /** Bytes 35:32 SGL Entry 1 length (SGL descriptor bytes 11:08). */
  public static final int SGL_LENGTH_OFFSET = 32;
  /** Byte 39 SGL Entry 1 SGL Identifier (SGL descriptor byte 15: type 7:4, sub type 3:0). */
  public static final int SGL_IDENTIFIER_OFFSET = 39;
  /** Bytes 43:40 Command Dword 10. */
  public static final int CDW10_OFFSET = 40;
  /** Bytes 47:44 Command Dword 11. */
  public static final int CDW11_OFFSET = 44;
  /** Bytes 51:48 Command Dword 12. */
  public static final int CDW12_OFFSET = 48;
  /** Bytes 55:52 Command Dword 13. */
  public static final int CDW13_OFFSET = 52;
  /** Bytes 59:56 Command Dword 14. */
  public static final int CDW14_OFFSET = 56;
  /** Bytes 63:60 Command Dword 15. */
  public static final int CDW15_OFFSET = 60;

  /** FUSE 00b: normal operation. */
  public static final int FUSE_NORMAL = 0;
  /** FUSE 01b: first command of a fused operation. */
  public static final int FUSE_FIRST = 1;
  /** FUSE 10b: second command of a fused operation. */
  public static final int FUSE_SECOND = 2;

  /** PSDT 00b: PRPs are used for this transfer. */
  public static final int PSDT_PRP = 0;
  /** PSDT 01b: SGLs are used; MPTR holds the address of a contiguous metadata buffer. */
  public static final int PSDT_SGL_MPTR_BUFFER = 1;
  /** PSDT 10b: SGLs are used; MPTR holds the address of an SGL segment for metadata. */
  public static final int PSDT_SGL_MPTR_SGL = 2;

  /** SGL identifier: Data Block descriptor (type 0h), Address sub type (0h). */
  public static final int SGL_ID_DATA_BLOCK_ADDRESS = 0x00;
  /** SGL identifier: Data Block descriptor (type 0h), Offset sub type (1h): in-capsule data. */
  public static final int SGL_ID_DATA_BLOCK_OFFSET = 0x01;
  /** SGL identifier: Transport SGL Data Block (type 5h), transport specific sub type (Ah). */
  public static final int SGL_ID_TRANSPORT_DATA_BLOCK = 0x5A;

  /** Opcode bits 01:00 data transfer direction: no data. */
  public static final int XFER_NONE = 0;
  /** Opcode bits 01:00 data transfer direction: host to controller. */
  public static final int XFER_HOST_TO_CONTROLLER = 1;
  /** Opcode bits 01:00 data transfer direction: controller to host. */
  public static final int XFER_CONTROLLER_TO_HOST = 2;
  /** Opcode bits 01:00 data transfer direction: bidirectional. */
  public static final int XFER_BIDIRECTIONAL = 3;

  private static final String STRUCTURE = "Submission Queue Entry";

  private ByteBuffer buffer;
  private int offset;

  /** An unwrapped flyweight; call {@link #wrap} before use. */
  public SubmissionQueueEntry() {}

  /** A flyweight over a fresh, zeroed, 64-byte little-endian heap buffer. */
  public static SubmissionQueueEntry allocate() {
    SubmissionQueueEntry sqe = new SubmissionQueueEntry();
    sqe.buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    sqe.offset = 0;
    return sqe;
  }

  /**
   * Points this flyweight at the 64 bytes starting at absolute index {@code offset}.
   *
   * @throws NvmeProtocolException if fewer than 64 bytes lie between offset and limit
   */
  public SubmissionQueueEntry wrap(ByteBuffer buffer, int offset) throws NvmeProtocolException {
    Le.requireFits(buffer, offset, LENGTH, STRUCTURE);
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** The wrapped buffer. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute index of byte 0 of the entry in {@link #buffer()}. */
  public int offset() {
    return offset;
  }

  /** Zeroes all 64 bytes. */
  public SubmissionQueueEntry clear() {
    Le.zero(buffer, offset, LENGTH);
    return this;
  }

  /** Copies the 64 bytes into {@code dst} at absolute index {@code dstOffset}. */
  public void copyTo(ByteBuffer dst, int dstOffset) {
    dst.put(dstOffset, buffer, offset, LENGTH);
  }

  /** A copy of the 64 bytes. */
  public byte[] toBytes() {
    return Le.bytes(buffer, offset, LENGTH);
  }

  /** OPC: the opcode, 0..255. */
  public int opcode() {
    return Le.u8(buffer, offset + OPC_OFFSET);
  }

  /** Sets OPC. */
  public SubmissionQueueEntry opcode(int opcode) {
    Le.checkRange("OPC", opcode, 0, 0xFF);
    Le.put8(buffer, offset + OPC_OFFSET, opcode);
    return this;
  }

  /** FUSE, CDW0 bits 09:08. */
  public int fuse() {
    return Le.u8(buffer, offset + FLAGS_OFFSET) & 0x3;
  }

  /** Sets FUSE. */
  public SubmissionQueueEntry fuse(int fuse) {
    Le.checkRange("FUSE", fuse, 0, 3);
    int f = Le.u8(buffer, offset + FLAGS_OFFSET);
    Le.put8(buffer, offset + FLAGS_OFFSET, (f & ~0x3) | fuse);
    return this;
  }

  /** PSDT, CDW0 bits 15:14. */
  public int psdt() {
    return (Le.u8(buffer, offset + FLAGS_OFFSET) >>> 6) & 0x3;
  }

  /** Sets PSDT. */
  public SubmissionQueueEntry psdt(int psdt) {
    Le.checkRange("PSDT", psdt, 0, 3);
    int f = Le.u8(buffer, offset + FLAGS_OFFSET);
    Le.put8(buffer, offset + FLAGS_OFFSET, (f & 0x3F) | (psdt << 6));
    return this;
  }

  /** CID: the command identifier, 0..65535. */
  public int cid() {
    return Le.u16(buffer, offset + CID_OFFSET);
  }

  /** Sets CID. */
  public SubmissionQueueEntry cid(int cid) {
    Le.checkRange("CID", cid, 0, 0xFFFF);
    Le.put16(buffer, offset + CID_OFFSET, cid);
    return this;
  }

  /** NSID (raw 32 bits; {@link #NSID_ALL} is -1). */
  public int nsid() {
    return Le.i32(buffer, offset + NSID_OFFSET);
  }

  /** Sets NSID. */
  public SubmissionQueueEntry nsid(int nsid) {
    Le.put32(buffer, offset + NSID_OFFSET, nsid);
    return this;
  }

  /** Data transfer direction encoded in opcode bits 01:00 ({@code XFER_*}). */
  public int dataTransfer() {
    return opcode() & 0x3;
  }

  /** Command Dword {@code n}, n in 0..15 (dword 0 is OPC/FUSE/PSDT/CID). */
  public int cdw(int n) {
    Le.checkRange("dword", n, 0, 15);
    return Le.i32(buffer, offset + 4 * n);
  }

  /** Sets Command Dword {@code n}, n in 0..15. */
  public SubmissionQueueEntry cdw(int n, int value) {
    Le.checkRange("dword", n, 0, 15);
    Le.put32(buffer, offset + 4 * n, value);
    return this;
  }

  /** CDW2. */
  public int cdw2() {
    return Le.i32(buffer, offset + CDW2_OFFSET);
  }

  /** Sets CDW2. */
  public SubmissionQueueEntry cdw2(int v) {
    Le.put32(buffer, offset + CDW2_OFFSET, v);
    return this;
  }

  /** CDW3. */
  public int cdw3() {
    return Le.i32(buffer, offset + CDW3_OFFSET);
  }

  /** Sets CDW3. */
  public SubmissionQueueEntry cdw3(int v) {
    Le.put32(buffer, offset + CDW3_OFFSET, v);
    return this;
  }

  /** MPTR. */
  public long mptr() {
    return Le.i64(buffer, offset + MPTR_OFFSET);
  }

  /** Sets MPTR. */
  public SubmissionQueueEntry mptr(long v) {
    Le.put64(buffer, offset + MPTR_OFFSET, v);
    return this;
  }

  /** DPTR.PRP1. */
  public long prp1() {
    return Le.i64(buffer, offset + PRP1_OFFSET);
  }

  /** Sets DPTR.PRP1. */
  public SubmissionQueueEntry prp1(long v) {
    Le.put64(buffer, offset + PRP1_OFFSET, v);
    return this;
  }

  /** DPTR.PRP2. */
  public long prp2() {
    return Le.i64(buffer, offset + PRP2_OFFSET);
  }

  /** Sets DPTR.PRP2. */
  public SubmissionQueueEntry prp2(long v) {
    Le.put64(buffer, offset + PRP2_OFFSET, v);
    return this;
  }

  /** DPTR.SGL1 address (descriptor bytes 07:00). */
  public long sglAddress() {
    return Le.i64(buffer, offset + SGL_ADDRESS_OFFSET);
  }

  /** DPTR.SGL1 length in bytes (descriptor bytes 11:08, unsigned). */
  public long sglLength() {
    return Le.u32(buffer, offset + SGL_LENGTH_OFFSET);
  }

  /** DPTR.SGL1 SGL identifier (descriptor byte 15). */
  public int sglIdentifier() {
    return Le.u8(buffer, offset + SGL_IDENTIFIER_OFFSET);
  }

  /**
   * Writes a data-block style SGL descriptor into DPTR: address, 32-bit length, three
   * reserved bytes zeroed, SGL identifier.
   */
  public SubmissionQueueEntry sglDataBlock(long address, long length, int identifier) {
    Le.checkRange("SGL length", length, 0, 0xFFFF_FFFFL);
    Le.checkRange("SGL identifier", identifier, 0, 0xFF);
    Le.put64(buffer, offset + SGL_ADDRESS_OFFSET, address);
    Le.put32(buffer, offset + SGL_LENGTH_OFFSET, (int) length);
    Le.zero(buffer, offset + 36, 3);
    Le.put8(buffer, offset + SGL_IDENTIFIER_OFFSET, identifier);
    return this;
  }

  /** CDW10. */
  public int cdw10() {
    return Le.i32(buffer, offset + CDW10_OFFSET);
  }

  /** Sets CDW10. */
  public SubmissionQueueEntry cdw10(int v) {
    Le.put32(buffer, offset + CDW10_OFFSET, v);
    return this;
  }

  /** CDW11. */
  public int cdw11() {
    return Le.i32(buffer, offset + CDW11_OFFSET);
  }

  /** Sets CDW11. */
  public SubmissionQueueEntry cdw11(int v) {
    Le.put32(buffer, offset + CDW11_OFFSET, v);
    return this;
  }

  /** CDW12. */
  public int cdw12() {
    return Le.i32(buffer, offset + CDW12_OFFSET);
  }

  /** Sets CDW12. */
  public SubmissionQueueEntry cdw12(int v) {
    Le.put32(buffer, offset + CDW12_OFFSET, v);
    return this;
  }

  /** CDW13. */
  public int cdw13() {
    return Le.i32(buffer, offset + CDW13_OFFSET);
  }

  /** Sets CDW13. */
  public SubmissionQueueEntry cdw13(int v) {
    Le.put32(buffer, offset + CDW13_OFFSET, v);
    return this;
  }

  /** CDW14. */
  public int cdw14() {
    return Le.i32(buffer, offset + CDW14_OFFSET);
  }

  /** Sets CDW14. */
  public SubmissionQueueEntry cdw14(int v) {
    Le.put32(buffer, offset + CDW14_OFFSET, v);
    return this;
  }

  /** CDW15. */
  public int cdw15() {
    return Le.i32(buffer, offset + CDW15_OFFSET);
  }

  /** Sets CDW15. */
  public SubmissionQueueEntry cdw15(int v) {
    Le.put32(buffer, offset + CDW15_OFFSET, v);
    return this;
  }

  @Override
  public String toString() {
    if (buffer == null) {
      return "SubmissionQueueEntry[unwrapped]";
    }
    return String.format(
        "SubmissionQueueEntry[opc=0x%02x cid=%d nsid=0x%x cdw10=0x%08x cdw11=0x%08x cdw12=0x%08x"
            + " cdw13=0x%08x cdw14=0x%08x cdw15=0x%08x]",
        opcode(), cid(), nsid(), cdw10(), cdw11(), cdw12(), cdw13(), cdw14(), cdw15());
  }
}
