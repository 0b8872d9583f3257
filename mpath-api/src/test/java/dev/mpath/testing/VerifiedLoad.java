package dev.mpath.testing;

import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A verified write/read load for provider tests: {@code threads} threads each write a
 * pattern to their own blocks, read it back and compare, {@code perThread} times, counting
 * every completion per request so "exactly once" can be checked. When every thread is
 * halfway, {@code atHalfway} runs on the caller's thread (to kill a path, flip a state...)
 * while the threads go on, so requests are in flight when it strikes. Bounded: a request
 * that does not complete within 60 s is reported as a failure, the whole run within 120 s.
 */
public final class VerifiedLoad {

  /** The outcome: completions per request id (2 per iteration) and the first failure. */
  public record Result(AtomicIntegerArray completions, Throwable firstFailure) {
    /** Whether every request completed exactly once. */
    public int firstNotOnce() {
      for (int i = 0; i < completions.length(); i++) {
        if (completions.get(i) != 1) {
          return i;
        }
      }
      return -1;
    }
  }

  private VerifiedLoad() {}

  /**
   * @param bytes transfer size of each write and read (a multiple of the block size)
   * @param lbaStride blocks between consecutive requests (at least bytes / block size)
   */
  public static Result run(MultipathDevice d, int threads, int perThread, int bytes, long lbaStride,
      Runnable atHalfway) throws InterruptedException {
    return run(d, threads, perThread, new int[] {bytes}, lbaStride, atHalfway);
  }

  /** As above, iteration {@code i} moving {@code sizes[i % sizes.length]} bytes. */
  public static Result run(MultipathDevice d, int threads, int perThread, int[] sizes, long lbaStride,
      Runnable atHalfway) throws InterruptedException {
    int largest = java.util.Arrays.stream(sizes).max().orElseThrow();
    AtomicIntegerArray done = new AtomicIntegerArray(threads * perThread * 2);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch halfway = new CountDownLatch(threads);
    CountDownLatch finished = new CountDownLatch(threads);
    long span = d.capacityBlocks() - largest / d.blockSize();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        final int thread = t;
        pool.execute(() -> {
          try {
            for (int i = 0; i < perThread; i++) {
              if (i == perThread / 2) {
                halfway.countDown();
              }
              int id = (thread * perThread + i) * 2;
              int bytes = sizes[i % sizes.length];
              long lba = (long) (thread * perThread + i) * lbaStride % span;
              ByteBuffer src = pattern(lba, bytes, thread);
              if (!io(d, new IoRequest().write(lba, src), done, id, failure)) {
                return;
              }
              ByteBuffer dst = ByteBuffer.allocate(bytes);
              if (!io(d, new IoRequest().read(lba, dst), done, id + 1, failure)) {
                return;
              }
              if (!src.equals(dst)) {
                failure.compareAndSet(null, new AssertionError("data mismatch at lba " + lba));
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            finished.countDown();
          }
        });
      }
      if (!halfway.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the load never reached halfway");
      }
      atHalfway.run();
      if (!finished.await(120, TimeUnit.SECONDS)) {
        throw new AssertionError("the load did not finish");
      }
      return new Result(done, failure.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean io(MultipathDevice d, IoRequest r, AtomicIntegerArray done, int id,
      AtomicReference<Throwable> failure) throws InterruptedException {
    CountDownLatch l = new CountDownLatch(1);
    d.submit(r.completion(x -> {
      done.incrementAndGet(id);
      if (x.error() != null) {
        failure.compareAndSet(null, x.error());
      }
      l.countDown();
    }));
    if (!l.await(60, TimeUnit.SECONDS)) {
      failure.compareAndSet(null, new AssertionError("request " + id + " never completed"));
      return false;
    }
    return true;
  }

  /** The pattern written at {@code lba} by {@code salt}. */
  public static ByteBuffer pattern(long lba, int bytes, int salt) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (lba * 131 + i * 7 + salt));
    }
    return b;
  }
}
