package dev.mpath.nvme.host;

import dev.mpath.IoRequest;
import dev.mpath.nvme.proto.AbortCommand;
import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.DatasetManagementCommand;
import dev.mpath.nvme.proto.DsmRange;
import dev.mpath.nvme.proto.FlushCommand;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.proto.WriteZeroesCommand;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.Scheduler;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One association of a {@link HostController} with its target controller: the transport,
 * the admin queue and the I/O queue set (a submitting thread picks its queue as Linux maps
 * CPUs to queues), the outstanding commands of each and the requests waiting beyond a
 * queue's depth, the command timer, and the issue of admin, I/O and
 * reservation commands. An error ends it ({@link HostController#error}); the controller then
 * makes a new one.
 *
 * <p>Thread-safety: commands are issued from any thread and complete on the transport's
 * threads; each queue's command table takes its own short lock, the waiting requests their
 * queue's monitor. The I/O queue set is written once, before LIVE (volatile).
 */
final class Association {
  private final HostController ctrl;
  private final int instance;
  final int epoch;
  final NvmeTransport transport;
  final CommandTable admin = new CommandTable(HostController.ADMIN_QUEUE_DEPTH);
  /** The I/O queues, qid 1 first; set once before LIVE. */
  volatile IoQueue[] ioQueues = new IoQueue[0];
  volatile long keepAliveSince;
  volatile boolean closed;
  volatile long cap;
  final QueueHandler adminHandler = new Handler(admin, null);
  final CommandTimer timer;

  /** One I/O queue: its commands, the requests beyond its depth, its completions. */
  final class IoQueue {
    final int qid;
    final CommandTable table;
    final ArrayDeque<Object[]> waiting = new ArrayDeque<>(); // beyond the queue depth
    final QueueHandler handler;

    IoQueue(int qid, int depth) {
      this.qid = qid;
      this.table = new CommandTable(depth);
      this.handler = new Handler(table, this);
    }
  }

  Association(HostController ctrl, int epoch, NvmeTransport transport, Scheduler scheduler,
      NvmeHostOptions opts) {
    this.ctrl = ctrl;
    this.instance = ctrl.instance();
    this.epoch = epoch;
    this.transport = transport;
    this.timer = new CommandTimer("nvme" + instance, scheduler, new CommandTimer.Queues() {
      @Override
      public CommandTable adminTable() {
        return admin;
      }

      @Override
      public int ioQueueCount() {
        return ioQueues.length;
      }

      @Override
      public CommandTable ioTable(int index) {
        return ioQueues[index].table;
      }

      @Override
      public CompletableFuture<Boolean> abort(int index, int cid) {
        int qid = ioQueues[index].qid;
        return admin(sqe -> AbortCommand.fill(sqe, sqe.cid(), qid, cid), null)
            .thenApply(c -> NvmeStatus.code(c.statusField()) == 0 && (c.dw0() & 1) == 0);
      }

      @Override
      public void reset(String reason) {
        ctrl.error(Association.this, reason);
      }

      @Override
      public boolean closed() {
        return closed;
      }
    }, opts.ioTimeout(), opts.adminTimeout());
  }

  /** Connects I/O queues 1..n of {@code depth} entries each. */
  CompletableFuture<Void> connectIoQueues(int n, int depth) {
    IoQueue[] qs = new IoQueue[n];
    CompletableFuture<?>[] connects = new CompletableFuture<?>[n];
    for (int i = 0; i < n; i++) {
      qs[i] = new IoQueue(i + 1, depth);
      connects[i] = transport.connectIo(i + 1, depth, qs[i].handler);
    }
    return CompletableFuture.allOf(connects).thenRun(() -> ioQueues = qs);
  }

  /**
   * The queue a submission from this thread goes to: the one served on this thread (an
   * event loop of the transport), else one fixed per thread, as Linux maps CPUs to queues.
   */
  IoQueue pick() {
    IoQueue[] qs = ioQueues;
    int n = qs.length;
    if (n <= 1) {
      return n == 0 ? null : qs[0];
    }
    int q = transport.queueOfThisThread();
    if (q >= 1 && q <= n) {
      return qs[q - 1];
    }
    return qs[(int) (Thread.currentThread().getId() % n)];
  }

  final class Handler implements QueueHandler {
    final CommandTable table;
    final IoQueue queue; // null: the admin queue

    Handler(CommandTable table, IoQueue queue) {
      this.table = table;
      this.queue = queue;
    }

    @Override
    public void completed(CompletionQueueEntry cqe) {
      CommandTable.Slot s = table.slot(cqe.cid());
      if (s == null || !s.claim()) {
        HostController.RLOG.warn("nvme{}: completion for unknown cid {} on queue {} (dropped)", instance,
            cqe.cid(), queue == null ? 0 : queue.qid);
        return;
      }
      int status = cqe.statusField();
      if (s.aborting && status != 0) {
        // aborted after its timeout: the path failed it, whatever the status says (0/07h
        // Command Abort Requested is no reason to retry on the stalled queue)
        status = NvmeStatus.COMMAND_ABORTED_BY_HOST.field();
      }
      int dw0 = cqe.dw0();
      IoRequest r = s.io;
      NvmeNamespacePath p = s.path;
      SplitIo split = s.split;
      CompletableFuture<CommandTable.Completion> f = s.future;
      table.release(s);
      if (r != null || split != null) {
        if (split != null) {
          split.pieceDone(status);
        } else {
          ctrl.completeIo(p, r, status);
        }
        if (queue != null) {
          drainWaiting(queue);
        }
      } else if (f != null) {
        f.complete(new CommandTable.Completion(status, dw0));
      }
    }

    @Override
    public void disconnected(String reason) {
      ctrl.error(Association.this, "transport disconnected: " + reason);
    }
  }

  CompletableFuture<CommandTable.Completion> admin(Consumer<SubmissionQueueEntry> fill, ByteBuffer data) {
    return issue(admin, 0, s -> {
      fill.accept(s.sqe.cid(s.cid));
      return data;
    });
  }

  CompletableFuture<CommandTable.Completion> command(Function<CommandTable.Slot, ByteBuffer> fill) {
    IoQueue q = pick();
    if (q == null) {
      return CompletableFuture.failedFuture(new PathFailureException("no I/O queue"));
    }
    return issue(q.table, q.qid, fill);
  }

  /** Issues a command; {@code fill} writes the SQE and returns the data buffer (or null). */
  private CompletableFuture<CommandTable.Completion> issue(
      CommandTable table, int qid, Function<CommandTable.Slot, ByteBuffer> fill) {
    if (closed) {
      return CompletableFuture.failedFuture(new PathFailureException("association closed"));
    }
    CommandTable.Slot s = table.acquire();
    if (s == null) {
      return CompletableFuture.failedFuture(new PathFailureException("queue " + qid + " full"));
    }
    CompletableFuture<CommandTable.Completion> f = new CompletableFuture<>();
    ByteBuffer data;
    try {
      s.sqe.clear();
      data = fill.apply(s);
      s.sqe.cid(s.cid);
    } catch (RuntimeException e) {
      table.release(s);
      return CompletableFuture.failedFuture(e);
    }
    s.future = f;
    s.deadline = qid != 0 ? timer.ioDeadline()
        : s.sqe.opcode() == AdminOpcode.ASYNC_EVENT_REQUEST ? 0 : timer.adminDeadline();
    s.arm();
    transport.submit(qid, s.sqe, data);
    return f;
  }

  void submitIo(NvmeNamespacePath p, IoRequest r) {
    int max = maxBlocks(p, r);
    if (r.blocks() > max) {
      SplitIo split = new SplitIo(ctrl, p, r, max);
      split.start((lba, n, data) -> issuePiece(split, lba, n, data));
      return;
    }
    IoQueue q = pick();
    CommandTable.Slot s = q.table.acquire();
    if (s == null) {
      synchronized (q.waiting) {
        q.waiting.add(new Object[] {p, r});
      }
      drainWaiting(q); // a slot may have freed meanwhile
      return;
    }
    issueIo(q, s, p, r);
  }

  private void drainWaiting(IoQueue q) {
    while (true) {
      Object[] w;
      CommandTable.Slot s;
      synchronized (q.waiting) {
        if (q.waiting.isEmpty()) {
          return;
        }
        s = q.table.acquire();
        if (s == null) {
          return;
        }
        w = q.waiting.poll();
      }
      if (w[0] instanceof SplitIo) {
        long[] range = (long[]) w[1];
        issuePiece(q, s, (SplitIo) w[0], range[0], (int) range[1], (ByteBuffer) w[2]);
      } else {
        issueIo(q, s, (NvmeNamespacePath) w[0], (IoRequest) w[1]);
      }
    }
  }

  /** Blocks one command may carry: MDTS for data, 65536 (16-bit NLB) for all. */
  private int maxBlocks(NvmeNamespacePath p, IoRequest r) {
    int nlbLimit = ReadWriteCommand.MAX_BLOCKS;
    if (!r.op().hasData()) {
      return r.op() == dev.mpath.IoOp.WRITE_ZEROES ? nlbLimit : Integer.MAX_VALUE;
    }
    long byMdts = ctrl.info().maxTransferBytes() / p.blockSize();
    return (int) Math.max(1, Math.min(nlbLimit, byMdts));
  }

  /** Issues one piece of a split request (split.complete is told the status). */
  void issuePiece(SplitIo split, long lba, int blocks, ByteBuffer data) {
    IoQueue q = pick();
    CommandTable.Slot s = q.table.acquire();
    if (s == null) {
      synchronized (q.waiting) {
        q.waiting.add(new Object[] {split, new long[] {lba, blocks}, data});
      }
      drainWaiting(q);
      return;
    }
    issuePiece(q, s, split, lba, blocks, data);
  }

  private void issuePiece(IoQueue q, CommandTable.Slot s, SplitIo split, long lba, int blocks,
      ByteBuffer data) {
    int nsid = split.path.nsid();
    switch (split.request.op()) {
      case READ:
        ReadWriteCommand.read(s.sqe, s.cid, nsid, lba, blocks);
        break;
      case WRITE:
        ReadWriteCommand.write(s.sqe, s.cid, nsid, lba, blocks, false);
        break;
      default:
        WriteZeroesCommand.fill(s.sqe, s.cid, nsid, lba, blocks, false, false);
    }
    s.split = split;
    s.path = split.path;
    s.deadline = timer.ioDeadline();
    s.arm();
    if (closed && s.claim()) {
      q.table.release(s);
      split.pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
      return;
    }
    transport.submit(q.qid, s.sqe, data);
  }

  private void issueIo(IoQueue q, CommandTable.Slot s, NvmeNamespacePath p, IoRequest r) {
    SubmissionQueueEntry sqe = s.sqe;
    ByteBuffer data;
    int nsid = p.nsid();
    switch (r.op()) {
      case READ:
        ReadWriteCommand.read(sqe, s.cid, nsid, r.lba(), r.blocks());
        data = r.buffer();
        break;
      case WRITE:
        ReadWriteCommand.write(sqe, s.cid, nsid, r.lba(), r.blocks(), false);
        data = r.buffer();
        break;
      case FLUSH:
        FlushCommand.fill(sqe, s.cid, nsid);
        data = null;
        break;
      case WRITE_ZEROES:
        WriteZeroesCommand.fill(sqe, s.cid, nsid, r.lba(), r.blocks(), false, false);
        data = null;
        break;
      case DISCARD:
        DatasetManagementCommand.fill(sqe, s.cid, nsid, 1, DatasetManagementCommand.ATTR_AD);
        s.scratch.clear();
        new DsmRange(0, r.blocks(), r.lba()).encode(s.scratch);
        s.scratch.flip();
        data = s.scratch;
        break;
      default:
        throw new AssertionError(r.op());
    }
    s.io = r;
    s.path = p;
    s.deadline = timer.ioDeadline();
    s.arm();
    if (closed && s.claim()) {
      q.table.release(s);
      p.sink().complete(r, Disposition.PATH_ERROR, new PathFailureException("association closed"));
      return;
    }
    transport.submit(q.qid, sqe, data);
  }

  void close() {
    closed = true;
    transport.close();
  }

  /** Fails every outstanding command after the association is gone. */
  void failAll() {
    IoQueue[] qs = ioQueues;
    CommandTable[] tables = new CommandTable[qs.length + 1];
    tables[0] = admin;
    for (int i = 0; i < qs.length; i++) {
      tables[i + 1] = qs[i].table;
    }
    for (CommandTable table : tables) {
      for (int cid = 0; cid < table.size(); cid++) {
        CommandTable.Slot s = table.slot(cid);
        if (!s.claim()) {
          continue;
        }
        IoRequest r = s.io;
        NvmeNamespacePath p = s.path;
        SplitIo split = s.split;
        CompletableFuture<CommandTable.Completion> f = s.future;
        table.release(s);
        if (split != null) {
          split.pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
        } else if (r != null) {
          p.sink().complete(r, Disposition.PATH_ERROR,
              NvmeClassifier.error(NvmeStatus.COMMAND_ABORTED_BY_HOST.field(), p.name()));
        } else if (f != null) {
          f.completeExceptionally(new PathFailureException("nvme" + instance + ": association lost"));
        }
      }
    }
    List<Object[]> parked = new ArrayList<>();
    for (IoQueue q : qs) {
      synchronized (q.waiting) {
        parked.addAll(q.waiting);
        q.waiting.clear();
      }
    }
    for (Object[] w : parked) {
      if (w[0] instanceof SplitIo) {
        ((SplitIo) w[0]).pieceDone(NvmeStatus.COMMAND_ABORTED_BY_HOST.field());
        continue;
      }
      NvmeNamespacePath p = (NvmeNamespacePath) w[0];
      p.sink().complete((IoRequest) w[1], Disposition.PATH_ERROR,
          new PathFailureException(p.name() + ": association lost"));
    }
  }
}
