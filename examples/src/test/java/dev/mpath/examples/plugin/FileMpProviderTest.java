package dev.mpath.examples.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.Reservation;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.TargetErrorException;
import dev.mpath.spi.Disposition;
import dev.mpath.testing.ManualScheduler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file+mp plugin through the public API only, found by ServiceLoader. */
class FileMpProviderTest {
  private static final long WAIT_S = 30;

  @TempDir Path dir;

  @Test
  void discoveredByServiceLoaderAndCarriesIo() throws Exception {
    Path img = dir.resolve("disk.img");
    byte[] data = pattern(8 * 512, 7);
    MultipathDevice dev;
    try (Multipath mp = Multipath.builder().build()) { // default discovery, no explicit provider
      assertTrue(mp.providers().contains("filemp"), mp.providers().toString());
      dev = connect(mp, img, "paths=3&blockSize=512&blocks=1024");

      assertEquals("filemp0", dev.name());
      assertEquals("filemp", dev.protocol());
      assertEquals(FileMpProvider.deviceId(img), dev.id());
      assertTrue(dev.id().toString().startsWith("naa.6"), dev.id().toString());
      assertEquals(512, dev.blockSize());
      assertEquals(1024, dev.capacityBlocks());
      assertEquals(List.of("filemp0:0", "filemp0:1", "filemp0:2"),
          dev.paths().stream().map(PathInfo::name).toList());
      for (PathInfo p : dev.paths()) {
        assertTrue(p.usable(), p.toString());
        assertEquals(PathState.LIVE, p.state());
        assertEquals(AccessState.OPTIMIZED, p.accessState());
      }

      dev.write(100, ByteBuffer.wrap(data)).get(WAIT_S, TimeUnit.SECONDS);
      dev.flush().get(WAIT_S, TimeUnit.SECONDS);
      assertArrayEquals(data, read(dev, 100, 8));
      dev.writeZeroes(100, 2).get(WAIT_S, TimeUnit.SECONDS);
      assertArrayEquals(new byte[1024], read(dev, 100, 2));

      // Connecting again is a no-op: same head, same paths.
      assertSame(dev, connect(mp, img, "paths=3"));
      assertEquals(3, dev.paths().size());

      // Hot unplug: the path detaches, the head carries on with the others.
      FileTarget target = FileTarget.of(dev);
      target.path(2).remove();
      assertEquals(2, dev.paths().size());
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 1024, 4096), read(dev, 102, 6));
    }
    // Closing released the image; the data is in the file, the WWID and name are stable.
    MultipathDevice closed = dev;
    assertThrows(IllegalArgumentException.class, () -> FileTarget.of(closed));
    try (Multipath mp = Multipath.builder().jmxDomain(null).build()) {
      MultipathDevice again = connect(mp, img, "paths=1"); // capacity from the file
      assertEquals(dev.id(), again.id());
      assertEquals("filemp0", again.name());
      assertEquals(1024, again.capacityBlocks());
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 1024, 4096), read(again, 102, 6));
    }
  }

  @Test
  void killingAPathUnderLoadLosesAndDuplicatesNothing() throws Exception {
    final int threads = 4;
    final int ios = 200; // per thread: 100 writes, each read back
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger[] callbacks = new AtomicInteger[threads];
    try (Multipath mp =
        Multipath.builder().ioPolicy(IoPolicy.roundRobin()).jmxDomain(null).build()) {
      MultipathDevice dev = connect(mp, dir.resolve("load.img"), "paths=3&blocks=1024");
      FileTarget target = FileTarget.of(dev);

      AtomicInteger progress = new AtomicInteger();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        callbacks[t] = new AtomicInteger();
        int thread = t;
        workers.add(pool.submit(
            () -> worker(dev, thread, ios, callbacks[thread], progress, errors)));
      }
      await(() -> progress.get() >= threads * ios / 4, "a quarter of the I/O");
      // Path 1 turns slow (commands wait on the Scheduler, no thread blocks), so the
      // commands it receives from now on are surely still queued when the link dies.
      target.path(1).delay(Duration.ofMinutes(10));
      await(() -> target.path(1).outstanding() > 0, "a command queued on path 1");
      target.path(1).kill();
      for (Future<?> w : workers) {
        w.get(120, TimeUnit.SECONDS);
      }

      assertTrue(errors.isEmpty(), () -> "errors: " + errors);
      for (int t = 0; t < threads; t++) {
        assertEquals(ios, callbacks[t].get(), "completions of thread " + t);
      }
      assertTrue(dev.stats().failovers() >= 1, dev.stats().toString());
      assertEquals(0, dev.stats().errors());
      assertEquals(0, dev.stats().noPathFailures());
      PathInfo p1 = dev.paths().get(1);
      assertEquals(PathState.FAILED, p1.state());
      assertFalse(p1.usable());
      assertEquals(0, p1.inFlight());
      assertEquals(0, target.path(1).outstanding());

      // Revive: the path is usable again and carries I/O.
      target.path(1).clearFaults().revive();
      assertTrue(p1.usable(), p1.toString());
      long before = p1.stats().ios();
      for (int i = 0; i < 30; i++) {
        read(dev, i, 1);
      }
      assertTrue(p1.stats().ios() > before, p1.stats().toString());
    } finally {
      pool.shutdownNow();
    }
    // Closing drained every queue: a late duplicate completion would have shown by now.
    for (int t = 0; t < threads; t++) {
      assertEquals(ios, callbacks[t].get(), "completions of thread " + t + " after close");
    }
  }

  @Test
  void eachVerdictDoesWhatItSays() throws Exception {
    try (Multipath mp =
        Multipath.builder().checkInterval(Duration.ofMillis(50)).jmxDomain(null).build()) {
      MultipathDevice dev = connect(mp, dir.resolve("verdicts.img"), "paths=3&blocks=64");
      FileTarget target = FileTarget.of(dev);
      // Paths 1 and 2 non-optimized: path 0 carries everything while it is usable.
      target.path(1).accessState(AccessState.NON_OPTIMIZED);
      target.path(2).accessState(AccessState.NON_OPTIMIZED);
      assertEquals(AccessState.NON_OPTIMIZED, dev.paths().get(1).accessState());

      // TARGET_ERROR: the caller gets the typed error, no failover, the path stays usable.
      target.path(0).failNext(1, Disposition.TARGET_ERROR, null);
      ExecutionException ex =
          assertThrows(ExecutionException.class, () -> read(dev, 0, 1));
      TargetErrorException te = assertInstanceOf(TargetErrorException.class, ex.getCause());
      assertEquals(FileMpProvider.STATUS_MEDIUM_ERROR, te.status());
      assertEquals("filemp", te.protocol());
      assertEquals(0, dev.stats().failovers());
      assertTrue(dev.paths().get(0).usable());
      assertEquals(1, dev.paths().get(0).stats().errors());

      // RETRY: twice on the same path, then success.
      target.path(0).failNext(2, Disposition.RETRY, null);
      read(dev, 0, 1);
      assertEquals(2, dev.stats().retries());
      assertEquals(0, dev.stats().failovers());

      // PATH_ERROR: the request moves to a non-optimized path and succeeds; the head
      // faults path 0 and its checker (check()) reinstates it.
      long nonOptimizedBefore = dev.paths().get(1).stats().ios() + dev.paths().get(2).stats().ios();
      target.path(0).failNext(1, Disposition.PATH_ERROR, null);
      read(dev, 0, 1);
      assertEquals(1, dev.stats().failovers());
      assertEquals(nonOptimizedBefore + 1,
          dev.paths().get(1).stats().ios() + dev.paths().get(2).stats().ios());
      await(() -> dev.paths().get(0).usable(), "the checker to reinstate path 0");
      assertEquals(1, dev.stats().errors()); // the injected target error, nothing else
    }
  }

  @Test
  void aKilledDelayedCommandCompletesOnceOnAnotherPath() throws Exception {
    ExecutorService immediate = Executors.newSingleThreadExecutor();
    ManualScheduler clock = new ManualScheduler(immediate);
    AtomicInteger callbacks = new AtomicInteger();
    try (Multipath mp = Multipath.builder().scheduler(clock).jmxDomain(null).build()) {
      MultipathDevice dev = connect(mp, dir.resolve("delay.img"), "paths=2&blocks=64");
      FileTarget target = FileTarget.of(dev);
      target.path(1).accessState(AccessState.NON_OPTIMIZED);
      target.path(0).delay(Duration.ofSeconds(1)); // waits on the (manual) Scheduler

      byte[] data = pattern(512, 3);
      CompletableFuture<Throwable> done = new CompletableFuture<>();
      IoRequest req = new IoRequest().write(5, ByteBuffer.wrap(data)).completion(r -> {
        callbacks.incrementAndGet();
        done.complete(r.error());
      });
      dev.submit(req);
      clock.advance(Duration.ofMillis(500));
      assertFalse(done.isDone()); // the clock has not reached the delay
      assertEquals(1, target.path(0).outstanding());

      target.path(0).kill(); // fails the delayed command over to path 1
      assertNull(done.get(WAIT_S, TimeUnit.SECONDS));
      assertEquals(1, dev.stats().failovers());
      clock.advance(Duration.ofSeconds(1)); // the stale timer fires: it must do nothing
      assertArrayEquals(data, read(dev, 5, 1));
    } finally {
      immediate.shutdownNow();
    }
    assertEquals(1, callbacks.get()); // after close, every queue has drained
  }

  @Test
  void reservationConflictIsATargetErrorAndNeverFailsOver() throws Exception {
    Path img = dir.resolve("shared.img");
    long keyA = 0xAAAAL;
    long keyB = 0xBBBBL;
    ReservationType we = ReservationType.WRITE_EXCLUSIVE;
    try (Multipath a = host("node-a");
        Multipath b = host("node-b")) {
      MultipathDevice devA = connect(a, img, "paths=2&blocks=64");
      MultipathDevice devB = connect(b, img, "paths=2&blocks=64");
      assertEquals(devA.id(), devB.id());
      assertEquals("node-b", FileTarget.of(devB).host());

      devA.reservations().register(0, keyA, false, false).get(WAIT_S, TimeUnit.SECONDS);
      devA.reservations().reserve(keyA, we).get(WAIT_S, TimeUnit.SECONDS);
      Optional<Reservation> r = devB.reservations().readReservation().get(WAIT_S, TimeUnit.SECONDS);
      assertEquals(keyA, r.orElseThrow().key());
      assertEquals(we, r.orElseThrow().type());

      // B is fenced off writes: a conflict, no failover, every path still usable.
      ExecutionException ex = assertThrows(ExecutionException.class,
          () -> devB.write(0, ByteBuffer.wrap(pattern(512, 1))).get(WAIT_S, TimeUnit.SECONDS));
      ReservationConflictException rc =
          assertInstanceOf(ReservationConflictException.class, ex.getCause());
      assertEquals(FileMpProvider.STATUS_RESERVATION_CONFLICT, rc.status());
      assertEquals(0, devB.stats().failovers());
      assertEquals(0, devB.stats().retries());
      assertTrue(devB.paths().stream().allMatch(PathInfo::usable));
      read(devB, 0, 1); // reads pass a write-exclusive reservation
      devA.write(0, ByteBuffer.wrap(pattern(512, 2))).get(WAIT_S, TimeUnit.SECONDS);

      // B registers and preempts A: now A is the fenced one.
      devB.reservations().register(0, keyB, false, false).get(WAIT_S, TimeUnit.SECONDS);
      devB.reservations().preempt(keyB, keyA, we, true).get(WAIT_S, TimeUnit.SECONDS);
      assertEquals(List.of(keyB),
          devA.reservations().readKeys().get(WAIT_S, TimeUnit.SECONDS).keys());
      byte[] fromB = pattern(512, 4);
      devB.write(0, ByteBuffer.wrap(fromB)).get(WAIT_S, TimeUnit.SECONDS);
      ex = assertThrows(ExecutionException.class,
          () -> devA.write(0, ByteBuffer.wrap(pattern(512, 5))).get(WAIT_S, TimeUnit.SECONDS));
      assertInstanceOf(ReservationConflictException.class, ex.getCause());
      assertEquals(0, devA.stats().failovers());
      assertArrayEquals(fromB, read(devA, 0, 1)); // one medium, two hosts

      devB.reservations().release(keyB, we).get(WAIT_S, TimeUnit.SECONDS);
      devA.write(0, ByteBuffer.wrap(pattern(512, 6))).get(WAIT_S, TimeUnit.SECONDS);
    }
  }

  @Test
  void malformedUrisAreRejectedBeforeAnythingIsOpened() throws Exception {
    Path img = dir.resolve("never.img");
    String base = "file+mp://" + img.toUri().getRawPath();
    try (Multipath mp = Multipath.builder().jmxDomain(null).build()) {
      for (String bad : List.of(
          base, // the file does not exist and blocks= is missing
          base + "?blocks=8&pths=2",
          base + "?blocks=8&paths=0",
          base + "?blocks=8&paths=17",
          base + "?blocks=8&blockSize=1000",
          base + "?blocks=8&blocks=9",
          base + "?blocks=-1",
          "file+mp://somehost" + img.toUri().getRawPath() + "?blocks=8",
          "file+mp:relative?blocks=8")) {
        ExecutionException ex = assertThrows(ExecutionException.class,
            () -> mp.connect(URI.create(bad)).get(WAIT_S, TimeUnit.SECONDS), bad);
        assertInstanceOf(IllegalArgumentException.class, ex.getCause(), bad);
      }
      assertFalse(Files.exists(img));
      assertTrue(mp.devices().isEmpty());
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Multipath host(String id) {
    return Multipath.builder()
        .property(FileMpProvider.HOST_ID_PROPERTY, id)
        .jmxDomain(null)
        .build();
  }

  private static MultipathDevice connect(Multipath mp, Path img, String query) throws Exception {
    URI uri = URI.create("file+mp://" + img.toUri().getRawPath() + "?" + query);
    List<MultipathDevice> devices = mp.connect(uri).get(WAIT_S, TimeUnit.SECONDS);
    assertEquals(1, devices.size());
    return devices.get(0);
  }

  private static byte[] read(MultipathDevice dev, long lba, int blocks) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(blocks * dev.blockSize());
    dev.read(lba, buf).get(WAIT_S, TimeUnit.SECONDS);
    return buf.array();
  }

  private static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed * 31 + i * 7 + 1);
    }
    return b;
  }

  /** One submitter: a reusable request, each write read back and checked. */
  private static void worker(MultipathDevice dev, int thread, int ios, AtomicInteger callbacks,
      AtomicInteger progress, Queue<Throwable> errors) {
    IoRequest req = new IoRequest();
    AtomicReference<CompletableFuture<Throwable>> waiter = new AtomicReference<>();
    req.completion(r -> {
      callbacks.incrementAndGet();
      waiter.get().complete(r.error());
    });
    ByteBuffer rbuf = ByteBuffer.allocate(512);
    for (int i = 0; i < ios; i++) {
      long lba = (long) thread * (ios / 2) + i / 2;
      byte[] expected = pattern(512, thread * 1000 + i / 2);
      CompletableFuture<Throwable> w = new CompletableFuture<>();
      waiter.set(w);
      if (i % 2 == 0) {
        req.write(lba, ByteBuffer.wrap(expected));
      } else {
        rbuf.clear();
        java.util.Arrays.fill(rbuf.array(), (byte) 0);
        req.read(lba, rbuf);
      }
      dev.submit(req);
      Throwable e;
      try {
        e = w.get(WAIT_S, TimeUnit.SECONDS);
      } catch (Exception timeout) {
        errors.add(new AssertionError("thread " + thread + " I/O " + i + " never completed"));
        return;
      }
      if (e != null) {
        errors.add(e);
      } else if (i % 2 == 1 && !java.util.Arrays.equals(expected, rbuf.array())) {
        errors.add(new AssertionError("thread " + thread + " lba " + lba + ": wrong data"));
      }
      progress.incrementAndGet();
    }
  }

  /** Polls {@code condition} (bounded, no fixed sleeps) until it holds. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
