package dev.mpath.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubmitQueueTest {
  private final IoEngine engine = IoEngine.create(1, "submit-queue-test", false);

  @AfterEach
  void stop() {
    engine.shutdown();
  }

  static final class Item extends SubmitQueue.Node {
    final int producer;
    final int seq;

    Item(int producer, int seq) {
      this.producer = producer;
      this.seq = seq;
    }
  }

  @Test
  void everyItemDrainedOnceInPerProducerOrder() throws Exception {
    EventLoop loop = engine.group().next();
    int producers = 4;
    int perProducer = 20_000;
    List<Item> drained = new ArrayList<>();
    int[] batches = new int[1];
    CountDownLatch all = new CountDownLatch(producers * perProducer);
    SubmitQueue q = new SubmitQueue(loop, new SubmitQueue.Drain() {
      @Override
      public void drain(SubmitQueue.Node item) {
        assertTrue(loop.inEventLoop());
        drained.add((Item) item);
        all.countDown();
      }

      @Override
      public void batchDone() {
        batches[0]++;
      }
    });
    Thread[] threads = new Thread[producers];
    for (int p = 0; p < producers; p++) {
      int id = p;
      threads[p] = new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          assertTrue(q.add(new Item(id, i)));
        }
      });
      threads[p].start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertTrue(all.await(60, TimeUnit.SECONDS), "every item drained");
    CountDownLatch seen = new CountDownLatch(1);
    loop.execute(seen::countDown);
    assertTrue(seen.await(10, TimeUnit.SECONDS));
    assertEquals(producers * perProducer, drained.size());
    int[] next = new int[producers];
    for (Item it : drained) {
      assertEquals(next[it.producer], it.seq, "order of producer " + it.producer);
      next[it.producer]++;
    }
    assertTrue(batches[0] >= 1 && batches[0] <= producers * perProducer);
  }

  @Test
  void addedOnTheLoopDuringADrainIsTakenByThatDrain() throws Exception {
    EventLoop loop = engine.group().next();
    List<Integer> order = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    SubmitQueue[] q = new SubmitQueue[1];
    Item second = new Item(0, 2);
    q[0] = new SubmitQueue(loop, new SubmitQueue.Drain() {
      @Override
      public void drain(SubmitQueue.Node item) {
        Item it = (Item) item;
        order.add(it.seq);
        if (it.seq == 1) {
          q[0].add(second); // reentrant: must not recurse, must not be lost
          order.add(-1);
        }
        done.countDown();
      }

      @Override
      public void batchDone() {}
    });
    loop.execute(() -> q[0].add(new Item(0, 1)));
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(1, -1, 2), order);
  }
}
