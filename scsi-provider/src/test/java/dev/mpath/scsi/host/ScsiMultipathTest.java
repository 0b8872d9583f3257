package dev.mpath.scsi.host;

import static dev.mpath.scsi.host.ScsiFixture.await;
import static dev.mpath.scsi.host.ScsiFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.target.PrRegistration;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.VerifiedLoad;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScsiMultipathTest {
  private final SystemScheduler real = new SystemScheduler("test-timer");

  @AfterEach
  void stop() {
    real.close();
  }

  private static ByteBuffer pattern(long lba, int bytes, int salt) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (lba * 17 + i * 3 + salt));
    }
    return b;
  }

  @Test
  void identityNamesAndIoOnlyOnTheOptimizedPort() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_NON_OPTIMIZED, Duration.ZERO)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> b.ioPolicy(IoPolicy.roundRobin()));
      mp.connect(f.uri()).join();
      MultipathDevice d = only(mp);
      assertEquals("sda", d.name());
      assertEquals(DeviceId.parse(f.target.lun(0).wwid()), d.id());
      assertEquals(DeviceId.Kind.NAA, d.id().kind());
      assertEquals(List.of("sda:0", "sda:1"), d.paths().stream().map(PathInfo::name).toList());
      PathInfo ao = d.paths().stream().filter(p -> p.accessState() == AccessState.OPTIMIZED).findFirst().orElseThrow();
      PathInfo an = d.paths().stream().filter(p -> p.accessState() == AccessState.NON_OPTIMIZED).findFirst().orElseThrow();
      assertEquals(50, ao.priority());
      assertEquals(10, an.priority());
      for (int i = 0; i < 20; i++) {
        d.write(i, pattern(i, 512, 1)).join();
      }
      assertEquals(20, ao.stats().ios());
      assertEquals(0, an.stats().ios());
    }
  }

  @Test
  void implicitTransitionUnderLoadLosesNothingAndFollowsTheNewOptimizedPort() throws Exception {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_NON_OPTIMIZED, Duration.ofMillis(300))) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> {});
      mp.connect(f.uri()).join();
      MultipathDevice d = only(mp);
      PathInfo port1 = d.paths().get(0);
      PathInfo port2 = d.paths().get(1);
      assertEquals(AccessState.OPTIMIZED, port1.accessState());
      // AO <-> AN through TRANSITIONING, while the second half of the load runs
      VerifiedLoad.Result r = VerifiedLoad.run(d, 8, 200, 1024, 2, () -> {
        f.target.portGroups().transition(1, AluaState.ACTIVE_NON_OPTIMIZED, Duration.ofMillis(300));
        f.target.portGroups().transition(2, AluaState.ACTIVE_OPTIMIZED, Duration.ofMillis(300));
      });
      assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
      assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
      await("host sees the new optimized port", () -> port2.accessState() == AccessState.OPTIMIZED
          && port1.accessState() == AccessState.NON_OPTIMIZED && port1.inFlight() == 0);
      long before = port2.stats().ios();
      long beforeOld = port1.stats().ios();
      for (int i = 0; i < 10; i++) {
        d.read(i, ByteBuffer.allocate(512)).join();
      }
      assertEquals(before + 10, port2.stats().ios(), "I/O follows the new AO port");
      assertEquals(beforeOld, port1.stats().ios());
    }
  }

  @Test
  void explicitAluaActivatesTheStandbyPortWhenTheOptimizedOneDies() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.BOTH, AluaState.ACTIVE_OPTIMIZED,
        AluaState.STANDBY, Duration.ZERO)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> {});
      mp.connect(f.uri()).join();
      MultipathDevice d = only(mp);
      PathInfo standby = d.paths().get(1);
      assertEquals(AccessState.STANDBY, standby.accessState());
      d.write(0, pattern(0, 512, 9)).join();
      f.target.faults(1).kill();
      // the write has nowhere to go until STPG makes port 2's group active/optimized
      d.write(1, pattern(1, 512, 9)).join();
      assertEquals(AluaState.ACTIVE_OPTIMIZED, f.target.portGroups().stateOfPort(2));
      assertEquals(AccessState.OPTIMIZED, standby.accessState());
      ByteBuffer dst = ByteBuffer.allocate(512);
      d.read(1, dst).join();
      assertEquals(pattern(1, 512, 9), dst);
      assertEquals(0, d.stats().errors());
    }
  }

  @Test
  void partialWriteThenPathLossIsResubmittedInFullElsewhere() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_OPTIMIZED, Duration.ZERO)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> b.ioPolicy(IoPolicy.failover()));
      mp.connect(f.uri()).join();
      MultipathDevice d = only(mp);
      PathInfo first = d.paths().get(0);
      // the first port moves half the data, answers CHECK CONDITION, and then dies
      f.target.faults(1).partialNext(1, 50, true);
      ByteBuffer src = pattern(100, 8 * 512, 5);
      CompletionException none = null;
      var w = d.write(100, src);
      f.target.faults(1).kill();
      w.join();
      assertNull(none);
      assertEquals(0, src.position(), "the caller's buffer is untouched");
      ByteBuffer dst = ByteBuffer.allocate(8 * 512);
      d.read(100, dst).join();
      assertEquals(pattern(100, 8 * 512, 5), dst, "every byte arrived");
      assertTrue(d.stats().failovers() >= 1);
      assertEquals(0, d.stats().errors());
      assertTrue(first.stats().errors() >= 1);
    }
  }

  @Test
  void transfersBeyondTheMaximumTransferLengthAreSplit() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_OPTIMIZED, Duration.ZERO)) {
      Multipath mp = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> b.ioPolicy(IoPolicy.failover()));
      mp.connect(f.uri()).join();
      MultipathDevice d = only(mp);
      // the emulator reports (and enforces) MAXIMUM TRANSFER LENGTH = 8 MiB in VPD B0h
      int bytes = 8 * 1024 * 1024 + 3 * 512;
      ByteBuffer src = pattern(64, bytes, 3);
      d.write(64, src).join();
      ByteBuffer dst = ByteBuffer.allocate(bytes);
      d.read(64, dst).join();
      assertEquals(src, dst);
      assertEquals(0, d.stats().errors());
      // a piece refused by the port: the whole attempt fails over and is re-sent in full
      f.target.faults(1).failNext(1, 0x02, dev.mpath.scsi.proto.SenseData.of(
          dev.mpath.scsi.proto.SenseKey.ABORTED_COMMAND, dev.mpath.scsi.proto.Asc.of(0x47, 0)).encode());
      ByteBuffer again = ByteBuffer.allocate(bytes);
      d.read(64, again).join();
      assertEquals(src, again);
      assertEquals(1, d.stats().failovers());
    }
  }

  @Test
  void persistentReservationsFanOutAndFenceWithoutReRegisteringAPreemptedHost() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_OPTIMIZED, Duration.ZERO)) {
      long keyA = 0xAAAA0001L;
      long keyB = 0xBBBB0002L;
      Multipath a = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> b.ioPolicy(IoPolicy.roundRobin()));
      Multipath b = f.host(real, "iqn.2024-01.dev.mpath:host-b", x -> {});
      a.connect(f.uri()).join();
      b.connect(f.uri()).join();
      MultipathDevice da = only(a);
      MultipathDevice db = only(b);
      da.reservations().register(0, keyA, false, false).join();
      db.reservations().register(0, keyB, false, false).join();
      List<PrRegistration> regs = f.target.lun(0).registrations();
      assertEquals(4, regs.size(), "two initiators x two ports: " + regs);
      var full = da.reservations().readFullStatus().join();
      assertEquals(4, full.size(), "READ FULL STATUS: " + full);
      assertEquals(2, full.stream().filter(r -> r.registrant().startsWith("iqn.2024-01.dev.mpath:host-a,i,0x")).count());
      assertEquals(java.util.Set.of(1, 2), full.stream().map(dev.mpath.Registration::port).collect(java.util.stream.Collectors.toSet()));
      var caps = da.reservations().reportCapabilities().join();
      assertTrue(caps.types().contains(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY));
      assertTrue(caps.allTargetPortsCapable());
      da.reservations().reserve(keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
      // B preempts and aborts A
      db.reservations().preempt(keyB, keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
      assertEquals(List.of(keyB, keyB), db.reservations().readKeys().join().keys());
      for (int i = 0; i < 4; i++) { // round robin: both of A's paths refuse
        CompletionException e = assertThrows(CompletionException.class,
            () -> da.write(0, ByteBuffer.allocate(512)).join());
        assertInstanceOf(ReservationConflictException.class, e.getCause());
      }
      for (PathInfo p : da.paths()) {
        assertTrue(p.stats().errors() >= 1, p.name() + " refused");
        assertTrue(p.usable());
      }
      assertEquals(0, da.stats().failovers(), "a conflict never fails over");
      db.write(0, ByteBuffer.allocate(512)).join();
    }
  }

  @Test
  void pathsAddedBeforeAndAfterAPreempt() {
    try (ScsiFixture f = new ScsiFixture(real, Tpgs.IMPLICIT, AluaState.ACTIVE_OPTIMIZED,
        AluaState.ACTIVE_OPTIMIZED, Duration.ZERO)) {
      long keyA = 0xA1L;
      long keyB = 0xB2L;
      Multipath a = f.host(real, "iqn.2024-01.dev.mpath:host-a", b -> b.ioPolicy(IoPolicy.roundRobin()));
      Multipath b = f.host(real, "iqn.2024-01.dev.mpath:host-b", x -> {});
      a.connect(f.uri(1)).join(); // A starts with port 1 only
      b.connect(f.uri()).join();
      MultipathDevice da = only(a);
      MultipathDevice db = only(b);
      da.reservations().register(0, keyA, false, false).join();
      db.reservations().register(0, keyB, false, false).join();
      da.reservations().reserve(keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
      assertEquals(3, f.target.lun(0).registrations().size());
      // a path added to A before the preempt: registered before it carries I/O
      a.connect(f.uri(2)).join();
      PathInfo added = da.paths().get(1);
      await("the new path registered and usable", added::usable);
      assertEquals(4, f.target.lun(0).registrations().size());
      for (int i = 0; i < 4; i++) {
        da.write(i, ByteBuffer.allocate(512)).join(); // both paths write: both registered
      }
      assertTrue(added.stats().ios() >= 1);
      // B preempts A; a path added to A afterwards must not re-register A (READ KEYS first)
      db.reservations().preempt(keyB, keyA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
      a.connect(f.uri(3)).join();
      PathInfo late = da.paths().get(2);
      await("the late path usable", late::usable);
      assertEquals(List.of(keyB, keyB), db.reservations().readKeys().join().keys(),
          "A stays fenced");
      for (int i = 0; i < 6; i++) { // round robin over A's three paths: all refuse
        CompletionException e = assertThrows(CompletionException.class,
            () -> da.write(0, ByteBuffer.allocate(512)).join());
        assertInstanceOf(ReservationConflictException.class, e.getCause());
      }
      assertTrue(late.stats().errors() >= 1, "the late path refused writes too");
      assertEquals(0, da.stats().failovers());
      // and a path of A that merely reconnects does not re-register either
      ScsiProvider pa = f.providers.get(a);
      pa.sessions().get(1).drop("test");
      await("path back", () -> added.state() == PathState.LIVE && added.usable());
      assertEquals(List.of(keyB, keyB), db.reservations().readKeys().join().keys());
    }
  }
}
