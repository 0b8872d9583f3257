package dev.mpath.nvme.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A discovery controller as a Linux host sees it: Identify Controller fields at the offsets of
 * NVMe base 2.0 Figure 275, the log read in pieces at byte offsets, and the commands it does
 * not serve refused with the base specification's statuses.
 */
class DiscoveryServiceTest {
  static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
  static final String NQN = "nqn.2024-01.dev.mpath:demo";

  final LinkedBlockingQueue<int[]> done = new LinkedBlockingQueue<>(); // cid, status field
  final CompletionSink sink = new CompletionSink() {
    @Override
    public void complete(CompletionQueueEntry cqe) {
      done.add(new int[] {cqe.cid(), cqe.status().field()});
    }

    @Override
    public void disconnected(String reason) {}
  };

  int run(FabricsController c, SubmissionQueueEntry sqe, ByteBuffer data) throws Exception {
    c.submit(0, sqe, data);
    int[] r = done.poll(30, TimeUnit.SECONDS);
    assertEquals(sqe.cid(), r[0]);
    return r[1];
  }

  @Test
  void identifyAndLogAsALinuxHostReadsThem() throws Exception {
    List<DiscoveryLogPage.Entry> entries = List.of(
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1, "10.0.2.100", 4420, NQN),
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 2, "10.0.2.100", 4421, NQN));
    try (DiscoveryService d = new DiscoveryService(DISCOVERY_NQN, () -> entries)) {
      FabricsController c = d.connect(1, "nqn.2014-08.org.nvmexpress:uuid:x", UUID.randomUUID(), 0, sink);
      assertThrows(IllegalStateException.class, () -> c.connectIoQueue(1, 32, sink));

      ByteBuffer id = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
      assertEquals(0, run(c, IdentifyCommand.fill(sqe, 1, 0, IdentifyCommand.CNS_CONTROLLER, 0, 0, 0), id));
      assertEquals(c.cntlid(), id.getShort(78) & 0xFFFF, "CNTLID matches Connect's");
      assertEquals(2, id.get(111), "CNTRLTYPE 2: discovery controller");
      assertEquals(0, id.get(76), "CMIC 0");
      assertTrue((id.getInt(536) & 3) != 0, "SGLS bits 1:0: SGLs supported (Linux requires it)");
      assertEquals(0, id.getShort(1800), "ICDOFF 0 (Linux refuses others)");
      assertTrue(id.getShort(514) > 0, "MAXCMD");
      assertEquals(0, id.getInt(540), "MNAN 0: no namespaces");
      assertEquals(DISCOVERY_NQN, new String(id.array(), 768, DISCOVERY_NQN.length(), StandardCharsets.UTF_8));
      assertEquals(0, id.get(768 + DISCOVERY_NQN.length()));
      assertEquals(4, id.get(261) & 4, "LPA bit 2: extended Get Log Page (offsets)");

      // libnvme: the 1 KiB header first, then the entries from offset 1024
      ByteBuffer hdr = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(0, run(c, GetLogPageCommand.fill(sqe.clear(), 2, 0, LogPageId.DISCOVERY, 0, true, 1024, 0), hdr));
      long genctr = hdr.getLong(0);
      assertEquals(2, hdr.getLong(8), "NUMREC");
      ByteBuffer rest = ByteBuffer.allocate(2048);
      assertEquals(0, run(c, GetLogPageCommand.fill(sqe.clear(), 3, 0, LogPageId.DISCOVERY, 0, false, 2048, 1024), rest));
      byte[] all = new byte[3072];
      System.arraycopy(hdr.array(), 0, all, 0, 1024);
      System.arraycopy(rest.array(), 0, all, 1024, 2048);
      assertEquals(new DiscoveryLogPage(genctr, entries), DiscoveryLogPage.decode(all, all.length));

      d.changed();
      assertEquals(0, run(c, GetLogPageCommand.fill(sqe.clear(), 4, 0, LogPageId.DISCOVERY, 0, false, 1024, 0), hdr));
      assertEquals(genctr + 1, hdr.getLong(0), "GENCTR moves when the entries change");

      // LPO is unsigned: 2^63 and more, and anything past the end, are Invalid Field
      for (long lpo : new long[] {1L << 63, -4L, 1L << 32}) {
        assertEquals(NvmeStatus.INVALID_FIELD.field() | NvmeStatus.DNR_BIT,
            run(c, GetLogPageCommand.fill(sqe.clear(), 9, 0, LogPageId.DISCOVERY, 0, false, 1024, lpo), hdr),
            Long.toUnsignedString(lpo));
      }

      // not served: other logs, other Identify CNS values, I/O-controller commands
      assertEquals(NvmeStatus.INVALID_LOG_PAGE.field() | NvmeStatus.DNR_BIT,
          run(c, GetLogPageCommand.fill(sqe.clear(), 5, 0, LogPageId.ASYMMETRIC_NAMESPACE_ACCESS, 0, false, 1024, 0), hdr));
      assertEquals(NvmeStatus.INVALID_FIELD.field() | NvmeStatus.DNR_BIT,
          run(c, IdentifyCommand.fill(sqe.clear(), 6, 1, IdentifyCommand.CNS_NAMESPACE, 0, 0, 0), id));
      sqe.clear().opcode(AdminOpcode.NAMESPACE_ATTACHMENT).cid(7);
      assertEquals(NvmeStatus.INVALID_OPCODE.field() | NvmeStatus.DNR_BIT, run(c, sqe, null));
      sqe.clear().opcode(AdminOpcode.KEEP_ALIVE).cid(8);
      assertEquals(0, run(c, sqe, null));
    }
  }
}
