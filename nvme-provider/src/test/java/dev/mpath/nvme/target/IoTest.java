package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.DatasetManagementCommand;
import dev.mpath.nvme.proto.DsmRange;
import dev.mpath.nvme.proto.FlushCommand;
import dev.mpath.nvme.proto.NvmOpcode;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.proto.WriteZeroesCommand;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IoTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed * 31 + i * 7);
    }
    return b;
  }

  @Test
  void writeThroughOneControllerReadThroughAnotherSharingTheNamespace() throws Exception {
    TestHost a = rig.host(1, HOST_A);
    TestHost b = rig.host(2, HOST_B);
    byte[] data = pattern(8 * 512, 1);
    Cqe w = a.write(1, 100, data, 8);
    assertTrue(w.ok(), w::toString);
    assertEquals(1, w.sqid());
    assertEquals(1, w.sqhd());

    ByteBuffer into = ByteBuffer.allocate(16 + 8 * 512);
    into.position(16);
    Cqe r = b.read(1, 100, into, 8);
    assertTrue(r.ok());
    assertEquals(16, into.position(), "the host's position never moves");
    assertArrayEquals(data, Arrays.copyOfRange(into.array(), 16, 16 + 8 * 512));
    // and the medium holds it
    ByteBuffer raw = ByteBuffer.allocate(8 * 512);
    rig.subsystem.store(1).read(100 * 512L, raw);
    assertArrayEquals(data, raw.array());
    // a write's source buffer does not move either
    ByteBuffer src = ByteBuffer.wrap(pattern(512, 2));
    assertTrue(a.io((s, cid) -> ReadWriteCommand.write(s, cid, 1, 0, 1, true), src).ok());
    assertEquals(0, src.position());
  }

  @Test
  void fourKibNamespaceOnPortThree() throws Exception {
    TestHost h = rig.host(3, HOST_A);
    byte[] data = pattern(2 * 4096, 3);
    assertTrue(h.write(2, NS2_LAST - 1, data, 2).ok());
    assertArrayEquals(data, h.readOk(2, NS2_LAST - 1, 2, 4096));
    Cqe past = h.write(2, NS2_LAST, data, 2);
    assertEquals(NvmeStatus.LBA_OUT_OF_RANGE.code(), past.code());
  }

  private static final long NS2_LAST = TargetRig.NS2_BLOCKS - 1;

  @Test
  void lbaOutOfRange() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    long[][] cases = {{TargetRig.NS1_BLOCKS, 1}, {TargetRig.NS1_BLOCKS - 1, 2}, {-1L, 1},
        {Long.MAX_VALUE, 1}};
    for (long[] c : cases) {
      Cqe r = h.read(1, c[0], ByteBuffer.allocate((int) c[1] * 512), (int) c[1]);
      assertEquals(NvmeStatus.LBA_OUT_OF_RANGE.code(), r.code(), () -> Arrays.toString(c));
      assertTrue(r.dnr());
    }
    assertTrue(h.read(1, TargetRig.NS1_BLOCKS - 1, ByteBuffer.allocate(512), 1).ok());
  }

  @Test
  void invalidNamespaceAndOpcode() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    for (int nsid : new int[] {0, 2, 3, -1}) {
      Cqe r = h.read(nsid, 0, ByteBuffer.allocate(512), 1);
      assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), r.code(), "nsid " + nsid);
      assertTrue(r.dnr());
    }
    Cqe compare = h.io((s, cid) -> s.clear().opcode(NvmOpcode.COMPARE).cid(cid).nsid(1),
        ByteBuffer.allocate(512));
    assertEquals(NvmeStatus.INVALID_OPCODE.code(), compare.code());
    assertTrue(compare.dnr());
  }

  @Test
  void writeZeroesAndDeallocateReadBackZeros() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    byte[] data = pattern(32 * 512, 4);
    assertTrue(h.write(1, 0, data, 32).ok());

    assertTrue(h.io((s, cid) -> WriteZeroesCommand.fill(s, cid, 1, 4, 4, false, false), null).ok());
    assertTrue(h.io((s, cid) -> WriteZeroesCommand.fill(s, cid, 1, 8, 2, true, true), null).ok());
    byte[] ranges = DsmRange.toBytes(List.of(new DsmRange(0, 3, 20), new DsmRange(0, 0, 0)));
    assertTrue(h.io((s, cid) -> DatasetManagementCommand.fill(s, cid, 1, 2,
        DatasetManagementCommand.ATTR_AD), ByteBuffer.wrap(ranges)).ok());

    byte[] expected = data.clone();
    Arrays.fill(expected, 4 * 512, 8 * 512, (byte) 0);
    Arrays.fill(expected, 8 * 512, 10 * 512, (byte) 0);
    Arrays.fill(expected, 20 * 512, 23 * 512, (byte) 0);
    assertArrayEquals(expected, h.readOk(1, 0, 32, 512));

    Cqe wzPast = h.io((s, cid) -> WriteZeroesCommand.fill(s, cid, 1, TargetRig.NS1_BLOCKS, 1,
        false, false), null);
    assertEquals(NvmeStatus.LBA_OUT_OF_RANGE.code(), wzPast.code());
  }

  @Test
  void datasetManagementChecksEveryRangeBeforeDeallocating() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    byte[] data = pattern(4 * 512, 5);
    assertTrue(h.write(1, 0, data, 4).ok());
    byte[] ranges = DsmRange.toBytes(List.of(
        new DsmRange(0, 4, 0), new DsmRange(0, 8, TargetRig.NS1_BLOCKS - 4)));
    Cqe c = h.io((s, cid) -> DatasetManagementCommand.fill(s, cid, 1, 2,
        DatasetManagementCommand.ATTR_AD), ByteBuffer.wrap(ranges));
    assertEquals(NvmeStatus.LBA_OUT_OF_RANGE.code(), c.code());
    assertArrayEquals(data, h.readOk(1, 0, 4, 512), "nothing deallocated");
    // ranges announced but not in the buffer
    Cqe shortData = h.io((s, cid) -> DatasetManagementCommand.fill(s, cid, 1, 3,
        DatasetManagementCommand.ATTR_AD), ByteBuffer.wrap(ranges));
    assertEquals(NvmeStatus.DATA_SGL_LENGTH_INVALID.code(), shortData.code());
    // without AD the ranges are hints
    assertTrue(h.io((s, cid) -> DatasetManagementCommand.fill(s, cid, 1, 1,
        DatasetManagementCommand.ATTR_IDR), ByteBuffer.wrap(ranges)).ok());
  }

  @Test
  void bufferTooSmallAndTransferAboveMdts() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    Cqe small = h.read(1, 0, ByteBuffer.allocate(511), 1);
    assertEquals(NvmeStatus.DATA_SGL_LENGTH_INVALID.code(), small.code());
    Cqe none = h.read(1, 0, null, 1);
    assertEquals(NvmeStatus.DATA_SGL_LENGTH_INVALID.code(), none.code());
    // MDTS 8: 1 MiB; 2048 blocks of 512 B = 1 MiB is fine, but the namespace holds exactly that
    assertTrue(h.read(1, 0, ByteBuffer.allocate(2048 * 512), 2048).ok());
    try (TargetRig small4 = new TargetRig(b -> b.mdts(1))) {
      TestHost k = small4.host(1, HOST_A);
      assertTrue(k.read(1, 0, ByteBuffer.allocate(8192), 16).ok());
      Cqe big = k.read(1, 0, ByteBuffer.allocate(8704), 17);
      assertEquals(NvmeStatus.INVALID_FIELD.code(), big.code());
      assertTrue(big.dnr());
    }
  }

  @Test
  void flushOneAndAll() throws Exception {
    TestHost h = rig.host(3, HOST_A);
    assertTrue(h.io((s, cid) -> FlushCommand.fill(s, cid, 1), null).ok());
    assertTrue(h.io((s, cid) -> FlushCommand.fill(s, cid, SubmissionQueueEntry.NSID_ALL), null).ok());
  }

  @Test
  void ioBeforeEnableIsACommandSequenceError() throws Exception {
    TestHost h = rig.connect(1, HOST_A, 0);
    h.connectIo(1, 16);
    Cqe c = h.read(1, 0, ByteBuffer.allocate(512), 1);
    assertEquals(NvmeStatus.COMMAND_SEQUENCE_ERROR.code(), c.code());
    assertTrue(c.dnr());
  }

  @Test
  void queueConnectionRules() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    assertThrows(IllegalArgumentException.class, () -> h.ctrl.connectIoQueue(0, 16, new RecordingSink()));
    assertThrows(IllegalArgumentException.class, () -> h.ctrl.connectIoQueue(65, 16, new RecordingSink()));
    assertThrows(IllegalArgumentException.class, () -> h.ctrl.connectIoQueue(2, 1025, new RecordingSink()));
    assertThrows(IllegalStateException.class, () -> h.ctrl.connectIoQueue(1, 16, new RecordingSink()));
    SubmissionQueueEntry sqe = ReadWriteCommand.read(SubmissionQueueEntry.allocate(), 1, 1, 0, 1);
    assertThrows(IllegalStateException.class, () -> h.ctrl.submit(5, sqe, ByteBuffer.allocate(512)));
    h.connectIo(64, 16);
    h.ctrl.disconnectIoQueue(64);
    assertThrows(IllegalStateException.class, () -> h.ctrl.submit(64, sqe, ByteBuffer.allocate(512)));
  }

  @Test
  void sqHeadWrapsAtTheQueueSize() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    RecordingSink q2 = h.connectIo(2, 4);
    for (int i = 0; i < 5; i++) {
      h.submit(2, (s, cid) -> FlushCommand.fill(s, cid, 1), null);
    }
    rig.pump();
    assertEquals(List.of(1, 2, 3, 0, 1), q2.all().stream().map(Cqe::sqhd).toList());
    assertEquals(List.of(2, 2, 2, 2, 2), q2.all().stream().map(Cqe::sqid).toList());
    List<Integer> cids = q2.all().stream().map(Cqe::cid).toList();
    assertEquals(cids.stream().sorted().toList(), cids, "completions in submission order");
  }
}
