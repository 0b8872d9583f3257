package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.NoPathException;
import dev.mpath.PathState;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.Rig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The requeue list, queue-if-no-path and delayed removal. */
class RequeueTest {

  @Test
  void requestsWaitWhileAPathReconnectsAndDrainWhenItIsBack() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      a.state(PathState.CONNECTING);
      List<IoRequest> done = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rig.device().submit(Rig.read(i, done));
      }
      assertEquals(0, done.size());
      assertEquals(10, rig.device().queued());
      assertEquals(10, rig.device().stats().requeues());
      a.state(PathState.LIVE);
      rig.scheduler.runDue();
      assertEquals(10, done.size());
      done.forEach(r -> assertNull(r.error()));
      assertEquals(0, rig.device().queued());
    }
  }

  @Test
  void queuedRequestsFailWhenTheLastHopeIsGone() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      a.state(PathState.RESETTING);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, rig.device().queued());
      a.state(PathState.FAILED); // controller loss timeout: nothing will come back
      rig.scheduler.runDue();
      assertEquals(1, done.size());
      assertInstanceOf(NoPathException.class, done.get(0).error());
    }
  }

  @Test
  void everyQueuedRequestHasABound() {
    try (Rig rig =
        Rig.builder().extra(b -> b.queueTimeout(Duration.ofSeconds(30))).build()) {
      FakePath a = rig.attach();
      a.state(PathState.CONNECTING);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      rig.scheduler.advance(Duration.ofSeconds(10));
      rig.device().submit(Rig.read(1, done));
      rig.scheduler.advance(Duration.ofSeconds(20));
      assertEquals(1, done.size(), "the first waited 30 s");
      assertEquals(0, done.get(0).lba());
      assertInstanceOf(NoPathException.class, done.get(0).error());
      rig.scheduler.advance(Duration.ofSeconds(10));
      assertEquals(2, done.size());
      assertEquals(0, rig.device().queued());
    }
  }

  @Test
  void delayedRemovalKeepsTheHeadAndReattachesAReturningPath() {
    try (Rig rig = Rig.builder().delayedRemoval(Duration.ofSeconds(30)).build()) {
      FakePath a = rig.attach();
      MultipathDevice head = rig.device();
      String name = head.name();
      a.sink().detach();
      assertTrue(head.isPresent());
      assertTrue(head.paths().isEmpty());
      List<IoRequest> done = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        head.submit(Rig.read(i, done));
      }
      assertEquals(5, head.queued(), "queue-if-no-path while the head waits");
      rig.scheduler.advance(Duration.ofSeconds(29));
      assertEquals(0, done.size());
      FakePath back = rig.attach(); // same WWID returns within the window
      assertSame(head, rig.device(), "same head object");
      assertEquals(name, rig.device().name());
      rig.scheduler.runDue();
      assertEquals(5, done.size());
      done.forEach(r -> assertNull(r.error()));
      assertEquals(5, back.submitted.get());
      rig.scheduler.advance(Duration.ofSeconds(60));
      assertTrue(head.isPresent(), "the removal timer was cancelled");
    }
  }

  @Test
  void delayedRemovalExpiryFailsQueuedIoAndRemovesTheHead() {
    try (Rig rig = Rig.builder().delayedRemoval(Duration.ofSeconds(30)).build()) {
      FakePath a = rig.attach();
      MultipathDevice head = rig.device();
      a.sink().detach();
      List<IoRequest> done = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        head.submit(Rig.read(i, done));
      }
      rig.scheduler.advance(Duration.ofSeconds(30));
      assertEquals(5, done.size());
      for (IoRequest r : done) {
        assertInstanceOf(NoPathException.class, r.error());
        assertTrue(r.error().getMessage().contains("removed"), r.error().getMessage());
      }
      assertFalse(head.isPresent());
      assertTrue(rig.mp.device(head.name()).isEmpty());
      assertTrue(rig.mp.device(rig.disk.id).isEmpty());
      assertTrue(rig.events.stream().anyMatch(e -> e instanceof MultipathEvent.HeadRemoved));
      // later I/O on the stale handle fails at once
      head.submit(Rig.read(0, done));
      assertInstanceOf(NoPathException.class, done.get(5).error());
      // a path with the WWID now makes a new head, with the same protocol-native name
      rig.attach();
      assertTrue(rig.device() != head);
      assertEquals(head.name(), rig.device().name());
    }
  }

  @Test
  void withoutDelayedRemovalTheHeadGoesWithItsLastPath() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      MultipathDevice head = rig.device();
      a.sink().detach();
      assertFalse(head.isPresent());
      List<IoRequest> done = new ArrayList<>();
      head.submit(Rig.read(0, done));
      assertInstanceOf(NoPathException.class, done.get(0).error());
    }
  }

  @Test
  void queueIfNoPathHoldsIoWhilePathsAreFailed() {
    try (Rig rig = Rig.builder().delayedRemoval(Duration.ofSeconds(30)).build()) {
      FakePath a = rig.attach();
      a.state(PathState.FAILED);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, rig.device().queued());
      rig.device().delayedRemoval(Duration.ZERO); // operator turns queueing off
      rig.scheduler.runDue();
      assertInstanceOf(NoPathException.class, done.get(0).error());
    }
  }

  @Test
  void eventsArriveInOrder() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach();
      a.state(PathState.RESETTING);
      a.sink().detach();
      List<String> kinds = rig.events.stream().map(e -> e.getClass().getSimpleName()).toList();
      assertEquals(
          List.of("HeadCreated", "PathAdded", "PathStateChanged", "PathRemoved", "HeadRemoved"),
          kinds);
    }
  }
}
