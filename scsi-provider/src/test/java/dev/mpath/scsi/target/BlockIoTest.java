package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.BS;
import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.SynchronizeCacheCdb;
import dev.mpath.scsi.proto.UnmapBlockDescriptor;
import dev.mpath.scsi.proto.UnmapCdb;
import dev.mpath.scsi.proto.UnmapParameterList;
import dev.mpath.store.BackingStore;
import dev.mpath.store.BackingStores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockIoTest {

  static byte[] pattern(int blocks, long seed) {
    byte[] b = new byte[blocks * BS];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] medium(LogicalUnit lu, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * lu.blockSize());
    lu.store().read(lba * lu.blockSize(), b);
    return b.array();
  }

  @Test
  void writeThroughOnePortReadThroughTheOther() throws IOException {
    try (Rig rig = new Rig()) {
      Host a1 = rig.login(HOST_A, 1);
      Host b2 = rig.login(HOST_B, 2);
      byte[] data = pattern(8, 1);
      ScsiResponse w = a1.write(0, 100, data);
      assertGood(w);
      assertEquals(data.length, w.dataTransferred());
      assertEquals(0, w.residual());
      assertArrayEquals(data, b2.readBlocks(100, 8));
      assertArrayEquals(data, medium(rig.target.lun(0), 100, 8));
      // 16-byte CDBs reach the same blocks.
      ByteBuffer in = ByteBuffer.allocate(2 * BS);
      assertGood(b2.run(0, ReadWriteCdb.read16(103, 2).toBytes(), in, 2 * BS));
      assertArrayEquals(Arrays.copyOfRange(data, 3 * BS, 5 * BS), in.array());
      byte[] more = pattern(1, 2);
      assertGood(a1.run(0, ReadWriteCdb.write16(Rig.BLOCKS - 1, 1).toBytes(),
          ByteBuffer.wrap(more), BS));
      assertArrayEquals(more, b2.readBlocks(Rig.BLOCKS - 1, 1));
    }
  }

  @Test
  void callerBufferPositionAndLimitNeverMove() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      ByteBuffer out = ByteBuffer.allocate(3 * BS);
      out.position(BS).limit(2 * BS);
      assertGood(h.run(0, ReadWriteCdb.write10(0, 1).toBytes(), out, BS));
      assertEquals(BS, out.position());
      assertEquals(2 * BS, out.limit());
      ByteBuffer in = ByteBuffer.allocate(2 * BS);
      in.position(BS);
      assertGood(h.run(0, ReadWriteCdb.read10(0, 1).toBytes(), in, BS));
      assertEquals(BS, in.position());
      assertEquals(2 * BS, in.limit());
    }
  }

  @Test
  void outOfRangeLbaIsRefused() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      ScsiResponse r = h.write(0, Rig.BLOCKS - 1, pattern(2, 3));
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
      r = h.read(0, Rig.BLOCKS, ByteBuffer.allocate(BS));
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
      // An LBA with bit 63 set must not wrap around.
      r = h.run(0, ReadWriteCdb.read16(-1L, 1).toBytes(), ByteBuffer.allocate(BS), BS);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
      // Zero blocks at the end is fine.
      assertGood(h.run(0, ReadWriteCdb.read10(Rig.BLOCKS, 0).toBytes(), null, 0));
    }
  }

  @Test
  void readLengthMismatchIsAResidualLikeLio() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = pattern(4, 4);
      assertGood(h.write(0, 0, data));
      // Underflow: the initiator expects 4 blocks, the CDB asks for 2.
      ByteBuffer big = ByteBuffer.allocate(4 * BS);
      ScsiResponse r = h.run(0, ReadWriteCdb.read10(0, 2).toBytes(), big, 4 * BS);
      assertGood(r);
      assertEquals(2 * BS, r.dataTransferred());
      assertEquals(2 * BS, r.residual());
      // Overflow: the CDB asks for 4 blocks, the initiator expects 1.
      ByteBuffer small = ByteBuffer.allocate(BS);
      r = h.run(0, ReadWriteCdb.read10(0, 4).toBytes(), small, BS);
      assertGood(r);
      assertEquals(BS, r.dataTransferred());
      assertEquals(-3 * BS, r.residual());
      assertArrayEquals(Arrays.copyOf(data, BS), small.array());
    }
  }

  /**
   * RFC 7143 11.4.5.1 on a WRITE whose expected length disagrees with its CDB: no more than
   * the expected length and no more than the CDB's blocks are written, GOOD, with the
   * overflow (negative) or underflow as the residual; a length that cuts a block is refused
   * (INVALID FIELD IN COMMAND INFORMATION UNIT), the overflow still reported.
   */
  @Test
  void writeLengthMismatchWritesWhatBothAllowAndReportsTheResidual() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] a = new byte[2 * BS];
      Arrays.fill(a, (byte) 'a');
      byte[] b = new byte[10_000];
      Arrays.fill(b, (byte) 'b');
      // one block, expected length 0: nothing written, one block of overflow
      assertGood(h.write(0, 10, a));
      ScsiResponse r = h.run(0, ReadWriteCdb.write10(10, 1).toBytes(), null, 0);
      assertGood(r);
      assertEquals(0, r.dataTransferred());
      assertEquals(-BS, r.residual());
      assertArrayEquals(a, medium(rig.target.lun(0), 10, 2));
      // one block, expected 2 blocks: the first written, the second not, one block underflow
      r = h.run(0, ReadWriteCdb.write10(10, 1).toBytes(), ByteBuffer.wrap(b, 0, 2 * BS), 2 * BS);
      assertGood(r);
      assertEquals(BS, r.dataTransferred());
      assertEquals(BS, r.residual());
      byte[] want = a.clone();
      Arrays.fill(want, 0, BS, (byte) 'b');
      assertArrayEquals(want, medium(rig.target.lun(0), 10, 2));
      // one block, expected 10000 bytes: 10000 - 512 underflow
      r = h.run(0, ReadWriteCdb.write10(12, 1).toBytes(), ByteBuffer.wrap(b), 10_000);
      assertGood(r);
      assertEquals(10_000 - BS, r.residual());
      // two blocks, expected one: the first written, one block of overflow
      assertGood(h.write(0, 20, a));
      r = h.run(0, ReadWriteCdb.write10(20, 2).toBytes(), ByteBuffer.wrap(b, 0, BS), BS);
      assertGood(r);
      assertEquals(BS, r.dataTransferred());
      assertEquals(-BS, r.residual());
      assertArrayEquals(want, medium(rig.target.lun(0), 20, 2));
      // one block, expected 200 bytes: refused, 312 bytes of overflow, nothing written
      assertGood(h.write(0, 30, a));
      r = h.run(0, ReadWriteCdb.write10(30, 1).toBytes(), ByteBuffer.wrap(b, 0, 200), 200);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
      assertEquals(200 - BS, r.residual());
      assertArrayEquals(a, medium(rig.target.lun(0), 30, 2));
    }
  }

  /** READ (6), WRITE (6), READ (12), WRITE (12): the same medium as the 10- and 16-byte forms. */
  @Test
  void sixAndTwelveByteReadsAndWritesReachTheSameMedium() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = pattern(3, 9);
      // WRITE (12) of 3 blocks at LBA 70, read back by READ (6) and READ (10)
      byte[] w12 = {(byte) 0xAA, 0, 0, 0, 0, 70, 0, 0, 0, 3, 0, 0};
      assertGood(h.run(0, w12, ByteBuffer.wrap(data), data.length));
      ByteBuffer back = ByteBuffer.allocate(data.length);
      byte[] r6 = {0x08, 0, 0, 70, 3, 0};
      ScsiResponse r = h.run(0, r6, back, data.length);
      assertGood(r);
      assertEquals(data.length, r.dataTransferred());
      assertArrayEquals(data, back.array());
      assertArrayEquals(data, medium(rig.target.lun(0), 70, 3));
      // WRITE (6) of one block at LBA 80, read by READ (12)
      byte[] one = pattern(1, 11);
      assertGood(h.run(0, new byte[] {0x0A, 0, 0, 80, 1, 0}, ByteBuffer.wrap(one), BS));
      ByteBuffer b12 = ByteBuffer.allocate(BS);
      assertGood(h.run(0, new byte[] {(byte) 0xA8, 0, 0, 0, 0, 80, 0, 0, 0, 1, 0, 0}, b12, BS));
      assertArrayEquals(one, b12.array());
      // READ (6) with TRANSFER LENGTH 0 reads 256 blocks (SBC-3 5.8)
      ByteBuffer many = ByteBuffer.allocate(256 * BS);
      r = h.run(0, new byte[] {0x08, 0, 0, 0, 0, 0}, many, 256 * BS);
      assertGood(r);
      assertEquals(256 * BS, r.dataTransferred());
      // beyond the end: LBA OUT OF RANGE, as the other forms
      assertCheck(h.run(0, new byte[] {0x08, 0, 0x03, (byte) 0xFF, 2, 0}, ByteBuffer.allocate(2 * BS), 2 * BS),
          SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
    }
  }

  @Test
  void transferLongerThanBlockLimitsIsRefused() {
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.of(1 << 20, 512)))) {
      Host h = rig.login(HOST_A, 1);
      int blocks = 8 * 1024 * 1024 / 512 + 1;
      ScsiResponse r = h.run(1, ReadWriteCdb.read16(0, blocks).toBytes(), null, 0);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void synchronizeCacheFlushesAndChecksRange(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("disk.img");
    BackingStore store = BackingStores.file(file, 64 * BS);
    Rig rig = new Rig(b -> b.lun(1, LuSpec.builder(64).store(store).build()));
    byte[] data = pattern(2, 6);
    try {
      Host h = rig.login(HOST_A, 1);
      assertGood(h.run(1, ReadWriteCdb.write10(4, 2).withFua(true).toBytes(),
          ByteBuffer.wrap(data), data.length));
      assertGood(h.noData(1, SynchronizeCacheCdb.all10().toBytes()));
      assertGood(h.noData(1, SynchronizeCacheCdb.all16().toBytes()));
      ScsiResponse r = h.noData(1, new SynchronizeCacheCdb(0x35, false, 60, 10, 0, 0).toBytes());
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
    } finally {
      rig.close(); // closes the store after the queued commands
    }
    byte[] onDisk = Files.readAllBytes(file);
    assertArrayEquals(data, Arrays.copyOfRange(onDisk, 4 * BS, 6 * BS));
  }

  @Test
  void unmapDeallocatesToZeros() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      assertGood(h.write(0, 0, pattern(16, 7)));
      byte[] list = new UnmapParameterList(List.of(new UnmapBlockDescriptor(2, 3),
          new UnmapBlockDescriptor(10, 1))).encode();
      ScsiResponse r = h.run(0, UnmapCdb.of(list.length).toBytes(), ByteBuffer.wrap(list),
          list.length);
      assertGood(r);
      assertEquals(list.length, r.dataTransferred());
      byte[] after = medium(rig.target.lun(0), 0, 16);
      byte[] orig = pattern(16, 7);
      for (int blk = 0; blk < 16; blk++) {
        byte[] got = Arrays.copyOfRange(after, blk * BS, (blk + 1) * BS);
        boolean unmapped = (blk >= 2 && blk < 5) || blk == 10;
        assertArrayEquals(unmapped ? new byte[BS]
            : Arrays.copyOfRange(orig, blk * BS, (blk + 1) * BS), got, "block " + blk);
      }
    }
  }

  @Test
  void unmapValidatesEverythingBeforeDiscardingAnything() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = pattern(4, 8);
      assertGood(h.write(0, 0, data));
      byte[] list = new UnmapParameterList(List.of(new UnmapBlockDescriptor(0, 4),
          new UnmapBlockDescriptor(Rig.BLOCKS - 1, 2))).encode();
      ScsiResponse r = h.run(0, UnmapCdb.of(list.length).toBytes(), ByteBuffer.wrap(list),
          list.length);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
      assertArrayEquals(data, medium(rig.target.lun(0), 0, 4));
      // Parameter list length shorter than the header.
      r = h.run(0, UnmapCdb.of(6).toBytes(), ByteBuffer.wrap(new byte[6]), 6);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      // Descriptor data length running past the list.
      byte[] bad = Arrays.copyOf(list, 8);
      r = h.run(0, UnmapCdb.of(8).toBytes(), ByteBuffer.wrap(bad), 8);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      // The CDB announces more than the initiator sends.
      r = h.run(0, UnmapCdb.of(list.length).toBytes(), ByteBuffer.wrap(list), 8);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      assertArrayEquals(data, medium(rig.target.lun(0), 0, 4));
    }
  }
}
