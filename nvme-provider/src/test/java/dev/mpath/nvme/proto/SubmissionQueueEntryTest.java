package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SubmissionQueueEntryTest {

  // Common Command Format (Base 2.0): a Read of 8 blocks at SLBA 1_2345_6789h, NSID 1, CID 1234h.
  static final byte[] READ_GOLDEN = hex(
      "02"                          // byte 0      CDW0 OPC = Read (02h)
      + "00"                        // byte 1      FUSE 00b, PSDT 00b
      + "34 12"                     // bytes 3:2   CID = 1234h
      + "01 00 00 00"               // bytes 7:4   NSID = 1
      + "00 00 00 00 | 00 00 00 00" // bytes 15:8  CDW2, CDW3
      + "00 00 00 00 00 00 00 00"   // bytes 23:16 MPTR
      + "00 00 00 00 00 00 00 00"   // bytes 31:24 PRP1
      + "00 00 00 00 00 00 00 00"   // bytes 39:32 PRP2
      + "89 67 45 23"               // bytes 43:40 CDW10 = SLBA[31:0]
      + "01 00 00 00"               // bytes 47:44 CDW11 = SLBA[63:32]
      + "07 00 00 00"               // bytes 51:48 CDW12 NLB = 7 (zero-based: 8 blocks)
      + "00 00 00 00 | 00 00 00 00 | 00 00 00 00"); // CDW13..CDW15

  @Test
  void readBuilderMatchesGoldenBytes() {
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    ReadWriteCommand.read(sqe, 0x1234, 1, 0x1_2345_6789L, 8);
    assertArrayEquals(READ_GOLDEN, sqe.toBytes());
  }

  @Test
  void decodesGoldenBytesInBigEndianBuffer() throws Exception {
    SubmissionQueueEntry sqe = new SubmissionQueueEntry().wrap(Golden.be(READ_GOLDEN), 0);
    assertEquals(NvmOpcode.READ, sqe.opcode());
    assertEquals(0, sqe.fuse());
    assertEquals(0, sqe.psdt());
    assertEquals(0x1234, sqe.cid());
    assertEquals(1, sqe.nsid());
    assertEquals(0x23456789, sqe.cdw10());
    assertEquals(1, sqe.cdw11());
    assertEquals(7, sqe.cdw12());
    assertEquals(0x1_2345_6789L, ReadWriteCommand.slba(sqe));
    assertEquals(8, ReadWriteCommand.blocks(sqe));
    assertEquals(SubmissionQueueEntry.XFER_CONTROLLER_TO_HOST, sqe.dataTransfer());
  }

  @Test
  void everyFieldLandsAtItsSpecOffsetAtNonZeroOffset() throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(3 + 64 + 5); // big-endian on purpose
    SubmissionQueueEntry sqe = new SubmissionQueueEntry().wrap(buf, 3);
    sqe.opcode(0x81).fuse(SubmissionQueueEntry.FUSE_SECOND).psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_SGL)
        .cid(0xBEEF).nsid(0xFFFFFFFF).cdw2(0x02020202).cdw3(0x03030303)
        .mptr(0x1716151413121110L).prp1(0x1F1E1D1C1B1A1918L).prp2(0x2726252423222120L)
        .cdw10(0x0A0A0A0A).cdw11(0x0B0B0B0B).cdw12(0x0C0C0C0C).cdw13(0x0D0D0D0D)
        .cdw14(0x0E0E0E0E).cdw15(0x0F0F0F0F);
    byte[] expected = hex(
        "81"             // OPC
        + "82"           // FUSE 10b in bits 1:0, PSDT 10b in bits 7:6
        + "EF BE"        // CID
        + "FF FF FF FF"  // NSID
        + "02 02 02 02 | 03 03 03 03"
        + "10 11 12 13 14 15 16 17"  // MPTR little-endian
        + "18 19 1A 1B 1C 1D 1E 1F"  // PRP1
        + "20 21 22 23 24 25 26 27"  // PRP2
        + "0A0A0A0A 0B0B0B0B 0C0C0C0C 0D0D0D0D 0E0E0E0E 0F0F0F0F");
    byte[] actual = new byte[64];
    buf.get(3, actual);
    assertArrayEquals(expected, actual);
    assertEquals(0, buf.get(2));
    assertEquals(0, buf.get(67));
    assertEquals(0, buf.position());
    assertEquals(SubmissionQueueEntry.FUSE_SECOND, sqe.fuse());
    assertEquals(SubmissionQueueEntry.PSDT_SGL_MPTR_SGL, sqe.psdt());
    assertEquals(0xBEEF, sqe.cid());
    assertEquals(-1, sqe.nsid());
    assertEquals(0x1716151413121110L, sqe.mptr());
    assertEquals(0x0C0C0C0C, sqe.cdw(12));
    sqe.fuse(0);
    assertEquals(SubmissionQueueEntry.PSDT_SGL_MPTR_SGL, sqe.psdt(), "FUSE write keeps PSDT");
  }

  @Test
  void sglDescriptorLayout() {
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    sqe.prp2(-1L); // dirty the bytes the descriptor must overwrite
    sqe.sglDataBlock(0, 0x1000, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
    byte[] dptr = new byte[16];
    System.arraycopy(sqe.toBytes(), 24, dptr, 0, 16);
    // SGL descriptor: bytes 7:0 address, 11:8 length, 14:12 reserved, 15 identifier (5h<<4 | Ah)
    assertArrayEquals(hex("0000000000000000 00100000 000000 5A"), dptr);
    assertEquals(0x1000, sqe.sglLength());
    assertEquals(0x5A, sqe.sglIdentifier());
  }

  @Test
  void wrapRejectsShortBuffers() {
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> new SubmissionQueueEntry().wrap(ByteBuffer.allocate(63), 0));
    assertEquals(64, e.expectedLength());
    assertEquals(63, e.actualLength());
    assertThrows(NvmeProtocolException.class,
        () -> new SubmissionQueueEntry().wrap(ByteBuffer.allocate(100), 40));
    ByteBuffer limited = ByteBuffer.allocate(128).limit(70);
    assertThrows(NvmeProtocolException.class, () -> new SubmissionQueueEntry().wrap(limited, 8));
    assertThrows(NvmeProtocolException.class,
        () -> new CompletionQueueEntry().wrap(ByteBuffer.allocate(15), 0));
  }

  @Test
  void settersRejectOutOfRange() {
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    assertThrows(IllegalArgumentException.class, () -> sqe.cid(0x10000));
    assertThrows(IllegalArgumentException.class, () -> sqe.opcode(256));
    assertThrows(IllegalArgumentException.class, () -> sqe.fuse(4));
    assertThrows(IllegalArgumentException.class, () -> sqe.cdw(16));
  }

  @Test
  void clearAndCopy() throws Exception {
    SubmissionQueueEntry sqe = new SubmissionQueueEntry()
        .wrap(ByteBuffer.wrap(READ_GOLDEN.clone()).order(ByteOrder.LITTLE_ENDIAN), 0);
    ByteBuffer dst = ByteBuffer.allocate(80);
    sqe.copyTo(dst, 8);
    byte[] copied = new byte[64];
    dst.get(8, copied);
    assertArrayEquals(READ_GOLDEN, copied);
    sqe.clear();
    assertArrayEquals(new byte[64], sqe.toBytes());
  }
}
