package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.KeepAliveCommand;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import dev.mpath.testing.ManualScheduler;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default executor: real threads, completions awaited with bounded waits, no sleeps. */
class ThreadingTest {

  private final NvmeSubsystem subsystem =
      TargetRig.seed(new ManualScheduler()).threads(2).build();

  @AfterEach
  void tearDown() {
    subsystem.close();
  }

  private TargetController connect(int port, UUID host, CompletionSink admin, CompletionSink io)
      throws Exception {
    TargetController c = subsystem.connect(port, "nqn.host", host, 0, admin);
    c.propertySet(TargetController.PROP_CC, 4, TargetController.CC_EN);
    c.connectIoQueue(1, 1024, io);
    return c;
  }

  @Test
  void completionsRunOffTheSubmitterThreadInExecutionOrder() throws Exception {
    RecordingSink io = new RecordingSink();
    TargetController c = connect(1, HOST_A, new RecordingSink(), io);
    int n = 500;
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    byte[][] blocks = new byte[n][];
    for (int i = 0; i < n; i++) {
      blocks[i] = new byte[512];
      blocks[i][0] = (byte) i;
      blocks[i][511] = (byte) (i >> 8);
      // the SQE is copied at submit: reusing it at once is fine
      c.submit(1, ReadWriteCommand.write(sqe, i, 1, i, 1, false), ByteBuffer.wrap(blocks[i]));
    }
    io.awaitCount(n, 10_000);
    ByteBuffer[] reads = new ByteBuffer[n];
    for (int i = 0; i < n; i++) {
      reads[i] = ByteBuffer.allocate(512);
      c.submit(1, ReadWriteCommand.read(sqe, n + i, 1, i, 1), reads[i]);
    }
    io.awaitCount(2 * n, 10_000);
    List<Cqe> all = io.all();
    String me = Thread.currentThread().getName();
    for (int i = 0; i < 2 * n; i++) {
      Cqe q = all.get(i);
      assertEquals(i, q.cid(), "in submission order");
      assertTrue(q.ok());
      assertNotEquals(me, q.thread());
      assertTrue(q.thread().startsWith("nvmet-"), q.thread());
    }
    for (int i = 0; i < n; i++) {
      assertArrayEquals(blocks[i], reads[i].array());
    }
  }

  @Test
  void aSubmissionFromInsideACompletionRunsLaterNotNested() throws Exception {
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(50);
    TargetController[] ctrl = new TargetController[1];
    CompletionSink admin = new CompletionSink() {
      @Override
      public void complete(CompletionQueueEntry cqe) {
        int d = depth.incrementAndGet();
        maxDepth.accumulateAndGet(d, Math::max);
        int next = cqe.cid() + 1;
        if (next < 50) {
          ctrl[0].submit(0, KeepAliveCommand.fill(SubmissionQueueEntry.allocate(), next), null);
        }
        done.countDown();
        depth.decrementAndGet();
      }

      @Override
      public void disconnected(String reason) {}
    };
    ctrl[0] = connect(2, HOST_B, admin, new RecordingSink());
    ctrl[0].submit(0, KeepAliveCommand.fill(SubmissionQueueEntry.allocate(), 0), null);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(1, maxDepth.get(), "never re-entered on the completing stack");
  }

  @Test
  void twoHostsWriteTheSharedNamespaceConcurrently() throws Exception {
    RecordingSink ioA = new RecordingSink();
    RecordingSink ioB = new RecordingSink();
    TargetController a = connect(1, HOST_A, new RecordingSink(), ioA);
    TargetController b = connect(2, HOST_B, new RecordingSink(), ioB);
    int n = 200;
    Thread ta = new Thread(() -> writeRange(a, 0, n, (byte) 0xA));
    Thread tb = new Thread(() -> writeRange(b, n, n, (byte) 0xB));
    ta.start();
    tb.start();
    ta.join(10_000);
    tb.join(10_000);
    ioA.awaitCount(n, 10_000);
    ioB.awaitCount(n, 10_000);
    assertTrue(ioA.all().stream().allMatch(Cqe::ok));
    assertTrue(ioB.all().stream().allMatch(Cqe::ok));
    ByteBuffer all = ByteBuffer.allocate(2 * n * 512);
    subsystem.store(1).read(0, all);
    for (int i = 0; i < 2 * n; i++) {
      assertEquals(i < n ? 0xA : 0xB, all.get(i * 512));
    }
  }

  private static void writeRange(TargetController c, int start, int n, byte fill) {
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[512];
      java.util.Arrays.fill(b, fill);
      c.submit(1, ReadWriteCommand.write(sqe, i, 1, start + i, 1, false), ByteBuffer.wrap(b));
    }
  }
}
