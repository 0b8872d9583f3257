package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AnaGroupDescriptor;
import dev.mpath.nvme.proto.AnaLogPage;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.AsyncEventRequestCommand;
import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnaTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private static Cqe read1(TestHost h) {
    return h.read(1, 0, ByteBuffer.allocate(512), 1);
  }

  @Test
  void inaccessibleFailsIoOnThatPortOnlyAndSparesAdmin() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    rig.subsystem.setAnaState(1, 2, AnaState.INACCESSIBLE);
    assertEquals(AnaState.INACCESSIBLE, rig.subsystem.anaState(1, 2));
    Cqe c = read1(p2);
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), c.code());
    assertFalse(c.dnr(), "path errors are retried elsewhere");
    assertTrue(NvmeStatus.isPathError(c.status()));
    assertTrue(read1(p1).ok());
    p2.identifyController(); // admin unaffected
    p2.identifyNamespace(1);
    // every I/O command on the group is refused, whatever the opcode
    Cqe flush = p2.io((s, cid) -> s.clear().opcode(0x00).cid(cid).nsid(1), null);
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), flush.code());

    rig.subsystem.setAnaState(1, 2, AnaState.OPTIMIZED);
    assertTrue(read1(p2).ok());
  }

  @Test
  void persistentLossAndNonOptimized() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    rig.subsystem.setAnaState(1, 1, AnaState.PERSISTENT_LOSS);
    assertEquals(NvmeStatus.ANA_PERSISTENT_LOSS.code(), read1(p1).code());
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    assertTrue(read1(p1).ok());
    assertThrows(IllegalArgumentException.class, () -> rig.subsystem.setAnaState(3, 1, AnaState.OPTIMIZED));
    assertThrows(IllegalArgumentException.class, () -> rig.subsystem.setAnaState(1, 4, AnaState.OPTIMIZED));
  }

  @Test
  void initialStatesFromTheBuilder() throws Exception {
    try (TargetRig r = new TargetRig(b -> b.anaState(2, 3, AnaState.NON_OPTIMIZED))) {
      assertEquals(AnaState.NON_OPTIMIZED, r.subsystem.anaState(2, 3));
      assertEquals(AnaState.OPTIMIZED, r.subsystem.anaState(2, 1));
      TestHost h = r.host(3, HOST_A);
      assertEquals(AnaState.NON_OPTIMIZED, h.anaLog(false, true).group(2).orElseThrow().state());
    }
  }

  @Test
  void anaLogIsPerPortWithAttachedNsids() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p3 = rig.host(3, HOST_A);
    AnaLogPage log3 = p3.anaLog(false, true);
    assertEquals(2, log3.groups().size());
    assertEquals(List.of(1), log3.group(1).orElseThrow().nsids());
    assertEquals(List.of(2), log3.group(2).orElseThrow().nsids());
    assertEquals(AnaState.OPTIMIZED, log3.group(2).orElseThrow().state());
    long before = log3.changeCount();

    rig.subsystem.setAnaState(2, 3, AnaState.INACCESSIBLE);
    AnaLogPage after3 = p3.anaLog(false, true);
    assertEquals(AnaState.INACCESSIBLE, after3.group(2).orElseThrow().state());
    assertEquals(before + 1, after3.changeCount());
    assertEquals(1, after3.group(2).orElseThrow().changeCount());
    assertEquals(0, after3.group(1).orElseThrow().changeCount());

    AnaLogPage log1 = p1.anaLog(false, true);
    assertEquals(AnaState.OPTIMIZED, log1.group(2).orElseThrow().state(), "port 1 unaffected");
    assertEquals(List.of(), log1.group(2).orElseThrow().nsids(), "ns2 not attached on port 1");
    assertEquals(List.of(1), log1.group(1).orElseThrow().nsids());

    AnaLogPage rgo = p3.anaLog(true, true);
    assertEquals(2, rgo.groups().size());
    assertTrue(rgo.groups().stream().allMatch(g -> g.nsids().isEmpty()));
    assertEquals(AnaLogPage.HEADER_LENGTH + 2 * AnaGroupDescriptor.HEADER_LENGTH,
        rgo.encodedLength(true));
  }

  @Test
  void anaLogHonoursNumdAndOffset() throws Exception {
    TestHost p3 = rig.host(3, HOST_A);
    ByteBuffer header = ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    Cqe c = p3.admin((s, cid) -> GetLogPageCommand.anaLog(s, cid, 16, false, true), header);
    assertTrue(c.ok());
    assertEquals(2, header.getShort(AnaLogPage.NGRPS_OFFSET));
    for (int i = 16; i < 4096; i++) {
      if (header.get(i) != 0) {
        throw new AssertionError("byte " + i + " written past NUMD");
      }
    }
    // offset 16: the first descriptor
    ByteBuffer second = ByteBuffer.allocate(36).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    Cqe off = p3.admin((s, cid) -> GetLogPageCommand.fill(s, cid, SubmissionQueueEntry.NSID_ALL,
        LogPageId.ASYMMETRIC_NAMESPACE_ACCESS, 0, true, 36, 16), second);
    assertTrue(off.ok());
    assertEquals(1, second.getInt(AnaGroupDescriptor.ANAGRPID_OFFSET));
    assertEquals(1, second.getInt(AnaGroupDescriptor.NNSIDS_OFFSET));
    assertEquals(1, second.getInt(AnaGroupDescriptor.NSID_OFFSET));
    Cqe beyond = p3.admin((s, cid) -> GetLogPageCommand.fill(s, cid, SubmissionQueueEntry.NSID_ALL,
        LogPageId.ASYMMETRIC_NAMESPACE_ACCESS, 0, true, 4, 4096), ByteBuffer.allocate(4));
    assertEquals(NvmeStatus.INVALID_FIELD.code(), beyond.code());
    // LPO is a 64-bit unsigned offset: 2^63 and above are past the end too, for every log
    for (int logId : new int[] {LogPageId.ASYMMETRIC_NAMESPACE_ACCESS,
        LogPageId.CHANGED_NAMESPACE_LIST, LogPageId.ERROR_INFORMATION, LogPageId.SMART_HEALTH,
        LogPageId.FIRMWARE_SLOT}) {
      for (long lpo : new long[] {1L << 63, -4L, (1L << 32) + 4}) {
        Cqe huge = p3.admin((s, cid) -> GetLogPageCommand.fill(s, cid,
            SubmissionQueueEntry.NSID_ALL, logId, 0, true, 4, lpo), ByteBuffer.allocate(4));
        assertEquals(NvmeStatus.INVALID_FIELD.code(), huge.code(),
            "LID " + logId + " LPO " + Long.toUnsignedString(lpo));
        assertTrue(huge.dnr());
      }
    }
    Cqe lid = p3.admin((s, cid) -> GetLogPageCommand.fill(s, cid, SubmissionQueueEntry.NSID_ALL,
        0x55, 0, true, 4, 0), ByteBuffer.allocate(4));
    assertEquals(NvmeStatus.INVALID_LOG_PAGE.code(), lid.code());
  }

  @Test
  void changeRaisesTheNoticeOnTheAffectedPortOnly() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_B);
    int aer1 = p1.aer();
    int aer2 = p2.aer();
    assertFalse(p1.admin.has(aer1), "AER held until an event");
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    rig.pump();
    Cqe ev = p1.admin.take(aer1);
    assertTrue(ev.ok());
    AsyncEvent e = AsyncEvent.fromDw0(ev.dw0());
    assertTrue(e.isAnaChange());
    assertEquals(LogPageId.ASYMMETRIC_NAMESPACE_ACCESS, e.logPageId());
    assertEquals(AsyncEvent.ANA_CHANGE.toDw0(), ev.dw0());
    assertFalse(p2.admin.has(aer2), "port 2 saw no change");
    // setting the same state again is no change
    p1.anaLog(false, false);
    int again = p1.aer();
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    rig.pump();
    assertFalse(p1.admin.has(again));
  }

  @Test
  void eventWithoutAnOutstandingRequestIsDeliveredWhenOneArrives() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    rig.subsystem.setAnaState(1, 1, AnaState.INACCESSIBLE);
    rig.pump();
    assertEquals(List.of(), p1.admin.pending());
    int aer = p1.aer();
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(aer).dw0()).isAnaChange());
  }

  @Test
  void noticeIsMaskedUntilTheLogIsReadWithRaeCleared() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    int a1 = p1.aer();
    int a2 = p1.aer();
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    rig.pump();
    assertTrue(p1.admin.has(a1));
    rig.subsystem.setAnaState(1, 1, AnaState.OPTIMIZED);
    rig.pump();
    assertFalse(p1.admin.has(a2), "masked: the log page has the news");
    p1.anaLog(false, true); // RAE set: stays masked
    rig.subsystem.setAnaState(1, 1, AnaState.NON_OPTIMIZED);
    rig.pump();
    assertFalse(p1.admin.has(a2));
    p1.anaLog(false, false); // RAE cleared: unmasked
    rig.subsystem.setAnaState(1, 1, AnaState.OPTIMIZED);
    rig.pump();
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(a2).dw0()).isAnaChange());
  }

  @Test
  void transitionPassesThroughChangeWithNoticesAtBothSteps() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    AnaLogPage start = p1.anaLog(false, false);
    int aer = p1.aer();

    rig.subsystem.transitionAna(1, 1, AnaState.INACCESSIBLE, Duration.ofSeconds(2));
    rig.pump();
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(aer).dw0()).isAnaChange());
    assertEquals(AnaState.CHANGE, rig.subsystem.anaState(1, 1));
    Cqe during = read1(p1);
    assertEquals(NvmeStatus.ANA_TRANSITION.code(), during.code());
    assertTrue(read1(p2).ok(), "other ports keep serving");
    AnaLogPage changing = p1.anaLog(false, false);
    AnaGroupDescriptor g = changing.group(1).orElseThrow();
    assertEquals(AnaState.CHANGE, g.state());
    assertEquals(start.group(1).orElseThrow().changeCount() + 1, g.changeCount());
    assertEquals(start.changeCount() + 1, changing.changeCount());

    aer = p1.aer();
    rig.advance(Duration.ofMillis(1999));
    assertFalse(p1.admin.has(aer));
    assertEquals(AnaState.CHANGE, rig.subsystem.anaState(1, 1));
    rig.advance(Duration.ofMillis(1));
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(aer).dw0()).isAnaChange());
    AnaLogPage done = p1.anaLog(false, false);
    assertEquals(AnaState.INACCESSIBLE, done.group(1).orElseThrow().state());
    assertEquals(start.group(1).orElseThrow().changeCount() + 2, done.group(1).orElseThrow().changeCount());
    assertEquals(start.changeCount() + 2, done.changeCount());
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), read1(p1).code());
  }

  @Test
  void setAnaStateSupersedesATransitionInProgress() throws Exception {
    rig.subsystem.transitionAna(2, 3, AnaState.INACCESSIBLE, Duration.ofSeconds(5));
    assertEquals(AnaState.CHANGE, rig.subsystem.anaState(2, 3));
    rig.subsystem.setAnaState(2, 3, AnaState.NON_OPTIMIZED);
    rig.advance(Duration.ofSeconds(10));
    assertEquals(AnaState.NON_OPTIMIZED, rig.subsystem.anaState(2, 3));
    // a second transition replaces the first
    rig.subsystem.transitionAna(2, 3, AnaState.INACCESSIBLE, Duration.ofSeconds(5));
    rig.advance(Duration.ofSeconds(1));
    rig.subsystem.transitionAna(2, 3, AnaState.OPTIMIZED, Duration.ofSeconds(1));
    rig.advance(Duration.ofSeconds(10));
    assertEquals(AnaState.OPTIMIZED, rig.subsystem.anaState(2, 3));
    assertEquals(0, rig.scheduler.pending());
  }

  @Test
  void asyncEventRequestLimit() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    for (int i = 0; i <= TargetController.AERL; i++) {
      p1.aer();
    }
    assertEquals(List.of(), p1.admin.pending());
    Cqe fifth = p1.admin(AsyncEventRequestCommand::fill, null);
    assertEquals(NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED.code(), fifth.code());
    assertTrue(fifth.dnr());
  }

  @Test
  void asyncEventConfigurationTurnsNoticesOff() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    Cqe get = p1.admin((s, cid) -> FeatureCommand.getFeatures(s, cid, 0,
        FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION, 0, 0), null);
    assertEquals(FeatureCommand.AEC_ANA_CHANGE_NOTICES
        | FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES, get.dw0(), "enabled by default");
    assertTrue(p1.admin((s, cid) -> FeatureCommand.setFeatures(s, cid, 0,
        FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION, false,
        FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES), null).ok());
    int aer = p1.aer();
    rig.subsystem.setAnaState(1, 1, AnaState.INACCESSIBLE);
    rig.pump();
    assertFalse(p1.admin.has(aer));
    assertEquals(AnaState.INACCESSIBLE, p1.anaLog(false, false).group(1).orElseThrow().state());
    // but namespace notices still come
    rig.subsystem.detach(1, p1.cntlid());
    rig.pump();
    assertTrue(AsyncEvent.fromDw0(p1.admin.take(aer).dw0()).isNamespaceAttributeChanged());
    assertEquals(IdentifyCommand.DATA_LENGTH, 4096);
  }
}
