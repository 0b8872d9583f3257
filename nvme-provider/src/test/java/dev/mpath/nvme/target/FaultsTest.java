package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultsTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private static int submitRead(TestHost h) {
    return h.submit(1, (s, cid) -> ReadWriteCommand.read(s, cid, 1, 0, 1), ByteBuffer.allocate(512));
  }

  @Test
  void killDisconnectsEveryControllerOfThePortAndRefusesConnects() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p1b = rig.host(1, HOST_B);
    TestHost p2 = rig.host(2, HOST_A);
    int aer = p1.aer();
    int queued = submitRead(p1); // accepted, not yet executed

    rig.subsystem.faults(1).kill();
    rig.pump();
    assertTrue(rig.subsystem.faults(1).isKilled());
    for (TestHost h : List.of(p1, p1b)) {
      assertFalse(h.ctrl.isLive());
      assertEquals(List.of("port 1 killed"), h.admin.disconnects());
      assertEquals(List.of("port 1 killed"), h.io.get(1).disconnects());
    }
    assertFalse(p1.admin.has(aer));
    assertEquals(List.of(), p1.io.get(1).all(), "cid " + queued + " never completes");
    assertTrue(p2.ctrl.isLive());
    assertTrue(p2.read(1, 0, ByteBuffer.allocate(512), 1).ok());
    assertEquals(List.of(p2.ctrl), rig.subsystem.controllers());

    NvmeConnectException e = assertThrows(NvmeConnectException.class, () -> rig.connect(1, HOST_A, 0));
    assertEquals(NvmeConnectException.Reason.PORT_DISABLED, e.reason());

    // submissions to a dead controller: disconnected again, no completion
    submitRead(p1);
    rig.pump();
    assertEquals(2, p1.io.get(1).disconnects().size());
    assertEquals(List.of(), p1.io.get(1).all());
    assertThrows(IllegalStateException.class, () -> p1.ctrl.propertyGet(TargetController.PROP_CSTS, 4));

    rig.subsystem.faults(1).revive();
    TestHost back = rig.host(1, HOST_A);
    assertEquals(4, back.cntlid(), "ids move on");
    assertTrue(back.read(1, 0, ByteBuffer.allocate(512), 1).ok());
  }

  @Test
  void failNextCompletesTheNextIoCommandsWithTheStatus() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    rig.subsystem.faults(1).failNext(2, NvmeStatus.ANA_INACCESSIBLE);
    assertEquals(2, rig.subsystem.faults(1).failuresPending());
    p1.identifyController(); // admin commands do not count
    assertTrue(p2.read(1, 0, ByteBuffer.allocate(512), 1).ok(), "other ports unaffected");
    Cqe f1 = p1.read(1, 0, ByteBuffer.allocate(512), 1);
    Cqe f2 = p1.write(1, 0, new byte[512], 1);
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), f1.code());
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), f2.code());
    assertFalse(f1.dnr());
    assertTrue(p1.read(1, 0, ByteBuffer.allocate(512), 1).ok());
    assertEquals(0, rig.subsystem.faults(1).failuresPending());

    rig.subsystem.faults(1).failNext(1, NvmeStatus.INTERNAL_ERROR.withDnr(true));
    Cqe dnr = p1.read(1, 0, ByteBuffer.allocate(512), 1);
    assertEquals(NvmeStatus.INTERNAL_ERROR.code(), dnr.code());
    assertTrue(dnr.dnr());
    // the failed write did not reach the medium
    byte[] data = new byte[512];
    data[0] = 42;
    rig.subsystem.faults(1).failNext(1, NvmeStatus.WRITE_FAULT);
    assertEquals(NvmeStatus.WRITE_FAULT.code(), p1.write(1, 5, data, 1).code());
    assertEquals(0, p1.readOk(1, 5, 1, 512)[0]);
  }

  @Test
  void hangAcceptsButNeverCompletesAndUnhangIsNotRetroactive() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    int aer = p1.aer(); // outstanding before the hang
    rig.subsystem.faults(1).hang(true);
    int r = submitRead(p1);
    int id = p1.submit(0, (s, cid) -> IdentifyCommand.controller(s, cid), ByteBuffer.allocate(4096));
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    rig.advance(Duration.ofSeconds(30));
    assertEquals(List.of(), p1.io.get(1).all());
    assertEquals(List.of(), p1.admin.all());
    assertTrue(p1.ctrl.isLive(), "no keep-alive timeout configured");

    rig.subsystem.faults(1).hang(false);
    rig.pump();
    assertFalse(p1.io.get(1).has(r));
    assertFalse(p1.admin.has(id));
    // the event raised during the hang goes to the request outstanding since before it
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(aer).dw0()).isAnaChange());
    assertTrue(p1.read(1, 0, ByteBuffer.allocate(512), 1).ok());
  }

  @Test
  void hangLosesCompletionsThatFallDueDuringIt() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    rig.subsystem.faults(1).delay(Duration.ofMillis(10));
    int r = submitRead(p1);
    rig.pump(); // executed; completion held by the delay
    rig.subsystem.faults(1).hang(true);
    rig.advance(Duration.ofMillis(20));
    rig.subsystem.faults(1).hang(false);
    rig.advance(Duration.ofMillis(20));
    assertFalse(p1.io.get(1).has(r));
  }

  @Test
  void delayHoldsCompletionsAndKeepsTheirOrder() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    rig.subsystem.faults(1).delay(Duration.ofMillis(10));
    assertEquals(Duration.ofMillis(10), rig.subsystem.faults(1).delay());
    int c1 = submitRead(p1);
    int c2 = submitRead(p1);
    rig.pump();
    assertEquals(List.of(), p1.io.get(1).all());
    rig.advance(Duration.ofMillis(5));
    int c3 = submitRead(p1);
    rig.pump();
    rig.advance(Duration.ofMillis(5));
    assertEquals(List.of(c1, c2), p1.io.get(1).all().stream().map(Cqe::cid).toList());
    // delay removed while c3 is held: a new completion waits behind it
    rig.subsystem.faults(1).delay(Duration.ZERO);
    int c4 = submitRead(p1);
    rig.pump();
    assertEquals(List.of(c1, c2), p1.io.get(1).all().stream().map(Cqe::cid).toList());
    rig.advance(Duration.ofMillis(5));
    assertEquals(List.of(c1, c2, c3, c4), p1.io.get(1).all().stream().map(Cqe::cid).toList());
    int c5 = submitRead(p1);
    rig.pump();
    assertTrue(p1.io.get(1).has(c5), "no delay, nothing queued: at once");
  }

  @Test
  void clearResetsEveryFault() throws Exception {
    Faults f = rig.subsystem.faults(2);
    f.kill();
    f.hang(true);
    f.delay(Duration.ofSeconds(1));
    f.failNext(3, NvmeStatus.INTERNAL_ERROR);
    f.clear();
    assertFalse(f.isKilled());
    assertFalse(f.isHung());
    assertEquals(Duration.ZERO, f.delay());
    assertEquals(0, f.failuresPending());
    TestHost h = rig.host(2, HOST_A);
    assertTrue(h.read(1, 0, ByteBuffer.allocate(512), 1).ok());
    assertThrows(IllegalArgumentException.class, () -> rig.subsystem.faults(4));
  }

  @Test
  void closeDisconnectsEveryoneOnce() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p3 = rig.host(3, HOST_B);
    rig.subsystem.transitionAna(1, 1, AnaState.INACCESSIBLE, Duration.ofSeconds(1));
    rig.subsystem.close();
    rig.subsystem.close();
    rig.pump();
    assertTrue(rig.subsystem.isClosed());
    for (TestHost h : List.of(p1, p3)) {
      assertEquals(List.of("subsystem closed"), h.admin.disconnects());
      assertEquals(List.of("subsystem closed"), h.io.get(1).disconnects());
    }
    assertEquals(List.of(), rig.subsystem.controllers());
    rig.advance(Duration.ofSeconds(2));
    assertEquals(AnaState.CHANGE, rig.subsystem.anaState(1, 1), "transition cancelled");
  }
}
