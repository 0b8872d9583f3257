package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.PathState;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import dev.mpath.testing.Rig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The low-level submit path through the head allocates nothing per I/O for a
 * redirect-style provider (design.md §5). Measured with the JVM's per-thread allocation
 * counter around a loop of synchronous submissions, after a warm-up so the JIT has
 * compiled the path.
 */
class AllocationTest {
  static final int WARMUP = 300_000;
  static final int MEASURED = 200_000;

  /** Completes every attempt at once, on the submitter's thread, allocating nothing. */
  static final class SyncPath implements ProviderPath {
    final DeviceId id;
    PathSink sink;
    long submitted;

    SyncPath(DeviceId id) {
      this.id = id;
    }

    @Override
    public DeviceId deviceId() {
      return id;
    }

    @Override
    public String transport() {
      return "sync";
    }

    @Override
    public int blockSize() {
      return 512;
    }

    @Override
    public long capacityBlocks() {
      return 1 << 20;
    }

    @Override
    public PathState state() {
      return PathState.LIVE;
    }

    @Override
    public AccessState accessState() {
      return AccessState.OPTIMIZED;
    }

    @Override
    public void submit(IoRequest attempt) {
      submitted++;
      sink.complete(attempt, Disposition.SUCCESS, null);
    }
  }

  static long allocatedBytes() {
    return dev.mpath.testing.Allocations.ofCurrentThread();
  }

  private static final class Counter {
    long completions;
  }

  @Test
  void submitThroughTheHeadAllocatesNothingPerIo() throws Exception {
    Assumptions.assumeTrue(dev.mpath.testing.Allocations.supported(), "no allocation counter");
    List<Supplier<IoPolicy>> policies =
        List.of(IoPolicy::numa, IoPolicy::roundRobin, IoPolicy::queueDepth,
            IoPolicy::serviceTime, IoPolicy::adaptive, IoPolicy::failover);
    StringBuilder report = new StringBuilder();
    for (Supplier<IoPolicy> policy : policies) {
      try (Rig rig = Rig.builder().policy(policy.get()).build()) {
        DeviceId id = rig.disk.id;
        SyncPath a = new SyncPath(id);
        SyncPath b = new SyncPath(id);
        a.sink = ((dev.mpath.spi.ProviderContext) contextOf(rig)).attach(a);
        b.sink = ((dev.mpath.spi.ProviderContext) contextOf(rig)).attach(b);
        MultipathDevice d = rig.device();
        Counter counter = new Counter();
        IoRequest r =
            new IoRequest().read(0, ByteBuffer.allocateDirect(4096)).completion(x -> counter.completions++);
        for (int i = 0; i < WARMUP; i++) {
          d.submit(r);
        }
        long before = allocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
          d.submit(r);
        }
        long bytes = allocatedBytes() - before;
        assertEquals(WARMUP + MEASURED, counter.completions);
        assertEquals(WARMUP + MEASURED, a.submitted + b.submitted);
        report.append(policy.get().name()).append('=').append(bytes).append("B ");
        // a few bytes of slack for the counter call itself; one allocation per I/O
        // would be at least 16 bytes x 200,000 = 3.2 MB
        assertTrue(bytes < 4096, policy.get().name() + " allocated " + bytes + " bytes over "
            + MEASURED + " submissions");
      }
    }
    System.out.println("allocation over " + MEASURED + " submissions: " + report);
  }

  @Test
  void cloneStyleReusesItsCloneSoSteadyStateAllocatesNothingEither() throws Exception {
    Assumptions.assumeTrue(dev.mpath.testing.Allocations.supported(), "no allocation counter");
    try (Rig rig = Rig.builder().style(dev.mpath.spi.FailoverStyle.CLONE).build()) {
      SyncPath a = new SyncPath(rig.disk.id);
      a.sink = ((dev.mpath.spi.ProviderContext) contextOf(rig)).attach(a);
      MultipathDevice d = rig.device();
      Counter counter = new Counter();
      IoRequest r =
          new IoRequest().read(0, ByteBuffer.allocateDirect(4096)).completion(x -> counter.completions++);
      for (int i = 0; i < WARMUP; i++) {
        d.submit(r);
      }
      long before = allocatedBytes();
      for (int i = 0; i < MEASURED; i++) {
        d.submit(r);
      }
      long bytes = allocatedBytes() - before;
      assertEquals(WARMUP + MEASURED, counter.completions);
      // SCSI-style: each attempt is the request's own clone with its own view of the buffer,
      // kept from one attempt to the next; a clone per attempt would be >= 3.2 MB here
      assertTrue(bytes < 4096, "clone style allocated " + bytes + " bytes over " + MEASURED
          + " submissions");
    }
  }

  /** The fake provider's context, to attach a path type of our own. */
  private static Object contextOf(Rig rig) throws Exception {
    var f = rig.provider.getClass().getDeclaredField("context");
    f.setAccessible(true);
    return f.get(rig.provider);
  }
}
