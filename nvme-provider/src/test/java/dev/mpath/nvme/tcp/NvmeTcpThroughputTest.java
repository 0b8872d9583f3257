package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.target.TargetController;
import dev.mpath.spi.SystemScheduler;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * 4 KiB random reads through one NVMe/TCP path (transport straight to the listener), at queue
 * depth 1 and 32. Off unless {@code -Dmpath.bench=true}; prints IOPS and MiB/s.
 */
@EnabledIfSystemProperty(named = "mpath.bench", matches = "true")
class NvmeTcpThroughputTest {

  @Test
  void fourKibReadsThroughOnePath() throws Exception {
    String nqn = "nqn.2024-01.dev.mpath:tcp-bench";
    try (SystemScheduler sched = new SystemScheduler("bench-timer");
        NvmeSubsystem subsys = NvmeSubsystem.builder(nqn, sched).ports(1)
            .namespace(NamespaceSpec.of(1, 1 << 18)).build();
        NvmeTcpListener l = NvmeTcpListener.start(subsys, 1)) {
      for (boolean digests : new boolean[] {false, true}) {
        for (int qd : new int[] {1, 32}) {
          run(l, nqn, qd, digests);
        }
      }
    }
  }

  private static void run(NvmeTcpListener l, String nqn, int qd, boolean digests) throws Exception {
    Semaphore slots = new Semaphore(qd);
    AtomicInteger errors = new AtomicInteger();
    QueueHandler io = new QueueHandler() {
      @Override
      public void completed(CompletionQueueEntry cqe) {
        if (cqe.statusField() != 0) {
          errors.incrementAndGet();
        }
        slots.release();
      }

      @Override
      public void disconnected(String reason) {
        errors.incrementAndGet();
      }
    };
    QueueHandler admin = new QueueHandler() {
      @Override
      public void completed(CompletionQueueEntry cqe) {}

      @Override
      public void disconnected(String reason) {}
    };
    NvmeTcpTransport t = new NvmeTcpTransport(
        NvmeTcpTransport.Target.of(l.address(), nqn).withDigests(digests, digests));
    t.connectAdmin(nqn, "nqn.2014-08.org.nvmexpress:uuid:bench", UUID.randomUUID(), 0, admin)
        .join();
    t.propertySet(TargetController.PROP_CC, 4, TargetController.CC_EN).join();
    t.connectIo(1, 128, io).join();
    ByteBuffer[] bufs = new ByteBuffer[qd];
    for (int i = 0; i < qd; i++) {
      bufs[i] = ByteBuffer.allocate(4096);
    }
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    long seconds = 3;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 1);
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    long count = 0;
    long start = 0;
    int cid = 0;
    long lba = 12345;
    while (true) {
      long now = System.nanoTime();
      if (now > end) {
        break;
      }
      if (start == 0 && now > warm) {
        start = now;
        count = 0;
      }
      slots.acquire();
      cid = (cid + 1) % qd;
      lba = (lba * 6364136223846793005L + 1442695040888963407L);
      ReadWriteCommand.read(sqe, cid, 1, ((lba >>> 33) % ((1 << 18) - 8)) & ~7L, 8);
      t.submit(1, sqe, bufs[cid]);
      count++;
    }
    slots.acquire(qd);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("NVMe/TCP 4 KiB random read, QD %d, digests %s: %.0f IOPS, %.1f MiB/s%n",
        qd, digests ? "on" : "off", count / secs, count * 4096 / secs / (1 << 20));
    assertEquals(0, errors.get());
    t.close();
  }
}
