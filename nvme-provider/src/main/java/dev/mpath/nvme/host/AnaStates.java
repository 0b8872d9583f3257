package dev.mpath.nvme.host;

import dev.mpath.AccessState;
import dev.mpath.nvme.proto.AnaGroupDescriptor;
import dev.mpath.nvme.proto.AnaLogPage;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.spi.PathFailureException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ANA state of each group through one {@link HostController}, as last read from the
 * Asymmetric Namespace Access log page (NVMe base 2.0, 8.1; LID 0Ch), and the reads
 * of that page: at connect, and again after an ANA change notice or an ANA status, with
 * overlapping requests coalesced into one more read. The ANATT timer stays with the
 * controller ({@link HostController#anaApplied}), under its lock.
 *
 * <p>Thread-safety: any thread; the states are a concurrent map, the read flags atomics.
 */
final class AnaStates {
  /** The controller's log: ANA reads are part of its story. */
  private static final Logger LOG = LoggerFactory.getLogger(HostController.class);

  private final HostController ctrl;
  private final Map<Integer, AnaState> states = new ConcurrentHashMap<>();
  private final AtomicBoolean readPending = new AtomicBoolean();
  private final AtomicBoolean readAgain = new AtomicBoolean();
  /** ANA log pages read (for tests and listings). */
  private final AtomicInteger reads = new AtomicInteger();

  AnaStates(HostController ctrl) {
    this.ctrl = ctrl;
  }

  /** ANA log pages read so far. */
  int reads() {
    return reads.get();
  }

  /** The access state of ANA group {@code grpid} through the controller. */
  AccessState accessState(int grpid) {
    HostController.ControllerInfo ci = ctrl.info();
    if (ci == null || !ci.anaReporting() || grpid == 0) {
      return AccessState.OPTIMIZED;
    }
    AnaState s = states.get(grpid);
    return s == null ? AccessState.UNAVAILABLE : s.toAccessState();
  }

  /** Whether a group is in ANA Change. */
  boolean inChange() {
    return states.containsValue(AnaState.CHANGE);
  }

  /** Reads the ANA log page (the size ANAGRPMAX and NN allow, at most 1 MiB) and applies it. */
  CompletableFuture<Void> read(Association a) {
    HostController.ControllerInfo ci = ctrl.info();
    long len = Math.min(AnaLogPage.maxLength(ci.anagrpmax(), ci.nn(), false), 1 << 20);
    len = Math.max(4, (len + 3) & ~3L);
    ByteBuffer buf = ByteBuffer.allocate((int) len);
    final long length = len;
    reads.incrementAndGet();
    return a.admin(sqe -> GetLogPageCommand.anaLog(sqe, sqe.cid(), length, false, false), buf)
        .thenAccept(
            c -> {
              if (NvmeStatus.code(c.statusField()) != 0) {
                throw new CompletionException(new PathFailureException(
                    "ANA log read failed: " + NvmeStatus.fromField(c.statusField())));
              }
              try {
                apply(a, AnaLogPage.decode(buf));
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  private void apply(Association a, AnaLogPage page) {
    boolean inChange = false;
    for (AnaGroupDescriptor g : page.groups()) {
      states.put(g.anaGroupId(), g.state());
      inChange |= g.state() == AnaState.CHANGE;
    }
    for (NvmeNamespacePath p : ctrl.paths.values()) {
      p.anaPending = false;
    }
    ctrl.anaApplied(a, inChange);
  }

  /** Re-reads the ANA log after an ANA status or notice; coalesces overlapping requests. */
  void scheduleRead() {
    Association a = ctrl.liveAssociation();
    if (a == null) {
      return;
    }
    if (!readPending.compareAndSet(false, true)) {
      readAgain.set(true);
      return;
    }
    read(a).whenComplete(
        (v, e) -> {
          readPending.set(false);
          if (e != null) {
            LOG.warn("nvme{}: ANA log read failed: {}", ctrl.instance(),
                HostController.cause(e).toString());
          } else if (readAgain.getAndSet(false)) {
            scheduleRead();
          }
        });
  }
}
