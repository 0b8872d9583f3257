package dev.mpath.nvme.host;

import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bringing a freshly connected Fabrics controller to ready (NVMe base 3.5.1 "Memory-based
 * controller initialization", as Fabrics does it through Property Get/Set): read CAP, set
 * CC.EN with the queue entry sizes, then poll CSTS until RDY (or CFS) within a deadline.
 * Shared by the I/O controller and the discovery client.
 */
final class ControllerEnable {
  /** Property offsets (NVMe base 3.1.4): CAP, CC, CSTS. */
  static final int PROP_CAP = 0x00;
  static final int PROP_CC = 0x14;
  static final int PROP_CSTS = 0x1C;
  /** CC bits (NVMe base 3.1.4.5): EN, IOSQES 6 (64-byte SQE), IOCQES 4 (16-byte CQE). */
  static final long CC_EN = 1;
  static final long CC_IOSQES_64 = 6L << 16;
  static final long CC_IOCQES_16 = 4L << 20;
  /** CSTS bits (NVMe base 3.1.4.6): RDY, CFS. */
  static final long CSTS_RDY = 1;
  static final long CSTS_CFS = 2;
  /** How often CSTS is polled while waiting for RDY. */
  static final long READY_POLL_MILLIS = 10;

  private ControllerEnable() {}

  /**
   * Enables the controller behind {@code t}'s admin queue.
   *
   * @return CAP, once CSTS.RDY is 1; fails with {@link PathFailureException} on CFS or when
   *     RDY is not set by {@code deadlineNanos} (on {@code scheduler}'s clock)
   */
  static CompletableFuture<Long> enable(NvmeTransport t, Scheduler scheduler, long deadlineNanos) {
    return t.propertyGet(PROP_CAP, 8)
        .thenCompose(cap -> t.propertySet(PROP_CC, 4, CC_EN | CC_IOSQES_64 | CC_IOCQES_16)
            .thenCompose(v -> waitReady(t, scheduler, deadlineNanos))
            .thenApply(v -> cap));
  }

  /** The smallest memory page size the controller supports (CAP.MPSMIN, bits 51:48). */
  static long minPageSize(long cap) {
    return 4096L << ((cap >>> 48) & 0xF);
  }

  private static CompletableFuture<Void> waitReady(NvmeTransport t, Scheduler scheduler,
      long deadline) {
    return t.propertyGet(PROP_CSTS, 4).thenCompose(csts -> {
      if ((csts & CSTS_CFS) != 0) {
        return CompletableFuture.failedFuture(new PathFailureException("controller fatal status"));
      }
      if ((csts & CSTS_RDY) != 0) {
        return CompletableFuture.completedFuture(null);
      }
      if (scheduler.nanoTime() - deadline > 0) {
        return CompletableFuture.failedFuture(new PathFailureException("CSTS.RDY never set"));
      }
      CompletableFuture<Void> later = new CompletableFuture<>();
      scheduler.schedule(() -> waitReady(t, scheduler, deadline).whenComplete((x, e) -> {
        if (e != null) {
          later.completeExceptionally(e);
        } else {
          later.complete(x);
        }
      }), READY_POLL_MILLIS, TimeUnit.MILLISECONDS);
      return later;
    });
  }
}
