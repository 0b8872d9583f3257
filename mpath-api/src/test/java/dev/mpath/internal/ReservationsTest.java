package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.NoPathException;
import dev.mpath.PartialRegistrationException;
import dev.mpath.PathState;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.spi.ReservationFanout;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.FakePrDevice;
import dev.mpath.testing.Rig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ReservationsTest {
  static final long A = 0xAAAA;
  static final long B = 0xBBBB;

  private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) {
    try {
      f.join();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void perNexusRegistersOnEveryPathThatAcceptsIt() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      FakePath p0 = rig.attach().reservations(dev.nexus("n0"));
      FakePath p1 = rig.attach().reservations(dev.nexus("n1"));
      p1.access(AccessState.STANDBY);
      FakePath p2 = rig.attach().reservations(dev.nexus("n2"));
      p2.state(PathState.FAILED);
      rig.device().reservations().register(0, A, false, false).join();
      assertEquals(Map.of("n0", A, "n1", A), dev.registrations(), "standby too, not failed");
      assertEquals(List.of(A, A), rig.device().reservations().readKeys().join().keys());
      rig.device().reservations().reserve(A, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
      var r = rig.device().reservations().readReservation().join().orElseThrow();
      assertEquals(A, r.key());
      assertEquals(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, r.type());
      assertFalse(p0.sink() == null);
    }
  }

  @Test
  void partialRegistrationIsRepaired() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("n0"));
      FakePrDevice.Nexus flaky = dev.nexus("n1");
      rig.attach().reservations(flaky);
      flaky.failNext.set(1);
      rig.device().reservations().register(0, A, false, false).join();
      assertEquals(Map.of("n0", A, "n1", A), dev.registrations());
      assertEquals(2, flaky.commands.get(), "register, then register-and-ignore");
    }
  }

  @Test
  void partialRegistrationThatCannotBeRepairedIsReported() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("n0"));
      FakePrDevice.Nexus dead = dev.nexus("n1");
      rig.attach().reservations(dead);
      dead.failNext.set(10);
      Throwable e = failure(rig.device().reservations().register(0, A, false, false));
      PartialRegistrationException p = assertInstanceOf(PartialRegistrationException.class, e);
      assertEquals(List.of(rig.device().paths().get(1).name()), p.failedPaths());
      assertEquals(Map.of("n0", A), dev.registrations());
    }
  }

  @Test
  void registrationRefusedEverywhereIsAPlainConflict() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("n0"));
      rig.attach().reservations(dev.nexus("n1"));
      Throwable e = failure(rig.device().reservations().register(0x1234, A, false, false));
      assertInstanceOf(ReservationConflictException.class, e);
    }
  }

  @Test
  void aJoiningPathIsRegisteredBeforeItCarriesIo() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("n0"));
      rig.device().reservations().register(0, A, false, false).join();
      FakePath late = rig.path().reservations(dev.nexus("n1"));
      rig.provider.attach(late);
      assertFalse(rig.device().paths().get(1).usable(), "gated until registered");
      List<IoRequest> done = new ArrayList<>();
      rig.device().ioPolicy(IoPolicy.roundRobin());
      rig.device().submit(Rig.read(0, done));
      rig.device().submit(Rig.read(0, done));
      assertEquals(0, late.submitted.get(), "no I/O before registration");
      rig.scheduler.runDue();
      assertEquals(Map.of("n0", A, "n1", A), dev.registrations());
      assertTrue(rig.device().paths().get(1).usable());
      rig.device().submit(Rig.read(0, done));
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, late.submitted.get());
    }
  }

  @Test
  void aJoiningPathOfAPreemptedHostIsNotReRegistered() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("a0"));
      rig.device().reservations().register(0, A, false, false).join();
      // host B registers and preempts A through its own nexus
      FakePrDevice.Nexus b = dev.nexus("b0");
      b.register(0, B, false, false).join();
      b.preempt(B, A, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
      FakePath late = rig.path().reservations(dev.nexus("a1"));
      rig.provider.attach(late);
      rig.scheduler.runDue();
      assertEquals(Map.of("b0", B), dev.registrations(), "A stays fenced");
      assertTrue(rig.device().paths().get(1).usable(), "the path carries I/O (and gets conflicts)");
    }
  }

  @Test
  void aPathBackFromFailureIsRegisteredAgainOnlyIfNeeded() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      FakePath p0 = rig.attach().reservations(dev.nexus("n0"));
      FakePrDevice.Nexus n1 = dev.nexus("n1");
      FakePath p1 = rig.attach().reservations(n1);
      p1.state(PathState.CONNECTING);
      rig.device().reservations().register(0, A, false, false).join();
      assertEquals(Map.of("n0", A), dev.registrations());
      p1.state(PathState.LIVE);
      assertFalse(rig.device().paths().get(1).usable());
      rig.scheduler.runDue();
      assertEquals(Map.of("n0", A, "n1", A), dev.registrations());
      int before = n1.commands.get();
      p1.state(PathState.RESETTING);
      p1.state(PathState.LIVE);
      rig.scheduler.runDue();
      assertEquals(before, n1.commands.get(), "already registered through this nexus");
      assertTrue(p0.sink() != null);
    }
  }

  @Test
  void perHostUsesOnePathAndMovesOnAfterAPathFailure() {
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_HOST).build()) {
      FakePrDevice.Nexus h0 = dev.nexus("host");
      FakePrDevice.Nexus h1 = dev.nexus("host");
      rig.attach().reservations(h0);
      rig.attach().reservations(h1);
      h0.failNext.set(1);
      rig.device().reservations().register(0, A, false, false).join();
      assertEquals(Map.of("host", A), dev.registrations());
      assertEquals(1, h0.commands.get());
      assertEquals(1, h1.commands.get());
      // a conflict is the device's answer: no second path
      Throwable e = failure(rig.device().reservations().register(0x77, B, false, false));
      assertInstanceOf(ReservationConflictException.class, e);
      assertEquals(3, h0.commands.get() + h1.commands.get());
    }
  }

  @Test
  void noReservationSupportOrNoPath() {
    try (Rig rig = Rig.builder().build()) {
      rig.attach();
      assertInstanceOf(
          UnsupportedOperationException.class, failure(rig.device().reservations().readKeys()));
    }
    FakePrDevice dev = new FakePrDevice();
    try (Rig rig = Rig.builder().fanout(ReservationFanout.PER_NEXUS).build()) {
      rig.attach().reservations(dev.nexus("n0")).state(PathState.FAILED);
      assertInstanceOf(
          NoPathException.class,
          failure(rig.device().reservations().register(0, A, false, false)));
    }
  }
}
