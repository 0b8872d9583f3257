package dev.mpath.nvme.host;

import static dev.mpath.nvme.host.NvmeFixture.await;
import static dev.mpath.nvme.host.NvmeFixture.head;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.NoPathException;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.testing.ManualScheduler;
import dev.mpath.testing.VerifiedLoad;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NvmeMultipathTest {
  private final SystemScheduler real = new SystemScheduler("test-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static List<String> pathNames(MultipathDevice d) {
    return d.paths().stream().map(PathInfo::name).toList();
  }

  private static ByteBuffer pattern(long lba, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (lba * 131 + i * 7));
    }
    return b;
  }

  @Test
  void seedTopologyGivesThreeHeadsWithLinuxNames() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> {});
      List<MultipathDevice> fromA = mp.connect(f.uriA()).join();
      List<MultipathDevice> fromB = mp.connect(f.uriB()).join();
      assertEquals(2, fromA.size());
      assertEquals(1, fromB.size());
      MultipathDevice n1 = head(mp, "nvme0n1");
      MultipathDevice n2 = head(mp, "nvme0n2");
      MultipathDevice n3 = head(mp, "nvme3n1");
      assertEquals(List.of("nvme0c0n1", "nvme0c1n1", "nvme0c2n1"), pathNames(n1));
      assertEquals(List.of("nvme0c2n2"), pathNames(n2));
      assertEquals(List.of("nvme3c3n1"), pathNames(n3));
      assertEquals(DeviceId.eui(NvmeFixture.guid(0xA1)), n1.id());
      assertEquals(DeviceId.eui(NvmeFixture.guid(0xB1)), n3.id());
      assertEquals(131072, n1.capacityBlocks());
      assertEquals(512, n1.blockSize());
      assertEquals("nvme", n1.protocol());
      for (PathInfo p : n1.paths()) {
        assertEquals(PathState.LIVE, p.state());
        assertEquals(AccessState.OPTIMIZED, p.accessState());
      }
      ByteBuffer src = pattern(5, 4096);
      n1.write(5, src).join();
      ByteBuffer dst = ByteBuffer.allocate(4096);
      n1.read(5, dst).join();
      assertEquals(src, dst);
    }
  }

  @Test
  void killingAControllerUnderEightThreadsSurfacesNoErrorAndItComesBack() throws Exception {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.ioPolicy(IoPolicy.roundRobin()));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      VerifiedLoad.Result r = VerifiedLoad.run(d, 8, 300, 2048, 4, () -> f.a.faults(2).kill());
      assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
      assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
      assertEquals(0, d.stats().errors());
      PathInfo killed = d.paths().get(1);
      assertEquals("nvme0c1n1", killed.name());
      await("the killed controller to be seen down", () -> killed.state() != PathState.LIVE);
      // the port comes back: the controller reconnects and carries I/O again
      f.a.faults(2).revive();
      await("reconnect", () -> killed.state() == PathState.LIVE && killed.usable());
      long before = killed.stats().ios();
      for (int i = 0; i < 30; i++) {
        d.read(i, ByteBuffer.allocate(512)).join();
      }
      assertTrue(killed.stats().ios() > before, "the reconnected path takes I/O");
    }
  }

  @Test
  void anaInaccessibleViaAenMovesIoAfterOneLogRead() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.ioPolicy(IoPolicy.failover()));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      NvmeProvider provider = f.providers.get(mp);
      HostController c0 = provider.controllers().get(0);
      int readsBefore = c0.anaLogReads();
      d.read(0, ByteBuffer.allocate(512)).join();
      PathInfo p0 = d.paths().get(0);
      assertEquals(1, p0.stats().ios(), "failover policy uses the first path");
      f.a.setAnaState(1, 1, AnaState.INACCESSIBLE);
      await("ANA state through the AEN", () -> p0.accessState() == AccessState.UNAVAILABLE);
      assertEquals(readsBefore + 1, c0.anaLogReads(), "one ANA log read");
      d.read(0, ByteBuffer.allocate(512)).join();
      assertEquals(1, p0.stats().ios(), "I/O moved off the inaccessible path");
      assertEquals(1, d.paths().get(1).stats().ios());
    }
  }

  @Test
  void anaTransitionStatusOnIoTriggersAReReadAndARedirect() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.ioPolicy(IoPolicy.failover()));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      HostController c0 = f.providers.get(mp).controllers().get(0);
      int reads = c0.anaLogReads();
      f.a.faults(1).failNext(1, NvmeStatus.ANA_TRANSITION);
      d.read(0, ByteBuffer.allocate(512)).join(); // no error: redirected
      assertEquals(1, d.stats().failovers());
      assertEquals(1, d.paths().get(1).stats().ios(), "served by the next path");
      await("the ANA log re-read", () -> c0.anaLogReads() == reads + 1);
      // the log says group 1 is still optimized on port 1: the path comes back
      await("path 0 usable again", () -> d.paths().get(0).usable());
    }
  }

  @Test
  void groupLeftInChangePastAnattResetsThatController() {
    ManualScheduler clock = new ManualScheduler(Executors.newSingleThreadExecutor());
    try (NvmeFixture f = new NvmeFixture(clock)) {
      Multipath mp = f.host(clock, b -> b.property("nvme.kato_ms", "0"));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      HostController c0 = f.providers.get(mp).controllers().get(0);
      PathInfo p0 = d.paths().get(0);
      f.a.transitionAna(1, 1, AnaState.OPTIMIZED, Duration.ofMinutes(10)); // CHANGE for 10 min
      await("CHANGE seen", () -> p0.accessState() == AccessState.TRANSITIONING);
      int anatt = 10; // the emulator's ANATT is at most this: advance past it
      clock.advance(Duration.ofSeconds(anatt + 1));
      await("controller reset and reconnected",
          () -> c0.state() == ControllerState.CONNECTING || c0.state() == ControllerState.LIVE);
      assertTrue(resets(c0) >= 1, "ANATT expiry reset the controller");
    }
  }

  @Test
  void delayedRemovalKeepsTheHeadAcrossDetachAndReattach() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.delayedRemoval(Duration.ofSeconds(60)));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      f.a.detachEverywhere(1);
      await("paths gone", () -> d.paths().isEmpty());
      assertTrue(d.isPresent());
      var queued = d.write(7, pattern(7, 512));
      await("queued", () -> d.queued() == 1);
      f.a.attachPorts(1, java.util.Set.of(1, 2, 3));
      queued.join();
      assertSame(d, head(mp, "nvme0n1"), "same head, same name");
      await("every controller's path back", () -> d.paths().size() == 3);
      ByteBuffer dst = ByteBuffer.allocate(512);
      d.read(7, dst).join();
      assertEquals(pattern(7, 512), dst);
    }
  }

  @Test
  void delayedRemovalExpiresIntoNoPathException() {
    ManualScheduler clock = new ManualScheduler(Executors.newSingleThreadExecutor());
    try (NvmeFixture f = new NvmeFixture(clock)) {
      Multipath mp = f.host(clock, b -> b.delayedRemoval(Duration.ofSeconds(30)).property("nvme.kato_ms", "0"));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      f.a.detachEverywhere(1);
      await("paths gone", () -> d.paths().isEmpty());
      var queued = d.read(0, ByteBuffer.allocate(512));
      await("queued", () -> d.queued() == 1);
      clock.advance(Duration.ofSeconds(30));
      CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, queued::join);
      assertInstanceOf(NoPathException.class, e.getCause());
      assertTrue(mp.device("nvme0n1").isEmpty());
    }
  }

  @Test
  void reservationsFenceAHostOnEveryPathWithoutFailover() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath hostA = f.host(real, b -> b.ioPolicy(IoPolicy.roundRobin()));
      Multipath hostB = f.host(real, b -> {});
      Multipath hostC = f.host(real, b -> {});
      hostA.connect(f.uriA()).join();
      hostB.connect(f.uriA()).join();
      hostC.connect(f.uriA()).join();
      MultipathDevice a = head(hostA, "nvme0n1");
      MultipathDevice b = head(hostB, "nvme0n1");
      MultipathDevice c = head(hostC, "nvme0n1");
      long keyA = 0xA0A0;
      long keyB = 0xB0B0;
      a.reservations().register(0, keyA, false, false).join();
      b.reservations().register(0, keyB, false, false).join();
      a.reservations().reserve(keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
      assertEquals(List.of(keyA, keyB).stream().sorted().toList(),
          c.reservations().readKeys().join().keys().stream().sorted().toList());
      var r = c.reservations().readReservation().join().orElseThrow();
      assertEquals(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, r.type());
      assertEquals(keyA, r.key());
      var full = c.reservations().readFullStatus().join();
      assertEquals(2, full.size(), "one registration per host: " + full);
      assertEquals(1, full.stream().filter(dev.mpath.Registration::holder).count());
      assertEquals(keyA, full.stream().filter(dev.mpath.Registration::holder).findFirst().orElseThrow().key());
      assertEquals(32, full.get(0).registrant().length(), "128-bit host identifier in hex");
      var caps = c.reservations().reportCapabilities().join();
      assertEquals(java.util.EnumSet.allOf(ReservationType.class), caps.types());
      // an unregistered host may read but not write, and never fails over
      c.read(0, ByteBuffer.allocate(512)).join();
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              CompletionException.class, () -> c.write(0, ByteBuffer.allocate(512)).join());
      assertInstanceOf(ReservationConflictException.class, e.getCause());
      assertEquals(0, c.stats().failovers());
      // B preempts and aborts A
      b.reservations().preempt(keyB, keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
      assertEquals(List.of(keyB), c.reservations().readKeys().join().keys());
      for (int i = 0; i < 6; i++) { // round robin: every one of A's three paths
        CompletionException fenced =
            org.junit.jupiter.api.Assertions.assertThrows(
                CompletionException.class, () -> a.write(1, ByteBuffer.allocate(512)).join());
        assertInstanceOf(ReservationConflictException.class, fenced.getCause());
      }
      for (PathInfo p : a.paths()) {
        assertTrue(p.stats().errors() >= 1, p.name() + " refused a write");
        assertTrue(p.usable(), "a conflict does not fail a path");
      }
      assertEquals(0, a.stats().failovers());
      b.write(1, ByteBuffer.allocate(512)).join();
    }
  }

  @Test
  void requestsBeyondMdtsAreSplitAndStillFailOverWhole() {
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.ioPolicy(IoPolicy.failover()));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      int bytes = 3 * 1024 * 1024 + 512; // MDTS is 1 MiB: four pieces, the last one block
      ByteBuffer src = pattern(11, bytes);
      d.write(11, src).join();
      ByteBuffer dst = ByteBuffer.allocate(bytes);
      d.read(11, dst).join();
      assertEquals(src, dst);
      assertEquals(0, dst.position(), "the caller's position is untouched");
      // one piece hits a path error: the whole request moves to the next path
      f.a.faults(1).failNext(1, NvmeStatus.INTERNAL_PATH_ERROR);
      ByteBuffer again = ByteBuffer.allocate(bytes);
      d.read(11, again).join();
      assertEquals(src, again);
      assertEquals(1, d.stats().failovers());
      // a target error in a piece completes the request with that error, once
      f.a.faults(2).failNext(1, NvmeStatus.LBA_OUT_OF_RANGE.withDnr(true));
      CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
          () -> d.read(11, ByteBuffer.allocate(bytes)).join());
      assertInstanceOf(dev.mpath.TargetErrorException.class, e.getCause());
      assertEquals(1, d.stats().errors());
      // write zeroes beyond the 16-bit NLB limit: 100000 blocks in two commands
      d.writeZeroes(0, 100_000).join();
      ByteBuffer z = ByteBuffer.allocate(512);
      d.read(11, z).join();
      assertEquals(ByteBuffer.allocate(512), z);
    }
  }

  @Test
  void fastIoFailThenControllerLossTimeout() {
    ManualScheduler clock = new ManualScheduler(Executors.newSingleThreadExecutor());
    try (NvmeFixture f = new NvmeFixture(clock)) {
      Multipath mp = f.host(clock, b -> b.property("nvme.kato_ms", "0")
          .property("nvme.reconnect_delay_ms", "1000")
          .property("nvme.fast_io_fail_tmo_ms", "3000")
          .property("nvme.ctrl_loss_tmo_ms", "10000"));
      mp.connect(f.uriB()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      HostController c = f.providers.get(mp).controllers().get(0);
      f.b.faults(1).kill();
      await("reconnecting", () -> c.state() == ControllerState.CONNECTING);
      var queued = d.read(0, ByteBuffer.allocate(512));
      await("queued while the controller reconnects", () -> d.queued() == 1);
      clock.advance(Duration.ofSeconds(2));
      assertTrue(!queued.isDone(), "still inside fast_io_fail_tmo");
      clock.advance(Duration.ofSeconds(2));
      await("fast I/O fail", queued::isDone);
      CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, queued::join);
      assertInstanceOf(NoPathException.class, e.getCause());
      assertEquals(PathState.FAILED, d.paths().get(0).state());
      // later I/O fails at once, without waiting
      CompletionException now = org.junit.jupiter.api.Assertions.assertThrows(
          CompletionException.class, () -> d.read(0, ByteBuffer.allocate(512)).join());
      assertInstanceOf(NoPathException.class, now.getCause());
      clock.advance(Duration.ofSeconds(7));
      await("controller deleted", () -> c.state() == ControllerState.DEAD);
      await("head gone with its last path", () -> mp.device("nvme0n1").isEmpty());
    }
  }

  private static int resets(HostController c) {
    return c.resets();
  }

  @Test
  void sameLoopUriTwiceMakesNoSecondController() {
    // issue 9 defect 7: the same URI twice silently doubled the paths
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> {});
      NvmeProvider p = f.providers.get(mp);
      List<MultipathDevice> first = mp.connect(f.uriA()).join();
      List<MultipathDevice> again = mp.connect(f.uriA()).join();
      assertEquals(first, again, "merged: the same heads");
      assertEquals(3, p.controllers().size(), "one controller per port");
      assertEquals(List.of("nvme0c0n1", "nvme0c1n1", "nvme0c2n1"),
          head(mp, "nvme0n1").paths().stream().map(PathInfo::name).toList());
      assertEquals(1, head(mp, "nvme0n2").paths().size());
      // a controller deleted by hand ends its claim: connecting again makes it anew
      p.controllers().get(0).delete("test");
      await("path of the deleted controller gone", () -> head(mp, "nvme0n1").paths().size() == 2);
      mp.connect(f.uriA()).join();
      assertEquals(3, p.controllers().size());
      assertEquals(3, head(mp, "nvme0n1").paths().size());
    }
  }

  @Test
  void invalidNamespaceWithDnrFailsOverInsteadOfReachingTheCaller() {
    // issue 9 defect 2: I/O racing a namespace detach got Invalid Namespace (DNR) and the
    // caller saw it, because DNR was checked before path classification
    try (NvmeFixture f = new NvmeFixture(real)) {
      Multipath mp = f.host(real, b -> b.ioPolicy(IoPolicy.roundRobin()));
      mp.connect(f.uriA()).join();
      MultipathDevice d = head(mp, "nvme0n1");
      NvmeStatus detached = NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.withDnr(true);
      f.a.faults(1).failNext(1, detached);
      f.a.faults(2).failNext(1, detached);
      for (int i = 0; i < 3; i++) {
        d.write(i, pattern(i, 512)).join();
      }
      assertEquals(0, d.stats().errors(), "no error reached a caller");
      assertTrue(d.stats().failovers() >= 1);
      assertEquals(0, f.a.faults(1).failuresPending() + f.a.faults(2).failuresPending());
      // DNR still ends other target errors at the caller
      f.a.faults(3).failNext(1, NvmeStatus.LBA_OUT_OF_RANGE.withDnr(true));
      f.a.faults(1).failNext(1, NvmeStatus.LBA_OUT_OF_RANGE.withDnr(true));
      f.a.faults(2).failNext(1, NvmeStatus.LBA_OUT_OF_RANGE.withDnr(true));
      CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
          () -> d.write(0, pattern(0, 512)).join());
      assertInstanceOf(dev.mpath.TargetErrorException.class, e.getCause());
    }
  }
}
