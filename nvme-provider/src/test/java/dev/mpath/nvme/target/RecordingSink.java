package dev.mpath.nvme.target;

import static org.junit.jupiter.api.Assertions.fail;

import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeStatus;
import java.util.ArrayList;
import java.util.List;

/** Records completions (copied) and disconnects. Thread-safe. */
class RecordingSink implements CompletionSink {

  /** A copied completion. */
  record Cqe(int cid, int sqid, int sqhd, int status, int dw0, int dw1, String thread) {
    int code() {
      return NvmeStatus.code(status);
    }

    boolean dnr() {
      return NvmeStatus.dnr(status);
    }

    boolean ok() {
      return code() == 0;
    }
  }

  private final List<Cqe> completions = new ArrayList<>();
  private final List<Cqe> all = new ArrayList<>();
  private final List<String> disconnects = new ArrayList<>();

  @Override
  public synchronized void complete(CompletionQueueEntry cqe) {
    Cqe c = new Cqe(cqe.cid(), cqe.sqid(), cqe.sqhd(), cqe.statusField(), cqe.dw0(), cqe.dw1(),
        Thread.currentThread().getName());
    completions.add(c);
    all.add(c);
    notifyAll();
  }

  @Override
  public synchronized void disconnected(String reason) {
    disconnects.add(reason);
    notifyAll();
  }

  /** Removes and returns the completion of {@code cid}; fails the test if there is none. */
  synchronized Cqe take(int cid) {
    for (int i = 0; i < completions.size(); i++) {
      if (completions.get(i).cid() == cid) {
        return completions.remove(i);
      }
    }
    fail("no completion for cid " + cid + "; have " + completions);
    return null;
  }

  synchronized boolean has(int cid) {
    return completions.stream().anyMatch(c -> c.cid() == cid);
  }

  /** Completions not yet taken. */
  synchronized List<Cqe> pending() {
    return List.copyOf(completions);
  }

  /** Every completion ever received, in order. */
  synchronized List<Cqe> all() {
    return List.copyOf(all);
  }

  synchronized List<String> disconnects() {
    return List.copyOf(disconnects);
  }

  /** Waits (bounded) until {@code n} completions were received in all. */
  synchronized void awaitCount(int n, long timeoutMillis) throws InterruptedException {
    long end = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (all.size() < n) {
      long left = (end - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        fail("timed out waiting for " + n + " completions, have " + all.size());
      }
      wait(left);
    }
  }
}
