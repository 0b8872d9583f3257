package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.BS;
import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.alua.AluaState;
import dev.mpath.alua.PortGroupStatus;
import dev.mpath.alua.ReportTargetPortGroupsCdb;
import dev.mpath.alua.RtpgFormat;
import dev.mpath.alua.RtpgResponse;
import dev.mpath.alua.SetTargetPortGroupsCdb;
import dev.mpath.alua.StpgDescriptor;
import dev.mpath.alua.StpgParameterList;
import dev.mpath.alua.SupportedStates;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.PersistentReserveInCdb;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AluaTest {

  static RtpgResponse rtpg(Host h, RtpgFormat format) {
    byte[] d = h.dataIn(0, ReportTargetPortGroupsCdb.of(format, 1024).encode(), 1024);
    return RtpgResponse.decode(d);
  }

  static ScsiResponse stpg(Host h, StpgDescriptor... d) {
    byte[] list = StpgParameterList.of(d).encode();
    return h.run(0, SetTargetPortGroupsCdb.of(list.length).encode(), ByteBuffer.wrap(list),
        list.length);
  }

  static ScsiResponse read(Host h) {
    return h.read(0, 0, ByteBuffer.allocate(BS));
  }

  static ScsiResponse readCapacity(Host h) {
    return h.run(0, ReadCapacity16Cdb.of(32).toBytes(), ByteBuffer.allocate(32), 32);
  }

  @Test
  void activeStatesServeEverything() {
    try (Rig rig = new Rig()) {
      Host ao = rig.login(HOST_A, 1);
      Host an = rig.login(HOST_A, 2);
      for (Host h : List.of(ao, an)) {
        assertGood(h.tur());
        assertGood(h.write(0, 1, new byte[BS]));
        assertGood(read(h));
      }
    }
  }

  @Test
  void standbyRefusesMediumAccessButAnswersDiscovery() {
    try (Rig rig = new Rig(b -> b.portGroup(2, AluaState.STANDBY))) {
      Host h = rig.login(HOST_A, 2);
      Asc standby = Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE;
      assertCheck(h.tur(), SenseKey.NOT_READY, standby);
      assertCheck(read(h), SenseKey.NOT_READY, standby);
      assertCheck(h.write(0, 0, new byte[BS]), SenseKey.NOT_READY, standby);
      h.inquiry(-1);
      h.inquiry(0x83);
      h.dataIn(0, ReportLunsCdb.of(64).toBytes(), 64);
      assertGood(readCapacity(h));
      assertEquals(AluaState.STANDBY, rtpg(h, RtpgFormat.EXTENDED).groupOfPort(2).get().state());
      h.prIn(PrInServiceAction.READ_KEYS);
      // REQUEST SENSE describes the state.
      byte[] sense = h.dataIn(0, new byte[] {0x03, 0, 0, 0, (byte) 252, 0}, 252);
      assertTrue(SenseData.decode(sense).is(SenseKey.NOT_READY, standby));
    }
  }

  @Test
  void unavailableAllowsOnlyDiscoveryAndAlua() {
    try (Rig rig = new Rig(b -> b.portGroup(2, AluaState.UNAVAILABLE))) {
      Host h = rig.login(HOST_A, 2);
      Asc unavailable = Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE;
      assertCheck(h.tur(), SenseKey.NOT_READY, unavailable);
      assertCheck(readCapacity(h), SenseKey.NOT_READY, unavailable);
      ScsiResponse pr = h.run(0, PersistentReserveInCdb.of(PrInServiceAction.READ_KEYS, 64)
          .toBytes(), ByteBuffer.allocate(64), 64);
      assertCheck(pr, SenseKey.NOT_READY, unavailable);
      h.inquiry(-1);
      rtpg(h, RtpgFormat.LENGTH_ONLY);
      // STPG is allowed in unavailable: bring the group back.
      assertGood(stpg(h, new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 2)));
      assertGood(h.tur());
    }
  }

  @Test
  void offlineRefusesWithOfflineSense() {
    try (Rig rig = new Rig(b -> b.portGroup(2, AluaState.OFFLINE))) {
      Host h = rig.login(HOST_A, 2);
      assertCheck(h.tur(), SenseKey.NOT_READY, Asc.LU_NOT_READY_OFFLINE);
      h.inquiry(-1);
    }
  }

  @Test
  void implicitTransitionPassesThroughTransitioningWithUnitAttentions() {
    try (Rig rig = new Rig(b -> b.implicitTransitionTime(Duration.ofSeconds(10)))) {
      Host h = rig.login(HOST_A, 1);
      Host other = rig.login(HOST_B, 2);
      assertGood(h.tur());
      rig.target.portGroups().transition(1, AluaState.STANDBY);
      rig.runDue();
      assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      Asc transition = Asc.LU_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION;
      assertCheck(h.tur(), SenseKey.NOT_READY, transition);
      assertCheck(read(h), SenseKey.NOT_READY, transition);
      assertEquals(AluaState.TRANSITIONING,
          rtpg(h, RtpgFormat.EXTENDED).group(1).get().state());
      assertEquals(10, rtpg(h, RtpgFormat.EXTENDED).implicitTransitionTime());
      // SET TARGET PORT GROUPS is not allowed while transitioning.
      assertCheck(stpg(h, new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 1)),
          SenseKey.NOT_READY, transition);
      // Another group's port is untouched, but learns about the change (once).
      assertCheck(other.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertGood(other.tur());

      rig.sched.advance(Duration.ofSeconds(10));
      assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertCheck(h.tur(), SenseKey.NOT_READY,
          Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
      assertEquals(PortGroupStatus.ALTERED_BY_IMPLICIT,
          rtpg(h, RtpgFormat.EXTENDED).group(1).get().status());
    }
  }

  @Test
  void stateChangeQueuesUnitAttentionForEveryNexusButTheStpgSender() {
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.of(16, 512)))) {
      Host a1 = rig.login(HOST_A, 1);
      Host a2 = rig.login(HOST_A, 2);
      Host b1 = rig.login(HOST_B, 1);
      Host b2 = rig.login(HOST_B, 2);
      // Swap the groups: two changes, one unit attention per nexus.
      assertGood(stpg(a1, new StpgDescriptor(AluaState.ACTIVE_NON_OPTIMIZED, 1),
          new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 2)));
      assertGood(a1.tur());
      for (Host h : List.of(a2, b1, b2)) {
        assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertGood(h.tur());
      }
      // The sender's other logical unit is told too.
      ScsiResponse r = a1.noData(1, new byte[6]);
      assertCheck(r, SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertGood(a1.noData(1, new byte[6]));
      // INQUIRY and REPORT LUNS neither report nor consume a unit attention.
      rig.target.portGroups().transition(1, AluaState.ACTIVE_OPTIMIZED, Duration.ZERO);
      rig.runDue();
      b1.inquiry(-1);
      b1.dataIn(0, ReportLunsCdb.of(64).toBytes(), 64);
      assertEquals(List.of(Asc.ASYMMETRIC_ACCESS_STATE_CHANGED),
          rig.target.lun(0).pendingUnitAttentions(b1.nexus()));
      assertCheck(b1.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
    }
  }

  @Test
  void stpgThroughMaintenanceOutChangesRtpg() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 2);
      RtpgResponse before = rtpg(h, RtpgFormat.EXTENDED);
      assertEquals(AluaState.ACTIVE_OPTIMIZED, before.group(1).get().state());
      assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, before.group(2).get().state());
      assertTrue(before.group(1).get().preferred());
      assertEquals(List.of(2), before.group(2).get().relativeTargetPorts());

      assertGood(stpg(h, new StpgDescriptor(AluaState.STANDBY, 1),
          new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 2)));

      RtpgResponse after = rtpg(h, RtpgFormat.LENGTH_ONLY);
      assertEquals(AluaState.STANDBY, after.group(1).get().state());
      assertEquals(AluaState.ACTIVE_OPTIMIZED, after.group(2).get().state());
      assertEquals(PortGroupStatus.ALTERED_BY_STPG, after.group(2).get().status());
      assertEquals(AluaState.STANDBY, rig.target.portGroups().stateOfPort(1));
    }
  }

  @Test
  void rejectedStpgIsIllegalRequestWithTheModelsSense() {
    try (Rig rig = new Rig(b -> b.portGroup(2, AluaState.ACTIVE_NON_OPTIMIZED, false,
        SupportedStates.of(AluaState.ACTIVE_NON_OPTIMIZED, AluaState.ACTIVE_OPTIMIZED)))) {
      Host h = rig.login(HOST_A, 1);
      ScsiResponse r = stpg(h, new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 9));
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      SenseData s = r.senseData().orElseThrow();
      assertTrue(s.sksv());
      assertEquals(0, s.senseKeySpecific() & 0x40_0000, "field pointer is in the parameter list");
      assertEquals(6, s.senseKeySpecific() & 0xFFFF, "points at the group of descriptor 1");
      r = stpg(h, new StpgDescriptor(AluaState.STANDBY, 2));
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      // Wrong parameter list length (not 4 + 4n).
      byte[] list = new byte[6];
      r = h.run(0, SetTargetPortGroupsCdb.of(6).encode(), ByteBuffer.wrap(list), 6);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, rig.target.portGroups().stateOfPort(2));
    }
    try (Rig rig = new Rig(b -> b.tpgs(Tpgs.IMPLICIT))) {
      Host h = rig.login(HOST_A, 1);
      ScsiResponse r = stpg(h, new StpgDescriptor(AluaState.STANDBY, 2));
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertTrue(r.senseData().orElseThrow().senseKeySpecific() >= 0x40_0000, "C/D set");
    }
  }

  @Test
  void noAluaMeansEveryPortServesAndRtpgIsRefused() {
    try (Rig rig = new Rig(b -> b.tpgs(Tpgs.NONE).portGroup(2, AluaState.STANDBY))) {
      Host h = rig.login(HOST_A, 2);
      assertGood(h.tur());
      assertGood(read(h));
      ScsiResponse r = h.run(0, ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 64).encode(),
          ByteBuffer.allocate(64), 64);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void readWriteThroughPortsOfOneGroupShareTheState() {
    try (Rig rig = new Rig(b -> b.port(3, 2))) {
      Host h3 = rig.login(HOST_A, 3);
      rig.target.portGroups().transition(2, AluaState.STANDBY, Duration.ZERO);
      rig.runDue();
      assertCheck(h3.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertCheck(h3.run(0, ReadWriteCdb.read10(0, 1).toBytes(), ByteBuffer.allocate(BS), BS),
          SenseKey.NOT_READY, Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
      h3.dataIn(0, InquiryCdb.standard(36).toBytes(), 36);
    }
  }
}
