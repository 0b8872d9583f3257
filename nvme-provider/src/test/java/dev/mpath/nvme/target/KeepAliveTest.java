package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeepAliveTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private TestHost host(int kato) throws Exception {
    TestHost h = rig.connect(1, HOST_A, kato);
    h.enable();
    h.connectIo(1, 32);
    return h;
  }

  @Test
  void controllerFailsWhenNoKeepAliveArrivesWithinKato() throws Exception {
    TestHost h = host(1000);
    int aer = h.aer(); // an admin command at t=0
    rig.advance(Duration.ofMillis(1999));
    assertTrue(h.ctrl.isLive(), "KATO 1000 ms tolerates one keep-alive period more");
    rig.advance(Duration.ofMillis(1));
    assertFalse(h.ctrl.isLive());
    assertEquals("keep alive timeout", h.ctrl.goneReason());
    assertEquals(List.of("keep alive timeout"), h.admin.disconnects());
    assertEquals(List.of("keep alive timeout"), h.io.get(1).disconnects());
    assertFalse(h.admin.has(aer), "no completion for outstanding commands");
    assertEquals(List.of(), rig.subsystem.controllers());
    assertEquals(List.of(), rig.subsystem.attachedControllers(1));

    // a late submission gets the disconnect again, never a completion
    h.submit(1, (s, cid) -> ReadWriteCommand.read(s, cid, 1, 0, 1), ByteBuffer.allocate(512));
    rig.pump();
    assertEquals(2, h.io.get(1).disconnects().size());
    assertEquals(List.of(), h.io.get(1).all());
  }

  @Test
  void keepAliveRestartsTheTimer() throws Exception {
    TestHost h = host(1000);
    rig.advance(Duration.ofMillis(1800));
    assertTrue(h.keepAlive().ok());
    rig.advance(Duration.ofMillis(1999));
    assertTrue(h.ctrl.isLive());
    assertTrue(h.keepAlive().ok());
    rig.advance(Duration.ofMillis(1999));
    assertTrue(h.ctrl.isLive());
    rig.advance(Duration.ofMillis(1));
    assertFalse(h.ctrl.isLive());
  }

  @Test
  void trafficBasedKeepAliveCountsEveryCommand() throws Exception {
    TestHost h = host(1000);
    rig.advance(Duration.ofMillis(500));
    h.identify(IdentifyCommand.CNS_CONTROLLER, 0, 0);
    rig.advance(Duration.ofMillis(1900));
    assertTrue(h.ctrl.isLive(), "identify at 500 pushed expiry to 2500");
    assertTrue(h.read(1, 0, ByteBuffer.allocate(512), 1).ok());
    rig.advance(Duration.ofMillis(1999));
    assertTrue(h.ctrl.isLive(), "I/O at 2400 pushed expiry to 4400 (TBKAS)");
    rig.advance(Duration.ofMillis(1));
    assertFalse(h.ctrl.isLive());
  }

  @Test
  void identifyAdvertisesTrafficBasedKeepAliveAndMnan() throws Exception {
    TestHost h = host(1000);
    ByteBuffer data = h.identify(IdentifyCommand.CNS_CONTROLLER, 0, 0).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    // CTRATT (bytes 99:96) bit 6 TBKAS and bit 0 128-bit host id; MNAN (543:540) = NN (519:516)
    assertEquals(0x41, data.getInt(96) & 0x41);
    assertEquals(data.getInt(516), data.getInt(540));
    assertTrue(data.getInt(540) > 0);
    assertEquals(1, data.get(76) >> 3 & 1, "CMIC ANA reporting, which makes Linux check MNAN");
  }

  @Test
  void toleranceIsBounded() {
    assertEquals(Duration.ofMillis(200).toNanos(), KeepAliveTimer.toleratedIdleNanos(100));
    assertEquals(Duration.ofSeconds(10).toNanos(), KeepAliveTimer.toleratedIdleNanos(5000));
    assertEquals(Duration.ofSeconds(130).toNanos(), KeepAliveTimer.toleratedIdleNanos(120_000));
  }

  @Test
  void zeroKatoNeverExpires() throws Exception {
    TestHost h = host(0);
    rig.advance(Duration.ofHours(1));
    assertTrue(h.ctrl.isLive());
    assertEquals(0, rig.scheduler.pending());
  }

  @Test
  void setFeaturesKeepAliveTimerArmsAndReportsIt() throws Exception {
    TestHost h = host(0);
    Cqe set = h.admin((s, cid) -> FeatureCommand.setFeatures(s, cid, 0,
        FeatureCommand.FID_KEEP_ALIVE_TIMER, false, 500), null);
    assertTrue(set.ok());
    Cqe get = h.admin((s, cid) -> FeatureCommand.getFeatures(s, cid, 0,
        FeatureCommand.FID_KEEP_ALIVE_TIMER, 0, 0), null);
    assertEquals(500, get.dw0());
    assertEquals(500, h.ctrl.katoMillis());
    rig.advance(Duration.ofMillis(999));
    assertTrue(h.ctrl.isLive());
    rig.advance(Duration.ofMillis(1));
    assertFalse(h.ctrl.isLive());
  }

  @Test
  void aHungPortDropsKeepAlivesSoTheControllerExpires() throws Exception {
    TestHost h = host(1000);
    rig.subsystem.faults(1).hang(true);
    rig.advance(Duration.ofMillis(600));
    h.submit(0, (s, cid) -> dev.mpath.nvme.proto.KeepAliveCommand.fill(s, cid), null);
    rig.advance(Duration.ofMillis(1400));
    assertFalse(h.ctrl.isLive());
    assertEquals(List.of("keep alive timeout"), h.admin.disconnects());
    assertEquals(List.of(), h.admin.all());
  }

  @Test
  void otherControllersAreUnaffected() throws Exception {
    TestHost dying = host(100);
    TestHost other = rig.host(1, HOST_A);
    rig.advance(Duration.ofSeconds(1));
    assertFalse(dying.ctrl.isLive());
    assertTrue(other.ctrl.isLive());
    assertEquals(List.of(other.ctrl), rig.subsystem.controllers());
    assertTrue(other.read(1, 0, ByteBuffer.allocate(512), 1).ok());
  }
}
