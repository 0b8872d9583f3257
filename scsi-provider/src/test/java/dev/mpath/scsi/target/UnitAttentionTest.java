package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnitAttentionTest {
  static final Asc POWER_ON = Asc.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED;

  @Test
  void newNexusGetsPowerOnOncePerLogicalUnit() {
    try (Rig rig = new Rig(b -> b.powerOnUnitAttention(true).lun(1, LuSpec.of(8, 512)))) {
      Host h = rig.login(HOST_A, 1);
      h.inquiry(-1); // INQUIRY neither reports nor clears
      h.dataIn(0, ReportLunsCdb.of(64).toBytes(), 64);
      assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, POWER_ON);
      assertGood(h.tur());
      assertCheck(h.noData(1, new byte[6]), SenseKey.UNIT_ATTENTION, POWER_ON);
      assertGood(h.noData(1, new byte[6]));
      // A new login of the same nexus is a new I_T nexus.
      Host again = rig.login(HOST_A, 1);
      assertCheck(again.tur(), SenseKey.UNIT_ATTENTION, POWER_ON);
    }
  }

  @Test
  void requestSenseReportsAndClearsTheUnitAttention() {
    try (Rig rig = new Rig(b -> b.powerOnUnitAttention(true))) {
      Host h = rig.login(HOST_A, 1);
      byte[] s = h.dataIn(0, new byte[] {0x03, 0, 0, 0, (byte) 252, 0}, 252);
      assertTrue(SenseData.decode(s).is(SenseKey.UNIT_ATTENTION, POWER_ON));
      assertGood(h.tur());
      byte[] none = h.dataIn(0, new byte[] {0x03, 1, 0, 0, (byte) 252, 0}, 252);
      SenseData d = SenseData.decode(none);
      assertEquals(SenseData.Format.DESCRIPTOR, d.format());
      assertEquals(SenseKey.NO_SENSE, d.senseKey());
    }
  }

  @Test
  void unitAttentionsAreReportedInOrderOneAtATimeAndDeduplicated() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      LogicalUnit lu = rig.target.lun(0);
      lu.establishUnitAttention(h.nexus(), Asc.RESERVATIONS_RELEASED);
      lu.establishUnitAttention(h.nexus(), Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      lu.establishUnitAttention(h.nexus(), Asc.RESERVATIONS_RELEASED);
      assertEquals(List.of(Asc.RESERVATIONS_RELEASED, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED),
          lu.pendingUnitAttentions(h.nexus()));
      assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, Asc.RESERVATIONS_RELEASED);
      assertCheck(h.tur(), SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertGood(h.tur());
      for (int i = 0; i < 100; i++) {
        lu.establishUnitAttention(h.nexus(), Asc.of(0x2A, 0x10 + i));
      }
      assertEquals(LogicalUnit.MAX_UNIT_ATTENTIONS, lu.pendingUnitAttentions(h.nexus()).size());
    }
  }

  /**
   * SAM-5 7.6: a LOGICAL UNIT RESET through one nexus aborts every nexus's tasks on that LU
   * (a queued command never answers: TAS 0) but not those of another LU, and every nexus,
   * the requester included, gets 29h/03h once (libiscsi's MultipathIO.Reset checks both).
   */
  @Test
  void lunResetAbortsEveryNexussTasksThereAndWarnsEveryNexus() {
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.of(8, 512)))) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(Rig.HOST_B, 2);
      assertGood(a.tur());
      assertGood(b.tur());
      long queuedHere = b.submit(0, new byte[6], null, 0);
      long queuedElsewhere = b.submit(1, new byte[6], null, 0);
      assertTrue(a.session.lunReset(0));
      rig.runDue();
      assertFalse(b.responses.containsKey(queuedHere), "an aborted task answers nothing");
      assertGood(b.responses.get(queuedElsewhere));
      assertEquals(List.of(Asc.BUS_DEVICE_RESET_FUNCTION_OCCURRED),
          rig.target.lun(0).pendingUnitAttentions(a.nexus()));
      assertCheck(a.tur(), SenseKey.UNIT_ATTENTION, Asc.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
      assertCheck(b.tur(), SenseKey.UNIT_ATTENTION, Asc.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
      assertGood(a.tur());
      assertGood(b.tur());
      assertGood(b.noData(1, new byte[6])); // the other LU was not reset
    }
  }
}
