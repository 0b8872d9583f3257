package dev.mpath.nvme.host;

import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.spi.Scheduler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One look at a discovery controller, as {@code nvme discover} takes it: Fabrics Connect to
 * the well-known discovery NQN without Keep Alive, enable, Identify Controller (CNTRLTYPE
 * must say discovery, or 0 for controllers older than NVMe 1.4), then the Discovery log
 * page (LID 70h, NVMe base 5.16.1.23): the 1024-byte header for GENCTR and NUMREC, the
 * NUMREC entries from offset 1024 in pieces no larger than MDTS, then the header once more.
 * If GENCTR moved meanwhile the read starts over, at most {@link #MAX_READS} times. The
 * association is torn down at the end, whatever the outcome.
 *
 * <p>Not thread-safe; one instance per look. Commands go one at a time.
 */
final class DiscoveryClient {
  /** Whole-log reads tried while GENCTR keeps changing. */
  static final int MAX_READS = 8;
  /** Largest single Get Log Page transfer asked for, whatever MDTS allows. */
  static final int MAX_PIECE = 256 * 1024;

  private final NvmeTransport transport;
  private final Scheduler scheduler;
  private final String where;
  private final Admin admin = new Admin();
  private long maxTransfer = MAX_PIECE;

  DiscoveryClient(NvmeTransport transport, Scheduler scheduler) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.where = transport.address();
  }

  /**
   * Connects, reads the whole log and disconnects.
   *
   * @return the log page; fails with {@link IOException} when the controller refuses, is not
   *     a discovery controller, answers malformed data or does not finish within
   *     {@code timeoutMillis}
   */
  CompletableFuture<DiscoveryLogPage> fetch(String discoveryNqn, String hostNqn, UUID hostId,
      long timeoutMillis) {
    long deadline = scheduler.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    CompletableFuture<DiscoveryLogPage> f = transport
        .connectAdmin(discoveryNqn, hostNqn, hostId, 0, admin)
        .thenCompose(cntlid -> ControllerEnable.enable(transport, scheduler, deadline))
        .thenCompose(this::identify)
        .thenCompose(v -> read(1));
    CompletableFuture<DiscoveryLogPage> bounded = new CompletableFuture<>();
    Scheduler.Cancellable timer = scheduler.schedule(() -> bounded.completeExceptionally(
        new TimeoutException()), timeoutMillis, TimeUnit.MILLISECONDS);
    f.whenComplete((v, e) -> {
      if (e != null) {
        bounded.completeExceptionally(e);
      } else {
        bounded.complete(v);
      }
    });
    return bounded.handle((v, e) -> {
      timer.cancel();
      transport.close();
      if (e == null) {
        return v;
      }
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof TimeoutException) {
        throw new CompletionException(new IOException("discovery at " + where + " did not answer within "
            + timeoutMillis + " ms"));
      }
      if (c instanceof IOException) {
        throw new CompletionException(c);
      }
      throw new CompletionException(new IOException("discovery at " + where + ": " + c.getMessage(), c));
    });
  }

  private CompletableFuture<Void> identify(long cap) {
    ByteBuffer buf = ByteBuffer.allocate(IdentifyCommand.DATA_LENGTH);
    return admin.run(sqe -> IdentifyCommand.controller(sqe, sqe.cid()), buf, "Identify Controller")
        .thenAccept(dw0 -> {
          IdentifyController id;
          try {
            id = IdentifyController.decode(buf);
          } catch (NvmeProtocolException e) {
            throw new CompletionException(new IOException(where + ": " + e.getMessage(), e));
          }
          if (id.cntrltype() != IdentifyController.CNTRLTYPE_DISCOVERY && id.cntrltype() != 0) {
            throw new CompletionException(new IOException(where + " answers the discovery NQN with"
                + " a controller of type " + id.cntrltype() + ", not a discovery controller"));
          }
          if (id.mdts() != 0) {
            maxTransfer = Math.min(MAX_PIECE, ControllerEnable.minPageSize(cap) << id.mdts());
          }
        });
  }

  /** Header, entries, header again; starts over while GENCTR moves. */
  private CompletableFuture<DiscoveryLogPage> read(int attempt) {
    ByteBuffer header = ByteBuffer.allocate(DiscoveryLogPage.HEADER_LENGTH);
    return readLog(header, 0, true).thenCompose(v -> {
      long genctr = header.order(ByteOrder.LITTLE_ENDIAN).getLong(DiscoveryLogPage.GENCTR_OFFSET);
      long numrec = header.getLong(DiscoveryLogPage.NUMREC_OFFSET);
      if (numrec < 0 || numrec > DiscoveryLogPage.MAX_ENTRIES) {
        throw new CompletionException(new IOException(where + ": discovery log NUMREC "
            + Long.toUnsignedString(numrec) + " above " + DiscoveryLogPage.MAX_ENTRIES));
      }
      int len = DiscoveryLogPage.HEADER_LENGTH + DiscoveryLogPage.ENTRY_LENGTH * (int) numrec;
      byte[] page = new byte[len];
      header.get(0, page, 0, DiscoveryLogPage.HEADER_LENGTH);
      ByteBuffer all = ByteBuffer.wrap(page);
      return readLog(all, DiscoveryLogPage.HEADER_LENGTH, true)
          .thenCompose(x -> {
            ByteBuffer again = ByteBuffer.allocate(DiscoveryLogPage.HEADER_LENGTH);
            return readLog(again, 0, false).thenApply(y ->
                again.order(ByteOrder.LITTLE_ENDIAN).getLong(DiscoveryLogPage.GENCTR_OFFSET));
          })
          .thenCompose(genctrAfter -> {
            if (genctrAfter != genctr) {
              if (attempt >= MAX_READS) {
                return CompletableFuture.failedFuture(new IOException(where + ": discovery log"
                    + " changed during each of " + MAX_READS + " reads (GENCTR " + genctrAfter + ")"));
              }
              return read(attempt + 1);
            }
            try {
              return CompletableFuture.completedFuture(DiscoveryLogPage.decode(page, len));
            } catch (NvmeProtocolException e) {
              return CompletableFuture.failedFuture(new IOException(where + ": " + e.getMessage(), e));
            }
          });
    });
  }

  /** Fills {@code buf} from {@code from} to its capacity with the log from that offset. */
  private CompletableFuture<Void> readLog(ByteBuffer buf, int from, boolean rae) {
    if (from >= buf.capacity()) {
      return CompletableFuture.completedFuture(null);
    }
    int n = (int) Math.min(maxTransfer, buf.capacity() - from);
    ByteBuffer piece = buf.duplicate().limit(from + n).position(from);
    return admin.run(sqe -> GetLogPageCommand.fill(sqe, sqe.cid(), 0, LogPageId.DISCOVERY, 0, rae, n,
            from), piece, "Get Log Page 70h at offset " + from)
        .thenCompose(dw0 -> readLog(buf, from + n, rae));
  }

  /** The admin queue: one command outstanding at a time. */
  private final class Admin implements QueueHandler {
    private final SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    private volatile CompletableFuture<Integer> pending;
    private volatile String what;
    private int nextCid;

    CompletableFuture<Integer> run(Consumer<SubmissionQueueEntry> fill, ByteBuffer data, String what) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      int cid = nextCid++ & 0x7FFF;
      sqe.clear();
      sqe.cid(cid);
      fill.accept(sqe);
      this.what = what;
      pending = f;
      transport.submit(0, sqe, data);
      return f;
    }

    @Override
    public void completed(CompletionQueueEntry cqe) {
      CompletableFuture<Integer> f = pending;
      if (f == null) {
        return;
      }
      pending = null;
      int status = cqe.statusField();
      if (NvmeStatus.code(status) != 0) {
        f.completeExceptionally(new IOException(where + ": " + what + " failed: "
            + NvmeStatus.fromField(status)));
      } else {
        f.complete(cqe.dw0());
      }
    }

    @Override
    public void disconnected(String reason) {
      CompletableFuture<Integer> f = pending;
      if (f != null) {
        f.completeExceptionally(new IOException(where + ": " + reason));
      }
    }
  }
}
