package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.MpathException;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.NoPathException;
import dev.mpath.PathState;
import dev.mpath.ReservationConflictException;
import dev.mpath.TargetErrorException;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.Rig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Path errors, retries and target errors. */
class FailoverTest {

  @Test
  void pathDyingUnderEightThreadsLosesAndDuplicatesNothing() throws Exception {
    ExecutorService completer = Executors.newFixedThreadPool(2);
    ExecutorService submitters = Executors.newFixedThreadPool(8);
    try (Rig rig = Rig.builder().policy(IoPolicy.roundRobin()).immediate(completer).build()) {
      FakePath a = rig.attach(completer);
      FakePath b = rig.attach(completer);
      FakePath c = rig.attach(completer);
      MultipathDevice d = rig.device();
      final int threads = 8;
      final int perThread = 400; // each thread owns its own block range
      AtomicIntegerArray completions = new AtomicIntegerArray(threads * perThread * 2);
      AtomicInteger errors = new AtomicInteger();
      AtomicReference<Throwable> firstError = new AtomicReference<>();
      CountDownLatch halfway = new CountDownLatch(threads);
      CountDownLatch killed = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        final int thread = t;
        submitters.execute(
            () -> {
              try {
                for (int i = 0; i < perThread; i++) {
                  if (i == perThread / 2) {
                    halfway.countDown();
                    killed.await();
                  }
                  long lba = (long) thread * perThread + i;
                  int id = (int) lba * 2;
                  ByteBuffer src = ByteBuffer.allocate(Rig.BLOCK);
                  for (int k = 0; k < Rig.BLOCK; k++) {
                    src.put(k, (byte) (lba * 31 + k));
                  }
                  // write, then read back and verify, each counted exactly once
                  CountDownLatch one = new CountDownLatch(2);
                  d.submit(new IoRequest().write(lba, src).completion(r -> {
                    completions.incrementAndGet(id);
                    if (r.error() != null) {
                      errors.incrementAndGet();
                      firstError.compareAndSet(null, r.error());
                    }
                    one.countDown();
                  }));
                  one.countDown();
                  one.await();
                  ByteBuffer dst = ByteBuffer.allocate(Rig.BLOCK);
                  CountDownLatch two = new CountDownLatch(1);
                  d.submit(new IoRequest().read(lba, dst).completion(r -> {
                    completions.incrementAndGet(id + 1);
                    if (r.error() != null) {
                      errors.incrementAndGet();
                      firstError.compareAndSet(null, r.error());
                    }
                    two.countDown();
                  }));
                  two.await();
                  if (!src.equals(dst)) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, new AssertionError("data mismatch at " + lba));
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                done.countDown();
              }
            });
      }
      assertTrue(halfway.await(60, TimeUnit.SECONDS));
      // hold b so requests are in flight on it when it dies
      b.hold(true);
      killed.countDown();
      while (b.heldCount() < 4 && done.getCount() > 0) {
        Thread.onSpinWait();
      }
      b.kill();
      assertTrue(done.await(60, TimeUnit.SECONDS), "load finished");
      assertNull(firstError.get(), "no error reached a caller");
      assertEquals(0, errors.get());
      for (int i = 0; i < completions.length(); i++) {
        assertEquals(1, completions.get(i), "request " + i + " completed exactly once");
      }
      assertTrue(d.stats().failovers() >= 4, "in-flight requests on b moved: " + d.stats());
      assertEquals(threads * perThread * 2, d.stats().ios());
      assertTrue(a.submitted.get() > 0 && c.submitted.get() > 0);
      assertSame(PathState.FAILED, d.paths().get(1).state());
    } finally {
      submitters.shutdownNow();
      completer.shutdownNow();
    }
  }

  @Test
  void redirectResubmitsTheSameObjectAndCloneNeverTheCallers() {
    for (FailoverStyle style : FailoverStyle.values()) {
      try (Rig rig = Rig.builder().style(style).policy(IoPolicy.failover()).build()) {
        FakePath a = rig.attach();
        FakePath b = rig.attach();
        a.record = true;
        b.record = true;
        a.script(1, Disposition.PATH_ERROR, new IOException("link down"));
        List<IoRequest> done = new ArrayList<>();
        IoRequest r = Rig.read(3, done);
        rig.device().submit(r);
        assertEquals(1, done.size());
        assertNull(r.error());
        IoRequest first = a.seen.get(0);
        IoRequest second = b.seen.get(0);
        if (style == FailoverStyle.REDIRECT) {
          assertSame(r, first);
          assertSame(r, second);
        } else {
          // each attempt is the request's clone (kept from one attempt to the next), never
          // the caller's object, with a view of the caller's buffer set afresh
          assertTrue(first != r && second != r, "the caller's request is never an attempt");
          assertEquals(r.lba(), second.lba());
          assertEquals(r.blocks(), second.blocks());
          assertTrue(second.buffer() != r.buffer(), "the attempt's buffer is a view");
          assertEquals(r.buffer().position(), second.buffer().position());
          assertEquals(r.buffer().limit(), second.buffer().limit());
        }
        assertEquals(1, rig.device().stats().failovers());
        assertTrue(rig.device().paths().get(0).faulted());
      }
    }
  }

  @Test
  void cloneKeepsTheCallersBufferPositionWhenAnAttemptMovesItsOwn() {
    try (Rig rig = Rig.builder().style(FailoverStyle.CLONE).policy(IoPolicy.failover()).build()) {
      FakePath a = rig.attach();
      rig.attach();
      a.record = true;
      a.script(1, Disposition.PATH_ERROR, new IOException("partial transfer"));
      ByteBuffer src = ByteBuffer.allocate(2 * Rig.BLOCK);
      src.position(0);
      List<IoRequest> done = new ArrayList<>();
      IoRequest r = new IoRequest().write(0, src).completion(done::add);
      rig.device().submit(r);
      // a partial attempt that consumed its (cloned) buffer cannot disturb the original
      a.seen.get(0).buffer().position(Rig.BLOCK);
      assertEquals(0, src.position());
      assertEquals(2 * Rig.BLOCK, src.remaining());
      assertNull(done.get(0).error());
    }
  }

  @Test
  void retryIsBoundedByMaxRetries() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      IOException busy = new IOException("unit attention");
      a.script(100, Disposition.RETRY, busy);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, done.size());
      assertEquals(6, a.submitted.get(), "first attempt + 5 retries");
      Throwable e = done.get(0).error();
      assertInstanceOf(MpathException.class, e);
      assertSame(busy, e.getCause());
      assertEquals(5, rig.device().stats().retries());
      assertEquals(0, rig.device().stats().failovers());
    }
  }

  @Test
  void exhaustedRetriesFailOverWhenAnotherPathIsUsable() {
    // issue 9 defect 3: a storm of unit attentions on one path surfaced errors although
    // another path was usable
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      FakePath b = rig.attach();
      a.script(100, Disposition.RETRY, new IOException("power on occurred"));
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, done.size());
      assertNull(done.get(0).error(), "completed on the other path");
      assertEquals(6, a.submitted.get(), "first attempt + 5 retries on the storming path");
      assertEquals(1, b.submitted.get());
      assertEquals(1, rig.device().stats().failovers());
      assertEquals(PathState.LIVE, rig.device().paths().get(0).state(),
          "a retry is not a path error: the storming path stays in service");
    }
  }

  @Test
  void retriesExhaustedOnEveryPathEndInTheError() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      FakePath b = rig.attach();
      FakePath c = rig.attach();
      IOException busy = new IOException("busy");
      for (FakePath p : List.of(a, b, c)) {
        p.script(100, Disposition.RETRY, busy);
      }
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, done.size());
      assertSame(busy, done.get(0).error().getCause());
      assertEquals(18, a.submitted.get() + b.submitted.get() + c.submitted.get(),
          "each path gets its budget once: 3 x (1 + 5), no ping-pong");
      assertEquals(6, a.submitted.get());
      assertEquals(6, b.submitted.get());
      assertEquals(6, c.submitted.get());
      assertEquals(2, rig.device().stats().failovers());
    }
  }

  @Test
  void retryWithDelayWaitsOnTheClock() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      List<IoRequest> done = new ArrayList<>();
      IoRequest r = Rig.read(0, done);
      a.script(0, Disposition.SUCCESS, null);
      // first attempt asks for a 100 ms retry delay (NVMe CRD)
      a.hold(true);
      rig.device().submit(r);
      a.hold(false);
      IoRequest attempt = r;
      a.sink().retry(attempt, new IOException("crd"), 100, TimeUnit.MILLISECONDS);
      assertEquals(0, done.size());
      rig.scheduler.advance(Duration.ofMillis(99));
      assertEquals(1, a.submitted.get());
      rig.scheduler.advance(Duration.ofMillis(1));
      assertEquals(2, a.submitted.get());
      assertEquals(1, done.size());
      assertNull(done.get(0).error());
    }
  }

  @Test
  void targetErrorsAndReservationConflictsNeverFailOver() {
    List<Throwable> errors =
        List.of(
            new TargetErrorException("medium error", "scsi", 2, 0x031100),
            new ReservationConflictException("reserved", "scsi", 0x18),
            new ReservationConflictException("reserved", "nvme", 0x083));
    for (Throwable error : errors) {
      try (Rig rig = Rig.builder().policy(IoPolicy.roundRobin()).build()) {
        FakePath a = rig.attach();
        FakePath b = rig.attach();
        a.script(1, Disposition.TARGET_ERROR, error);
        List<IoRequest> done = new ArrayList<>();
        rig.device().submit(Rig.read(0, done));
        assertEquals(1, done.size());
        assertSame(error, done.get(0).error());
        assertEquals(1, a.submitted.get());
        assertEquals(0, b.submitted.get(), "no failover for " + error);
        assertEquals(0, rig.device().stats().failovers());
        assertTrue(rig.device().paths().get(0).usable(), "the path is fine");
      }
    }
  }

  @Test
  void faultedPathIsReinstatedByTheChecker() {
    try (Rig rig = Rig.builder().checkInterval(Duration.ofSeconds(5)).build()) {
      FakePath a = rig.attach();
      rig.attach();
      a.script(1, Disposition.PATH_ERROR, new IOException("glitch"));
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertTrue(rig.device().paths().get(0).faulted());
      rig.scheduler.advance(Duration.ofSeconds(5));
      assertTrue(a.checks.get() > 0);
      assertTrue(!rig.device().paths().get(0).faulted(), "check passed: reinstated");
      assertTrue(
          rig.events.stream()
              .anyMatch(e -> e instanceof MultipathEvent.PathFaulted f && !f.faulted()));
      // a failing check takes a usable path out
      a.checkResult(false);
      rig.scheduler.advance(Duration.ofSeconds(5));
      assertTrue(rig.device().paths().get(0).faulted());
    }
  }

  @Test
  void aCheckThatNeverAnswersFaultsThePathAtTheCheckTimeout() {
    // issue 9: the TEST UNIT READY checker had no bound, so a hung path stayed in service
    try (Rig rig = Rig.builder().checkInterval(Duration.ofSeconds(5))
        .extra(b -> b.checkTimeout(Duration.ofSeconds(2))).build()) {
      FakePath a = rig.attach();
      rig.attach();
      a.checkHangs(true);
      rig.scheduler.advance(Duration.ofSeconds(5));
      assertEquals(1, a.checks.get());
      assertFalse(rig.device().paths().get(0).faulted(), "inside the check timeout");
      rig.scheduler.advance(Duration.ofSeconds(2));
      assertTrue(rig.device().paths().get(0).faulted(), "the check timed out: faulted");
      // a late "ok" of the timed-out check does not reinstate it
      a.answerPendingChecks(true);
      assertTrue(rig.device().paths().get(0).faulted(), "a late answer counts for nothing");
      // while a check is out, no second one piles up on the hung path
      rig.scheduler.advance(Duration.ofSeconds(1)); // t=8: no check due
      assertEquals(1, a.checks.get());
      rig.scheduler.advance(Duration.ofSeconds(2)); // t=10: the next check, which hangs
      assertEquals(2, a.checks.get());
      assertTrue(rig.device().paths().get(0).faulted());
      a.checkHangs(false);
      a.answerPendingChecks(true);
      rig.scheduler.advance(Duration.ofSeconds(5));
      rig.scheduler.advance(Duration.ofSeconds(5));
      assertFalse(rig.device().paths().get(0).faulted(), "a passing check reinstated it");
    }
  }

  @Test
  void lastPathErrorWithNothingToComeBackFailsWithNoPath() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      a.state(PathState.FAILED);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertInstanceOf(NoPathException.class, done.get(0).error());
    }
  }
}
