package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.BS;
import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.CompareAndWriteCdb;
import dev.mpath.scsi.proto.GetLbaStatusCdb;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.ReportSupportedOperationCodesCdb;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.VerifyCdb;
import dev.mpath.scsi.proto.WriteSameCdb;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The SBC-3 commands beyond READ/WRITE, and RESERVE/RELEASE (6), on the emulated LU. */
class SbcCommandsTest {

  private static byte[] filled(int blocks, int value) {
    byte[] b = new byte[blocks * BS];
    Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void verifyComparesAndReportsTheOffsetOfTheFirstMiscompare() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = BlockIoTest.pattern(4, 7);
      assertGood(h.write(0, 10, data));
      assertGood(h.run(0, VerifyCdb.verify10(10, 4, 1).toBytes(), ByteBuffer.wrap(data.clone()),
          data.length));
      assertGood(h.noData(0, VerifyCdb.verify16(10, 4, 0).toBytes()));
      byte[] bad = data.clone();
      bad[3 * BS + 17] ^= 0x55;
      ScsiResponse r = h.run(0, VerifyCdb.verify10(10, 4, 1).toBytes(), ByteBuffer.wrap(bad),
          bad.length);
      assertCheck(r, SenseKey.MISCOMPARE, Asc.MISCOMPARE_DURING_VERIFY_OPERATION);
      SenseData s = r.senseData().orElseThrow();
      assertTrue(s.informationValid());
      assertEquals(3 * BS + 17, s.information());
      // BYTCHK 11b: one block against each; BYTCHK 10b is reserved
      assertGood(h.write(0, 20, filled(3, 0x5A)));
      assertGood(h.run(0, VerifyCdb.verify10(20, 3, 3).toBytes(), ByteBuffer.wrap(filled(1, 0x5A)),
          BS));
      assertCheck(h.run(0, VerifyCdb.verify10(20, 3, 2).toBytes(), null, 0),
          SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertCheck(h.noData(0, VerifyCdb.verify10(Rig.BLOCKS - 1, 2, 0).toBytes()),
          SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
    }
  }

  @Test
  void writeAndVerifyWritesAndOrwriteOrs() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = BlockIoTest.pattern(2, 9);
      VerifyCdb wv = new VerifyCdb(OperationCode.WRITE_AND_VERIFY_10, 0, false, 1, 40, 2, 0, 0);
      assertGood(h.run(0, wv.toBytes(), ByteBuffer.wrap(data), data.length));
      assertArrayEquals(data, h.readBlocks(40, 2));
      assertGood(h.write(0, 50, filled(1, 0x0F)));
      byte[] orw = new byte[16];
      orw[0] = (byte) OperationCode.ORWRITE_16;
      orw[9] = 50;
      orw[13] = 1;
      assertGood(h.run(0, orw, ByteBuffer.wrap(filled(1, 0xA0)), BS));
      assertArrayEquals(filled(1, 0xAF), h.readBlocks(50, 1));
    }
  }

  @Test
  void writeSameRepeatsUnmapsZerosAndRunsToTheEnd() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      assertGood(h.run(0, new WriteSameCdb(OperationCode.WRITE_SAME_10, 0, false, false, false, 0,
          200, 0, 0).toBytes(), ByteBuffer.wrap(filled(1, 0x77)), BS));
      assertArrayEquals(filled(200, 0x77), h.readBlocks(0, 200));
      // UNMAP with zeros: deallocated, as GET LBA STATUS then says (64 KiB chunks = 128 blocks)
      assertGood(h.run(0, WriteSameCdb.of16(0, 128, true).toBytes(),
          ByteBuffer.wrap(new byte[BS]), BS));
      assertArrayEquals(new byte[128 * BS], h.readBlocks(0, 128));
      byte[] st = h.dataIn(0, new GetLbaStatusCdb(0, 40, 0).toBytes(), 40);
      assertEquals("00000024" + "00000000"               // PARAMETER DATA LENGTH 36
          + "0000000000000000" + "00000080" + "01000000" // LBA 0, 128 blocks, deallocated
          + "0000000000000080" + "00000080" + "00000000", // LBA 128, 128 blocks, mapped
          HexFormat.of().formatHex(st));
      // NUMBER OF LOGICAL BLOCKS 0: to the last block; NDOB: zeros without Data-Out
      assertGood(h.run(0, new WriteSameCdb(OperationCode.WRITE_SAME_16, 0, false, false, false,
          Rig.BLOCKS - 3, 0, 0, 0).toBytes(), ByteBuffer.wrap(filled(1, 0x11)), BS));
      assertArrayEquals(filled(3, 0x11), h.readBlocks(Rig.BLOCKS - 3, 3));
      assertGood(h.noData(0, new WriteSameCdb(OperationCode.WRITE_SAME_16, 0, false, false, true,
          Rig.BLOCKS - 3, 3, 0, 0).toBytes()));
      assertArrayEquals(new byte[3 * BS], h.readBlocks(Rig.BLOCKS - 3, 3));
      // ANCHOR is not supported; WRPROTECT needs protection information
      assertCheck(h.run(0, new WriteSameCdb(OperationCode.WRITE_SAME_10, 0, true, true, false, 0,
          1, 0, 0).toBytes(), ByteBuffer.wrap(new byte[BS]), BS), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_CDB);
      assertCheck(h.run(0, new WriteSameCdb(OperationCode.WRITE_SAME_10, 1, false, false, false,
          0, 1, 0, 0).toBytes(), ByteBuffer.wrap(new byte[BS]), BS), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void compareAndWriteWritesOnlyOnAMatch() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      assertGood(h.write(0, 5, filled(2, 'A')));
      byte[] ok = new byte[4 * BS];
      Arrays.fill(ok, 0, 2 * BS, (byte) 'A');
      Arrays.fill(ok, 2 * BS, 4 * BS, (byte) 'B');
      assertGood(h.run(0, CompareAndWriteCdb.of(5, 2).toBytes(), ByteBuffer.wrap(ok), ok.length));
      assertArrayEquals(filled(2, 'B'), h.readBlocks(5, 2));
      byte[] miss = new byte[4 * BS];
      Arrays.fill(miss, 0, 2 * BS, (byte) 'B');
      miss[BS + 100] = 'Z';
      Arrays.fill(miss, 2 * BS, 4 * BS, (byte) 'C');
      ScsiResponse r = h.run(0, CompareAndWriteCdb.of(5, 2).toBytes(), ByteBuffer.wrap(miss),
          miss.length);
      assertCheck(r, SenseKey.MISCOMPARE, Asc.MISCOMPARE_DURING_VERIFY_OPERATION);
      assertEquals(BS + 100, r.senseData().orElseThrow().information());
      assertArrayEquals(filled(2, 'B'), h.readBlocks(5, 2), "nothing written on a miscompare");
      // a Data-Out that is not 2 x NUMBER OF LOGICAL BLOCKS cannot be split
      assertCheck(h.run(0, CompareAndWriteCdb.of(5, 2).toBytes(), ByteBuffer.wrap(ok), 3 * BS),
          SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }
  }

  @Test
  void reportSupportedOperationCodesOneCommand() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] one = h.dataIn(0, new ReportSupportedOperationCodesCdb(false,
          ReportSupportedOperationCodesCdb.ONE_OPCODE, OperationCode.READ_10, 0, 512, 0)
          .toBytes(), 512);
      // SPC-4 6.35.3: reserved, SUPPORT 011b, CDB SIZE 10, CDB USAGE DATA
      assertEquals("0003000a" + "28f8ffffffff1fffff04", HexFormat.of().formatHex(one));
      byte[] none = h.dataIn(0, new ReportSupportedOperationCodesCdb(false,
          ReportSupportedOperationCodesCdb.ONE_OPCODE, 0x9C, 0, 512, 0).toBytes(), 512);
      assertEquals("00010000", HexFormat.of().formatHex(none)); // SUPPORT 001b
      // PERSISTENT RESERVE IN has service actions: 001b is invalid for it
      assertCheck(h.run(0, new ReportSupportedOperationCodesCdb(false,
          ReportSupportedOperationCodesCdb.ONE_OPCODE, OperationCode.PERSISTENT_RESERVE_IN, 0,
          512, 0).toBytes(), ByteBuffer.allocate(512), 512), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_CDB);
      byte[] all = h.dataIn(0, new ReportSupportedOperationCodesCdb(false,
          ReportSupportedOperationCodesCdb.ALL, 0, 0, 8192, 0).toBytes(), 8192);
      int n = (int) ((all[0] & 0xFFL) << 24 | (all[1] & 0xFF) << 16 | (all[2] & 0xFF) << 8
          | (all[3] & 0xFF));
      assertEquals(all.length - 4, n);
      assertEquals(0, n % 8);
    }
  }

  @Test
  void reserve6ConflictsForOthersAndEndsWithReleaseNexusLossOrReset() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 2);
      byte[] reserve = {0x16, 0, 0, 0, 0, 0};
      byte[] release = {0x17, 0, 0, 0, 0, 0};
      assertGood(a.noData(0, reserve));
      assertGood(a.noData(0, reserve));
      assertEquals(ScsiStatus.RESERVATION_CONFLICT.code(), b.noData(0, reserve).status());
      assertEquals(ScsiStatus.RESERVATION_CONFLICT.code(), b.tur().status());
      assertGood(b.run(0, dev.mpath.scsi.proto.InquiryCdb.standard(36).toBytes(),
          ByteBuffer.allocate(36), 36));
      assertGood(b.noData(0, release)); // GOOD, releases nothing
      assertEquals(ScsiStatus.RESERVATION_CONFLICT.code(), b.tur().status());
      assertGood(a.tur());
      assertGood(a.noData(0, release));
      assertGood(b.noData(0, reserve));
      b.session.logout(); // nexus loss releases it
      assertGood(a.noData(0, reserve));
      rig.target.lun(0).reset(); // so does a LUN reset
      assertTrue(rig.target.lun(0).spc2Reservation().isEmpty());
      // with a persistent registration, RESERVE conflicts
      a.tur(); // the reset's unit attention
      assertGood(a.register(0x1234));
      assertEquals(ScsiStatus.RESERVATION_CONFLICT.code(), a.noData(0, reserve).status());
    }
  }

  /**
   * COMPARE AND WRITE through port 1 races plain WRITEs of the same four blocks through port 2,
   * on the real executors. Every READ sees one command's whole four blocks (never a mix), and
   * every COMPARE AND WRITE ends GOOD or MISCOMPARE. Bounded: 300 rounds each, 60 s.
   */
  @Test
  void compareAndWriteRacingWritesFromTwoNexusesIsNeverTorn() throws Exception {
    int rounds = 300;
    int blocks = 4;
    try (ScsiTarget t = ThreadingTest.target()) {
      FutureSink sa = new FutureSink();
      FutureSink sb = new FutureSink();
      sa.session = t.login(HOST_A, 1, sa);
      sb.session = t.login(HOST_B, 2, sb);
      FutureSink a = sa;
      FutureSink b = sb;
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      int[] outcomes = new int[2];
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < rounds; i++) {
            runSync(b, 1_000_000L + i, ReadWriteCdb.write10(0, blocks).toBytes(),
                ByteBuffer.wrap(stamp(blocks, 'B', i)), blocks * BS);
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "race-writer");
      writer.start();
      long tag = 0;
      for (int i = 0; i < rounds && failure.get() == null; i++) {
        ByteBuffer seen = ByteBuffer.allocate(blocks * BS);
        assertGood(runSync(a, tag++, ReadWriteCdb.read10(0, blocks).toBytes(), seen,
            blocks * BS));
        assertWhole(seen.array(), blocks);
        byte[] cw = new byte[2 * blocks * BS];
        System.arraycopy(seen.array(), 0, cw, 0, blocks * BS);
        System.arraycopy(stamp(blocks, 'A', i), 0, cw, blocks * BS, blocks * BS);
        ScsiResponse r = runSync(a, tag++, CompareAndWriteCdb.of(0, blocks).toBytes(),
            ByteBuffer.wrap(cw), cw.length);
        if (r.isGood()) {
          outcomes[0]++;
        } else {
          assertCheck(r, SenseKey.MISCOMPARE, Asc.MISCOMPARE_DURING_VERIFY_OPERATION);
          outcomes[1]++;
        }
      }
      writer.join(60_000);
      assertTrue(!writer.isAlive(), "writer finished");
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
      assertEquals(rounds, outcomes[0] + outcomes[1]);
      ByteBuffer last = ByteBuffer.allocate(blocks * BS);
      assertGood(runSync(a, tag, ReadWriteCdb.read10(0, blocks).toBytes(), last, blocks * BS));
      assertWhole(last.array(), blocks);
    }
  }

  /** Four blocks, each holding the writer's letter and round in every 8-byte word. */
  private static byte[] stamp(int blocks, char who, int round) {
    ByteBuffer b = ByteBuffer.allocate(blocks * BS);
    while (b.hasRemaining()) {
      b.putInt(who).putInt(round);
    }
    return b.array();
  }

  private static void assertWhole(byte[] d, int blocks) {
    byte[] first = Arrays.copyOf(d, 8);
    for (int i = 0; i < d.length; i += 8) {
      if (!Arrays.equals(first, 0, 8, d, i, i + 8)) {
        throw new AssertionError("torn blocks: word at " + i + " differs from the first");
      }
    }
  }

  /** A sink that completes one future per tag. */
  static final class FutureSink implements ResponseSink {
    final java.util.Map<Long, java.util.concurrent.CompletableFuture<ScsiResponse>> pending =
        new java.util.concurrent.ConcurrentHashMap<>();
    Session session;

    @Override
    public void complete(long tag, ScsiResponse response) {
      java.util.concurrent.CompletableFuture<ScsiResponse> f = pending.remove(tag);
      if (f != null) {
        f.complete(response);
      }
    }

    @Override
    public void disconnected(String reason) {
      pending.values().forEach(f -> f.completeExceptionally(new AssertionError(reason)));
    }
  }

  /** Runs one command on a real-executor target and waits (bounded) for its answer. */
  private static ScsiResponse runSync(FutureSink s, long tag, byte[] cdb, ByteBuffer data,
      int len) throws Exception {
    java.util.concurrent.CompletableFuture<ScsiResponse> f =
        new java.util.concurrent.CompletableFuture<>();
    s.pending.put(tag, f);
    s.session.execute(tag, 0, cdb, data, len);
    return f.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
