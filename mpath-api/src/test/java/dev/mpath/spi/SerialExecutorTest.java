package dev.mpath.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The serial executor's contract: order, never on the submitter's stack, batches, refusals. */
class SerialExecutorTest {

  /** A backing executor that queues drains until the test runs them. */
  static final class Manual implements java.util.concurrent.Executor {
    final ArrayDeque<Runnable> queued = new ArrayDeque<>();
    boolean refuse;

    @Override
    public void execute(Runnable r) {
      if (refuse) {
        throw new RejectedExecutionException("refused");
      }
      queued.add(r);
    }

    void runOne() {
      queued.poll().run();
    }
  }

  @Test
  void runsInOrderNeverOnTheSubmittersStackAndHandsOverAfterABatch() {
    Manual m = new Manual();
    SerialExecutor e = SerialExecutor.strict(m, "t", 3);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      int n = i;
      e.execute(() -> ran.add(n));
    }
    assertTrue(ran.isEmpty(), "nothing runs on execute's stack");
    assertEquals(1, m.queued.size(), "one drain scheduled for all seven");
    m.runOne();
    assertEquals(List.of(0, 1, 2), ran, "a batch of three, then the backing thread is offered");
    assertEquals(1, m.queued.size(), "the rest rescheduled");
    m.runOne();
    m.runOne();
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), ran);
    assertTrue(m.queued.isEmpty());
  }

  @Test
  void aTaskSubmittedFromATaskRunsAfterItAndAFailingTaskDoesNotStopTheQueue() {
    Manual m = new Manual();
    SerialExecutor e = SerialExecutor.strict(m, "t", 64);
    List<String> ran = new ArrayList<>();
    e.execute(() -> {
      e.execute(() -> ran.add("inner"));
      ran.add("outer");
      throw new IllegalStateException("boom");
    });
    m.runOne();
    assertEquals(List.of("outer", "inner"), ran);
  }

  @Test
  void tryRunInlineRunsOnTheCallerOnlyWhenIdle() {
    Manual m = new Manual();
    SerialExecutor e = SerialExecutor.dropping(m, "t", 64);
    List<String> ran = new ArrayList<>();
    assertTrue(e.tryRunInline(() -> ran.add("inline")));
    assertEquals(List.of("inline"), ran);
    e.execute(() -> ran.add("queued"));
    assertFalse(e.tryRunInline(() -> ran.add("not now")), "work is queued: no overtaking");
    m.runOne();
    assertEquals(List.of("inline", "queued"), ran);
    e.shutdown();
    assertFalse(e.tryRunInline(() -> ran.add("after shutdown")));
  }

  @Test
  void refusalsThrowFromStrictAndAreDroppedByDropping() {
    Manual m = new Manual();
    m.refuse = true;
    SerialExecutor strict = SerialExecutor.strict(m, "s", 64);
    assertThrows(RejectedExecutionException.class, () -> strict.execute(() -> { }));
    SerialExecutor dropping = SerialExecutor.dropping(m, "d", 64);
    dropping.execute(() -> { }); // no exception
    m.refuse = false;
    AtomicInteger n = new AtomicInteger();
    strict.execute(n::incrementAndGet); // usable again once the pool accepts
    m.runOne();
    assertEquals(1, n.get());
    strict.shutdown();
    assertThrows(RejectedExecutionException.class, () -> strict.execute(n::incrementAndGet));
  }

  @Test
  void aRefusalInTheMiddleOfADrainFinishesTheQueueOnTheDrainingThread() {
    Manual m = new Manual();
    SerialExecutor e = SerialExecutor.strict(m, "t", 2);
    AtomicInteger n = new AtomicInteger();
    for (int i = 0; i < 5; i++) {
      e.execute(n::incrementAndGet);
    }
    m.refuse = true;
    m.runOne();
    assertEquals(5, n.get(), "nothing lost when the pool goes away mid-drain");
  }

  @Test
  void concurrentSubmittersKeepEachOnesOrderAndLoseNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      SerialExecutor e = SerialExecutor.strict(pool, "t", 16);
      int threads = 4;
      int each = 20_000;
      int[] last = new int[threads];
      java.util.Arrays.fill(last, -1);
      AtomicInteger disorder = new AtomicInteger();
      AtomicInteger concurrent = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(threads * each);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          for (int i = 0; i < each; i++) {
            int v = i;
            e.execute(() -> {
              if (concurrent.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
              }
              if (last[id] != v - 1) { // plain array: the executor's own ordering publishes it
                disorder.incrementAndGet();
              }
              last[id] = v;
              concurrent.decrementAndGet();
              done.countDown();
            });
          }
        });
        ts.add(th);
        th.start();
      }
      for (Thread th : ts) {
        th.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertTrue(done.await(30, TimeUnit.SECONDS), "every task ran");
      assertEquals(0, overlaps.get(), "never two tasks at once");
      assertEquals(0, disorder.get(), "each submitter's tasks in its order");
    } finally {
      pool.shutdownNow();
    }
  }
}
