package dev.mpath.nvme.loop;

import dev.mpath.nvme.host.NvmeTransport;
import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.CompletionSink;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.target.TargetController;
import dev.mpath.spi.PathFailureException;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The in-process transport: host commands go straight to an emulated controller, which
 * executes them on its own thread and posts completions back, like a real queue pair. The
 * host's data buffers are used in place (the loop's "DMA").
 */
public final class LoopTransport implements NvmeTransport {
  private final LoopTarget target;
  private final String nqn;
  private final int port;
  private volatile TargetController controller;
  private volatile boolean closed;

  public LoopTransport(LoopTarget target, String nqn, int port) {
    this.target = target;
    this.nqn = nqn;
    this.port = port;
  }

  @Override
  public String address() {
    return "nvme+loop://" + target.name() + "/" + nqn + " port " + port;
  }

  @Override
  public CompletableFuture<Integer> connectAdmin(
      String subsystemNqn, String hostNqn, UUID hostId, int katoMillis, QueueHandler admin) {
    try {
      NvmeSubsystem s = target.subsystem(subsystemNqn);
      controller = s.connect(port, hostNqn, hostId, katoMillis, sink(admin));
      return CompletableFuture.completedFuture(controller.cntlid());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(
          new PathFailureException(address() + ": connect refused: " + e.getMessage(), e));
    }
  }

  @Override
  public CompletableFuture<Void> connectIo(int qid, int size, QueueHandler handler) {
    TargetController c = controller;
    if (c == null || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    try {
      c.connectIoQueue(qid, size, sink(handler));
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public CompletableFuture<Long> propertyGet(int offset, int size) {
    TargetController c = controller;
    if (c == null || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    try {
      return CompletableFuture.completedFuture(c.propertyGet(offset, size));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public CompletableFuture<Void> propertySet(int offset, int size, long value) {
    TargetController c = controller;
    if (c == null || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    try {
      c.propertySet(offset, size, value);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data) {
    TargetController c = controller;
    if (c == null || closed) {
      return; // the association is gone; the host fails outstanding commands itself
    }
    c.submit(qid, sqe, data);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    TargetController c = controller;
    if (c != null) {
      c.disconnect();
    }
  }

  private CompletionSink sink(QueueHandler h) {
    return new CompletionSink() {
      @Override
      public void complete(CompletionQueueEntry cqe) {
        if (!closed) {
          h.completed(cqe);
        }
      }

      @Override
      public void disconnected(String reason) {
        if (!closed) {
          h.disconnected(reason);
        }
      }
    };
  }
}
