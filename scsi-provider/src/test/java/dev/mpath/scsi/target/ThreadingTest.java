package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.BS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.alua.AluaState;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.testing.ManualScheduler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The default executors: a pool of the target's own with a few threads, whatever the number
 * of logical units, and each LU one command at a time on it.
 */
class ThreadingTest {

  /** Records answers with the thread they arrived on; counts down a latch. */
  static final class LatchSink implements ResponseSink {
    final CountDownLatch done;
    final Map<Long, ScsiResponse> responses = new ConcurrentHashMap<>();
    final List<Long> order = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    LatchSink(int expected) {
      done = new CountDownLatch(expected);
    }

    @Override
    public void complete(long tag, ScsiResponse response) {
      responses.put(tag, response);
      order.add(tag);
      threads.add(Thread.currentThread().getName());
      done.countDown();
    }

    @Override
    public void disconnected(String reason) {
    }
  }

  static ScsiTarget target() {
    return ScsiTarget.builder("iqn.2024-01.dev.mpath:threads", new ManualScheduler())
        .portGroup(1, AluaState.ACTIVE_OPTIMIZED).port(1, 1).port(2, 1)
        .lun(0, LuSpec.of(4096, BS)).lun(1, LuSpec.of(4096, BS))
        .powerOnUnitAttention(false)
        .build();
  }

