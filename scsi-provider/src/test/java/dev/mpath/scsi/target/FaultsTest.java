package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.BlockIoTest.medium;
import static dev.mpath.scsi.target.BlockIoTest.pattern;
import static dev.mpath.scsi.target.Rig.BS;
import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.TestUnitReadyCdb;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultsTest {
  static final byte[] TUR = new TestUnitReadyCdb().toBytes();

  @Test
  void killDisconnectsDropsOutstandingAndRefusesLogins() throws Exception {
    try (Rig rig = new Rig()) {
      Host a1 = rig.login(HOST_A, 1);
      Host b1 = rig.login(HOST_B, 1);
      Host a2 = rig.login(HOST_A, 2);
      long outstanding = a1.submit(0, ReadWriteCdb.write10(0, 1).toBytes(),
          ByteBuffer.wrap(pattern(1, 9)), BS);
      rig.target.faults(1).kill();
      assertEquals(1, a1.disconnects.size());
      assertEquals(1, b1.disconnects.size());
      assertTrue(a1.disconnects.get(0).contains("killed"), a1.disconnects.get(0));
      rig.runDue();
      assertFalse(a1.responses.containsKey(outstanding), "no answer after a kill");
      assertArrayEquals(new byte[BS], medium(rig.target.lun(0), 0, 1), "never executed");
      assertFalse(a1.session.isActive());
      // Commands on a dead session vanish.
      a1.submit(0, TUR, null, 0);
      rig.runDue();
      assertTrue(a1.responses.isEmpty());
      // The other port is untouched.
      assertGood(a2.tur());
      assertTrue(a2.disconnects.isEmpty());
      ScsiTargetException e = assertThrows(ScsiTargetException.class,
          () -> rig.target.login(HOST_A, 1, a1));
      assertEquals(ScsiTargetException.Reason.PORT_KILLED, e.reason());
      assertTrue(rig.target.faults(1).isKilled());
      rig.target.faults(1).revive();
      Host again = rig.login(HOST_A, 1);
      assertGood(again.tur());
      assertEquals(1, a1.disconnects.size(), "disconnected is told once");
    }
  }

  @Test
  void hangHoldsCommandsAndAnswersUntilReleasedInOrder() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      Host other = rig.login(HOST_A, 2);
      long t1 = h.submit(0, TUR, null, 0); // dispatched before the hang: runs, answer held
      rig.target.faults(1).hang(true);
      byte[] data = pattern(1, 10);
      long t2 = h.submit(0, ReadWriteCdb.write10(5, 1).toBytes(), ByteBuffer.wrap(data), BS);
      long t3 = h.submit(0, TUR, null, 0);
      rig.runDue();
      rig.sched.advance(Duration.ofMinutes(5));
      assertTrue(h.responses.isEmpty(), "nothing answered while hung");
      assertGood(other.tur());
      rig.target.faults(1).hang(false);
      rig.runDue();
      assertEquals(List.of(t1, t2, t3), h.order);
      assertGood(h.responses.get(t2));
      assertArrayEquals(data, h.readBlocks(5, 1));
    }
  }

  @Test
  void killWhileHungDropsEverything() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      h.submit(0, TUR, null, 0);
      rig.target.faults(1).hang(true);
      h.submit(0, TUR, null, 0);
      rig.runDue();
      rig.target.faults(1).kill();
      rig.target.faults(1).hang(false);
      rig.runDue();
      assertTrue(h.responses.isEmpty());
      assertEquals(1, h.disconnects.size());
    }
  }

  @Test
  void delayHoldsAnswersAndKeepsTheirOrder() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      rig.target.faults(1).delay(Duration.ofMillis(100));
      assertEquals(Duration.ofMillis(100), rig.target.faults(1).delay());
      long t1 = h.submit(0, TUR, null, 0);
      rig.runDue();
      rig.sched.advance(Duration.ofMillis(99));
      assertTrue(h.responses.isEmpty());
      rig.target.faults(1).delay(Duration.ZERO);
      long t2 = h.submit(0, TUR, null, 0);
      rig.runDue();
      assertTrue(h.responses.isEmpty(), "a later answer does not overtake a delayed one");
      rig.sched.advance(Duration.ofMillis(1));
      assertEquals(List.of(t1, t2), h.order);
      assertGood(h.tur());
    }
  }

  @Test
  void failNextAnswersWithTheChosenStatusWithoutExecuting() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      SenseData sense = SenseData.of(SenseKey.HARDWARE_ERROR, Asc.LOGICAL_UNIT_FAILURE);
      rig.target.faults(1).failNext(2, ScsiStatus.CHECK_CONDITION, sense);
      ScsiResponse r = h.write(0, 3, pattern(1, 11));
      assertCheck(r, SenseKey.HARDWARE_ERROR, Asc.LOGICAL_UNIT_FAILURE);
      assertArrayEquals(sense.encode(), r.sense());
      assertArrayEquals(new byte[BS], medium(rig.target.lun(0), 3, 1), "not executed");
      // Every command counts, INQUIRY included.
      r = h.run(0, InquiryCdb.standard(36).toBytes(), ByteBuffer.allocate(36), 36);
      assertCheck(r, SenseKey.HARDWARE_ERROR, Asc.LOGICAL_UNIT_FAILURE);
      assertGood(h.tur());
      rig.target.faults(1).failNext(1, ScsiStatus.BUSY.code(), null);
      r = h.tur();
      assertEquals(ScsiStatus.BUSY.code(), r.status());
      assertEquals(null, r.sense());
      assertGood(h.tur());
      assertThrows(IllegalArgumentException.class,
          () -> rig.target.faults(1).failNext(1, ScsiStatus.CHECK_CONDITION.code(), null));
    }
  }

  @Test
  void partialWriteWithCheckConditionWritesOnlyThePart() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      rig.target.faults(1).partialNext(1, 50, true);
      assertGood(h.tur()); // commands moving no data do not use up the fault
      byte[] data = pattern(8, 12);
      ScsiResponse r = h.write(0, 16, data);
      assertCheck(r, SenseKey.ABORTED_COMMAND, Asc.SCSI_PARITY_ERROR);
      assertEquals(4 * BS, r.dataTransferred());
      assertEquals(4 * BS, r.residual());
      byte[] onMedium = medium(rig.target.lun(0), 16, 8);
      assertArrayEquals(Arrays.copyOf(data, 4 * BS), Arrays.copyOf(onMedium, 4 * BS));
      assertArrayEquals(new byte[4 * BS], Arrays.copyOfRange(onMedium, 4 * BS, 8 * BS));
      // Used up: the retry moves everything.
      ScsiResponse again = h.write(0, 16, data);
      assertGood(again);
      assertEquals(0, again.residual());
      assertArrayEquals(data, medium(rig.target.lun(0), 16, 8));
    }
  }

  @Test
  void partialTransfersWithResidual() throws IOException {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = pattern(8, 13);
      rig.target.faults(1).partialNext(2, 30, false);
      ScsiResponse w = h.write(0, 40, data);
      assertGood(w);
      int part = 2 * BS; // 30% of 8 blocks, rounded down to whole blocks
      assertEquals(part, w.dataTransferred());
      assertEquals(8 * BS - part, w.residual());
      assertArrayEquals(Arrays.copyOf(data, part),
          Arrays.copyOf(medium(rig.target.lun(0), 40, 8), part));
      assertArrayEquals(new byte[8 * BS - part],
          Arrays.copyOfRange(medium(rig.target.lun(0), 40, 8), part, 8 * BS));
      ScsiResponse w2 = h.write(0, 0, data);
      assertGood(w2);
      assertEquals(part, w2.dataTransferred(), "the second partial");
      ByteBuffer in = ByteBuffer.allocate(8 * BS);
      ScsiResponse r = h.read(0, 0, in);
      assertGood(r);
      assertEquals(8 * BS, r.dataTransferred(), "both partials used up");
    }
  }

  @Test
  void partialReadMovesOnlyThePart() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] data = pattern(4, 14);
      assertGood(h.write(0, 0, data));
      rig.target.faults(1).partialNext(1, 50, false);
      ByteBuffer in = ByteBuffer.allocate(4 * BS);
      ScsiResponse r = h.read(0, 0, in);
      assertGood(r);
      assertEquals(2 * BS, r.dataTransferred());
      assertEquals(2 * BS, r.residual());
      assertArrayEquals(Arrays.copyOf(data, 2 * BS), Arrays.copyOf(in.array(), 2 * BS));
      assertArrayEquals(new byte[2 * BS], Arrays.copyOfRange(in.array(), 2 * BS, 4 * BS));
    }
  }

  @Test
  void faultsArePerPort() {
    try (Rig rig = new Rig()) {
      Host p1 = rig.login(HOST_A, 1);
      Host p2 = rig.login(HOST_A, 2);
      rig.target.faults(1).failNext(5, ScsiStatus.TASK_SET_FULL.code(), null);
      assertGood(p2.tur());
      assertEquals(ScsiStatus.TASK_SET_FULL.code(), p1.tur().status());
      rig.target.faults(1).clear();
      assertGood(p1.tur());
    }
  }

  @Test
  void logoutDropsOutstandingWithoutDisconnectCallback() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      h.submit(0, TUR, null, 0);
      h.session.logout();
      rig.runDue();
      assertTrue(h.responses.isEmpty());
      assertTrue(h.disconnects.isEmpty());
      assertEquals(List.of(), rig.target.sessions());
    }
  }

  @Test
  void newLoginOfTheSameNexusReplacesTheOldSession() {
    try (Rig rig = new Rig()) {
      Host first = rig.login(HOST_A, 1);
      Host second = rig.login(HOST_A, 1);
      assertEquals(1, first.disconnects.size());
      assertFalse(first.session.isActive());
      assertGood(second.tur());
      assertEquals(List.of(second.session), rig.target.sessions());
    }
  }

  @Test
  void loginErrorsAndClose() {
    Rig rig = new Rig();
    Host h = rig.login(HOST_A, 1);
    ScsiTargetException e = assertThrows(ScsiTargetException.class,
        () -> rig.target.login(HOST_A, 9, h));
    assertEquals(ScsiTargetException.Reason.UNKNOWN_PORT, e.reason());
    e = assertThrows(ScsiTargetException.class, () -> rig.target.login("a,b", 1, h));
    assertEquals(ScsiTargetException.Reason.INVALID_INITIATOR, e.reason());
    e = assertThrows(ScsiTargetException.class, () -> rig.target.login("", 1, h));
    assertEquals(ScsiTargetException.Reason.INVALID_INITIATOR, e.reason());
    long tag = h.submit(0, TUR, null, 0);
    rig.close();
    assertEquals(1, h.disconnects.size());
    assertFalse(h.responses.containsKey(tag));
    e = assertThrows(ScsiTargetException.class, () -> rig.target.login(HOST_B, 1, h));
    assertEquals(ScsiTargetException.Reason.TARGET_CLOSED, e.reason());
    rig.close(); // idempotent
  }
}