  @Test
  void answersArriveOnTheLogicalUnitThreadInSubmissionOrder() throws Exception {
    try (ScsiTarget t = target()) {
      int n = 400;
      LatchSink sink = new LatchSink(n);
      Session s = t.login(Rig.HOST_A, 1, sink);
      String me = Thread.currentThread().getName();
      List<Long> lun0 = new ArrayList<>();
      List<Long> lun1 = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int lun = i % 2;
        byte[] block = new byte[BS];
        block[0] = (byte) i;
        block[1] = (byte) (i >> 8);
        s.execute(i, lun, ReadWriteCdb.write10(i / 2, 1).toBytes(), ByteBuffer.wrap(block), BS);
        (lun == 0 ? lun0 : lun1).add((long) i);
      }
      assertTrue(sink.done.await(30, TimeUnit.SECONDS), "all answered");
      assertEquals(n, sink.responses.size());
      sink.responses.values().forEach(Rig::assertGood);
      List<Long> seen0 = sink.order.stream().filter(tag -> tag % 2 == 0).toList();
      List<Long> seen1 = sink.order.stream().filter(tag -> tag % 2 == 1).toList();
      assertEquals(lun0, seen0, "LUN 0 order");
      assertEquals(lun1, seen1, "LUN 1 order");
      assertFalse(sink.threads.contains(me), "never on the submitter's thread");
      assertTrue(sink.threads.stream().allMatch(x -> x.startsWith("mpath-scsi-threads-")),
          sink.threads.get(0));
      ByteBuffer b = ByteBuffer.allocate(BS);
      t.lun(1).store().read(7L * BS, b);
      assertEquals(15, b.get(0), "block 7 of LUN 1 holds write 15");
    }
  }

  @Test
  void sixtyFourLogicalUnitsRunOnAtMostFourThreads() throws Exception {
    ScsiTarget.Builder b = ScsiTarget.builder("iqn.2024-01.dev.mpath:many", new ManualScheduler())
        .portGroup(1, AluaState.ACTIVE_OPTIMIZED).port(1, 1).powerOnUnitAttention(false);
    int luns = 64;
    for (int lun = 0; lun < luns; lun++) {
      b.lun(lun, LuSpec.of(64, BS));
    }
    try (ScsiTarget t = b.build()) {
      int n = luns * 4;
      LatchSink sink = new LatchSink(n);
      Session s = t.login(Rig.HOST_A, 1, sink);
      for (int i = 0; i < n; i++) {
        s.execute(i, i % luns, ReadWriteCdb.write10(i / luns, 1).toBytes(),
            ByteBuffer.wrap(new byte[BS]), BS);
      }
      assertTrue(sink.done.await(30, TimeUnit.SECONDS), "all answered");
      sink.responses.values().forEach(Rig::assertGood);
      long distinct = sink.threads.stream().distinct().count();
      assertTrue(distinct >= 1 && distinct <= 4, "threads used: " + distinct);
      long alive = Thread.getAllStackTraces().keySet().stream()
          .filter(th -> th.getName().startsWith("mpath-scsi-many-")).count();
      assertTrue(alive <= 4, alive + " threads for " + luns + " LUs");
    }
  }

  @Test
  void concurrentSubmittersEachKeepTheirOrder() throws Exception {
    try (ScsiTarget t = target()) {
      int threads = 4;
      int per = 250;
      List<LatchSink> sinks = new ArrayList<>();
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        LatchSink sink = new LatchSink(per);
        sinks.add(sink);
        sessions.add(t.login("iqn.1994-05.com.example:h" + i, 1 + i % 2, sink));
      }
      List<Thread> submitters = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Session s = sessions.get(i);
        int id = i;
        Thread th = new Thread(() -> {
          for (int k = 0; k < per; k++) {
            byte[] block = new byte[BS];
            block[0] = (byte) id;
            s.execute(k, 0, ReadWriteCdb.write10(id * per + k, 1).toBytes(),
                ByteBuffer.wrap(block), BS);
          }
        });
        submitters.add(th);
        th.start();
      }
      for (Thread th : submitters) {
        th.join(30_000);
      }
      for (int i = 0; i < threads; i++) {
        LatchSink sink = sinks.get(i);
        assertTrue(sink.done.await(30, TimeUnit.SECONDS));
        List<Long> expected = new ArrayList<>();
        for (long k = 0; k < per; k++) {
          expected.add(k);
        }
        assertEquals(expected, sink.order, "session " + i);
      }
      byte[] want = new byte[BS];
      want[0] = 3;
      ByteBuffer b = ByteBuffer.allocate(BS);
      t.lun(0).store().read((3L * per + 17) * BS, b);
      assertArrayEquals(want, b.array());
    }
  }

  /**
   * A sink that runs commands inline and lends its buffers (the iSCSI listener's contract):
   * an idle LU answers on the submitter's stack; a lent buffer's position and limit are back
   * in place when the answer arrives, and the data landed between them; a reused command
   * does not carry its predecessor's CDB or buffer.
   */
  @Test
  void anInlineSinkIsAnsweredOnItsOwnStackWithItsBufferPutBack() throws Exception {
    try (ScsiTarget t = target()) {
      byte[] block = new byte[BS];
      for (int i = 0; i < BS; i++) {
        block[i] = (byte) (i * 7 + 1);
      }
      t.lun(0).store().write(5L * BS, ByteBuffer.wrap(block));
      String me = Thread.currentThread().getName();
      List<String> threads = new CopyOnWriteArrayList<>();
      Map<Long, ScsiResponse> answers = new ConcurrentHashMap<>();
      ResponseSink inline = new ResponseSink() {
        @Override
        public boolean runsCommandsInline() {
          return true;
        }

        @Override
        public boolean lendsBuffers() {
          return true;
        }

        @Override
        public void complete(long tag, ScsiResponse response) {
          threads.add(Thread.currentThread().getName());
          answers.put(tag, response);
        }

        @Override
        public void disconnected(String reason) {}
      };
      Session s = t.login(Rig.HOST_A, 1, inline);
      ByteBuffer lent = ByteBuffer.allocate(3 * BS);
      lent.position(7).limit(7 + BS);
      for (long tag = 1; tag <= 3; tag++) {
        s.execute(tag, 0, ReadWriteCdb.read10(5, 1).toBytes(), lent, BS);
        assertEquals(tag, answers.size(), "answered before execute returned");
        Rig.assertGood(answers.get(tag));
        assertEquals(7, lent.position());
        assertEquals(7 + BS, lent.limit());
        byte[] got = new byte[BS];
        lent.duplicate().get(got);
        assertArrayEquals(block, got);
      }
      // a TEST UNIT READY after the READs: no data buffer, nothing moved
      s.execute(9, 0, new byte[6], null, 0);
      Rig.assertGood(answers.get(9L));
      assertEquals(List.of(me, me, me, me), threads);
    }
  }
}
