package dev.mpath.alua;

import dev.mpath.testing.ManualScheduler;
import static dev.mpath.alua.TestBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class AluaHandlerTest {
  private static final int MY_GROUP = 1;
  private static final int OTHER_GROUP = 2;

  private final ManualScheduler scheduler = new ManualScheduler();
  private final FakeCommands commands = new FakeCommands();
  private final List<AluaPathInfo[]> changes = new ArrayList<>();

  private AluaHandler handler(Tpgs tpgs) {
    return new AluaHandler("sda:0", commands, scheduler, tpgs, MY_GROUP,
        (prev, now) -> changes.add(new AluaPathInfo[] {prev, now}));
  }

  private static TargetPortGroupDescriptor group(int id, AluaState state, boolean pref, int port) {
    return TargetPortGroupDescriptor.of(pref, state, SupportedStates.DEFAULT, id,
        PortGroupStatus.NO_STATUS, List.of(port));
  }

  private static byte[] extended(int implicitTime, TargetPortGroupDescriptor... groups) {
    return new RtpgResponse(RtpgFormat.EXTENDED, implicitTime, List.of(groups)).encode();
  }

  private static byte[] lengthOnly(TargetPortGroupDescriptor... groups) {
    return new RtpgResponse(RtpgFormat.LENGTH_ONLY, 0, List.of(groups)).encode();
  }

  private static AluaCommandException sense(int key, int asc, int ascq) {
    return AluaCommandException.checkCondition(key, asc, ascq);
  }

  private static AluaPathInfo done(CompletableFuture<AluaPathInfo> f) throws Exception {
    assertTrue(f.isDone(), "check should have completed");
    return f.get();
  }

  private List<AluaState> changedStates() {
    List<AluaState> out = new ArrayList<>();
    for (AluaPathInfo[] c : changes) {
      out.add(c[1].aluaState());
    }
    return out;
  }

  @Test
  void attachReportsStatePreferenceAndPriority() throws Exception {
    commands.rtpg.add(extended(30,
        group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, true, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    AluaHandler h = handler(Tpgs.BOTH);
    AluaPathInfo info = done(h.attach());
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, info.aluaState());
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState());
    assertTrue(info.preferred());
    assertEquals(90, info.priority());
    assertEquals(Duration.ofSeconds(30), info.transitionTimeout());
    assertEquals(List.of("RTPG EXTENDED 256"), commands.log);
    assertEquals(1, changes.size());
    assertNull(changes.get(0)[0]);
    assertEquals(info, h.current().orElseThrow());
    assertTrue(h.extendedHeaderSupported());
  }

  @Test
  void extendedHeaderFallbackOnIllegalRequestIsRemembered() throws Exception {
    commands.rtpg.add(sense(0x5, 0x24, 0x00)); // ILLEGAL REQUEST, INVALID FIELD IN CDB
    commands.rtpg.add(lengthOnly(group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    AluaPathInfo info = done(h.attach());
    assertEquals(AccessState.OPTIMIZED, info.accessState());
    assertEquals(AluaHandler.DEFAULT_TRANSITION_TIMEOUT, info.transitionTimeout());
    assertEquals(List.of(RtpgFormat.EXTENDED, RtpgFormat.LENGTH_ONLY), commands.rtpgFormats);
    assertFalse(h.extendedHeaderSupported());

    commands.rtpg.add(lengthOnly(group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    done(h.recheck());
    assertEquals(
        List.of(RtpgFormat.EXTENDED, RtpgFormat.LENGTH_ONLY, RtpgFormat.LENGTH_ONLY),
        commands.rtpgFormats);
  }

  @Test
  void illegalRequestWithoutExtendedHeaderFailsTheCheck() {
    commands.rtpg.add(sense(0x5, 0x24, 0x00));
    commands.rtpg.add(sense(0x5, 0x20, 0x00));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    CompletableFuture<AluaPathInfo> f = h.attach();
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    AluaCommandException ce = assertInstanceOf(AluaCommandException.class, e.getCause());
    assertEquals(0x20, ce.asc());
    assertEquals(2, commands.count("RTPG"));
    assertTrue(h.current().isEmpty());
    assertTrue(changes.isEmpty());
  }

  @Test
  void stpgSentWhenExplicitAndNoGroupActiveOptimized() throws Exception {
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1),
        group(OTHER_GROUP, AluaState.STANDBY, false, 2)));
    commands.stpg.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1),
        group(OTHER_GROUP, AluaState.STANDBY, false, 2)));
    AluaPathInfo info = done(handler(Tpgs.EXPLICIT).attach());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, info.aluaState());
    assertEquals(List.of("RTPG EXTENDED 256", "STPG", "RTPG EXTENDED 256"), commands.log);
    assertArrayEquals(bytes(
        0x00, 0x00, 0x00, 0x00,  // reserved
        0x00,                    // ASYMMETRIC ACCESS STATE active/optimized
        0x00,                    // reserved
        0x00, 0x01),             // TARGET PORT GROUP 1
        commands.stpgParameterLists.get(0));
    // the intermediate active/non-optimized was not published
    assertEquals(List.of(AluaState.ACTIVE_OPTIMIZED), changedStates());
  }

  @Test
  void stpgNamesTheActiveNonOptimizedGroupWhenThisOneIsStandby() throws Exception {
    // the optimized group went standby (this one); the other group is active/non-optimized:
    // that one is made optimized, not this one back (as dm-multipath + scsi_dh_alua do)
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 2)));
    commands.stpg.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    AluaPathInfo info = done(handler(Tpgs.BOTH).attach());
    assertEquals(AluaState.STANDBY, info.aluaState());
    assertEquals(List.of("RTPG EXTENDED 256", "STPG", "RTPG EXTENDED 256"), commands.log);
    assertArrayEquals(bytes(
        0x00, 0x00, 0x00, 0x00,  // reserved
        0x00,                    // ASYMMETRIC ACCESS STATE active/optimized
        0x00,                    // reserved
        0x00, 0x02),             // TARGET PORT GROUP 2
        commands.stpgParameterLists.get(0));
  }

  @Test
  void stpgPrefersThisGroupAmongEquals() throws Exception {
    commands.rtpg.add(extended(0,
        group(OTHER_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, true, 2),
        group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1)));
    commands.stpg.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0,
        group(OTHER_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, true, 2),
        group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(handler(Tpgs.EXPLICIT).attach()).aluaState());
    assertEquals(MY_GROUP, commands.stpgParameterLists.get(0)[7]);
  }

  @Test
  void stpgAmongOtherGroupsPrefersPrefThenTheFirstReported() throws Exception {
    // this group cannot become active/optimized; of two standby groups the preferred one wins
    TargetPortGroupDescriptor mine = TargetPortGroupDescriptor.of(false, AluaState.STANDBY,
        SupportedStates.of(AluaState.STANDBY, AluaState.ACTIVE_NON_OPTIMIZED), MY_GROUP,
        PortGroupStatus.NO_STATUS, List.of(1));
    commands.rtpg.add(extended(0, mine,
        group(3, AluaState.STANDBY, false, 3),
        group(4, AluaState.STANDBY, true, 4),
        group(5, AluaState.UNAVAILABLE, true, 5)));
    commands.stpg.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0, mine,
        group(3, AluaState.STANDBY, false, 3),
        group(4, AluaState.ACTIVE_OPTIMIZED, true, 4)));
    assertEquals(AluaState.STANDBY, done(handler(Tpgs.EXPLICIT).attach()).aluaState());
    assertEquals(4, commands.stpgParameterLists.get(0)[7]);
  }

  @Test
  void activationAsksForThisGroupEvenWhenAnotherIsBetter() throws Exception {
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    AluaHandler h = handler(Tpgs.EXPLICIT);
    done(h.attach());
    assertEquals(0, commands.count("STPG"));
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    commands.stpg.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(h.activate()).aluaState());
    assertEquals(MY_GROUP, commands.stpgParameterLists.get(0)[7]);
  }

  @Test
  void stpgNotSentWhenOnlyImplicitSupported() throws Exception {
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 2)));
    AluaPathInfo info = done(handler(Tpgs.IMPLICIT).attach());
    assertEquals(AluaState.STANDBY, info.aluaState());
    assertEquals(0, commands.count("STPG"));
  }

  @Test
  void stpgNotSentWhenAnotherGroupIsActiveOptimized() throws Exception {
    commands.rtpg.add(extended(0,
        group(MY_GROUP, AluaState.STANDBY, false, 1),
        group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2)));
    AluaPathInfo info = done(handler(Tpgs.BOTH).attach());
    assertEquals(AccessState.STANDBY, info.accessState());
    assertEquals(List.of("RTPG EXTENDED 256"), commands.log);
  }

  @Test
  void refusedStpgKeepsTheReportedState() throws Exception {
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.UNAVAILABLE, false, 1)));
    commands.stpg.add(sense(0x5, 0x26, 0x00));
    AluaPathInfo info = done(handler(Tpgs.BOTH).attach());
    assertEquals(AluaState.UNAVAILABLE, info.aluaState());
    assertEquals(List.of("RTPG EXTENDED 256", "STPG"), commands.log);
  }

  @Test
  void stpgAtMostOncePerCheck() throws Exception {
    byte[] standby = extended(0, group(MY_GROUP, AluaState.STANDBY, false, 1));
    commands.rtpg.add(standby);
    commands.rtpg.add(standby); // target ignored the STPG
    commands.stpg.add(FakeCommands.GOOD);
    AluaPathInfo info = done(handler(Tpgs.EXPLICIT).attach());
    assertEquals(AluaState.STANDBY, info.aluaState());
    assertEquals(1, commands.count("STPG"));
  }

  @Test
  void transitioningIsPolledThenResolved() throws Exception {
    commands.rtpg.add(extended(30, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    AluaPathInfo info = done(h.attach());
    assertEquals(AccessState.TRANSITIONING, info.accessState());
    assertEquals(List.of("RTPG EXTENDED 256"), commands.log);

    scheduler.advance(Duration.ofMillis(1999));
    assertEquals(1, commands.log.size()); // nothing before 2 s

    commands.tur.add(sense(0x2, 0x04, 0x0A)); // still in transition
    scheduler.advance(Duration.ofMillis(1));
    assertEquals(List.of("RTPG EXTENDED 256", "TUR"), commands.log);
    assertEquals(AccessState.TRANSITIONING, h.current().orElseThrow().accessState());

    commands.tur.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(30, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(List.of("RTPG EXTENDED 256", "TUR", "TUR", "RTPG EXTENDED 256"), commands.log);
    assertEquals(AccessState.OPTIMIZED, h.current().orElseThrow().accessState());
    assertEquals(List.of(AluaState.TRANSITIONING, AluaState.ACTIVE_OPTIMIZED), changedStates());

    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(4, commands.log.size()); // polling stopped
    assertEquals(0, scheduler.pending());
  }

  @Test
  void transitioningPastImplicitTransitionTimeBecomesStandby() throws Exception {
    commands.rtpgDefault = extended(10, group(MY_GROUP, AluaState.TRANSITIONING, true, 1));
    commands.turDefault = FakeCommands.GOOD; // ready, so every poll reads RTPG again
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    scheduler.advance(Duration.ofSeconds(8));
    assertEquals(AccessState.TRANSITIONING, h.current().orElseThrow().accessState());
    assertEquals(5, commands.count("RTPG")); // attach + polls at 2, 4, 6, 8 s
    assertEquals(4, commands.count("TUR"));

    scheduler.advance(Duration.ofSeconds(2)); // 10 s: IMPLICIT TRANSITION TIME reached
    AluaPathInfo info = h.current().orElseThrow();
    assertEquals(AccessState.STANDBY, info.accessState());
    assertTrue(info.transitionTimedOut());
    assertEquals(81, info.priority()); // standby + preferred
    assertEquals(List.of(AluaState.TRANSITIONING, AluaState.STANDBY), changedStates());

    int sent = commands.log.size();
    scheduler.advance(Duration.ofSeconds(120));
    assertEquals(sent, commands.log.size());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void aTransitionThatEndsBeforeTheDeadlinePollIsNotTakenForStandby() throws Exception {
    // IMPLICIT TRANSITION TIME 1 s is shorter than the 2 s poll: the one poll lands on the
    // deadline and must ask the target before giving up on the path
    commands.rtpg.add(extended(1, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    commands.tur.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(1, group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1)));
    scheduler.advance(Duration.ofSeconds(1));
    AluaPathInfo info = h.current().orElseThrow();
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState());
    assertTrue(!info.transitionTimedOut());
    assertEquals(List.of("RTPG EXTENDED 256", "TUR", "RTPG EXTENDED 256"), commands.log);
  }

  @Test
  void transitionTimeoutDefaultsToSixtySeconds() throws Exception {
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    commands.turDefault = sense(0x2, 0x04, 0x0A);
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    scheduler.advance(Duration.ofSeconds(58));
    assertEquals(AccessState.TRANSITIONING, h.current().orElseThrow().accessState());
    assertEquals(29, commands.count("TUR"));
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(AccessState.STANDBY, h.current().orElseThrow().accessState());
    assertEquals(1, commands.count("RTPG"));
  }

  @Test
  void notReadyTransitionOnRtpgStartsPolling() throws Exception {
    commands.rtpg.add(sense(0x2, 0x04, 0x0A));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    assertEquals(AccessState.TRANSITIONING, done(h.attach()).accessState());
    commands.tur.add(FakeCommands.GOOD);
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1)));
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(AccessState.NON_OPTIMIZED, h.current().orElseThrow().accessState());
  }

  @Test
  void recheckOnAsymmetricAccessStateChanged() throws Exception {
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());

    assertFalse(h.onSense(0x6, 0x2A, 0x01)); // MODE PARAMETERS CHANGED: not ALUA
    assertEquals(1, commands.count("RTPG"));

    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1)));
    assertTrue(h.onSense(0x6, 0x2A, 0x06));
    assertEquals(2, commands.count("RTPG"));
    assertEquals(AccessState.NON_OPTIMIZED, h.current().orElseThrow().accessState());
    assertEquals(List.of(AluaState.ACTIVE_OPTIMIZED, AluaState.ACTIVE_NON_OPTIMIZED),
        changedStates());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, changes.get(1)[0].aluaState());
  }

  @Test
  void otherRecheckTriggers() throws Exception {
    commands.rtpgDefault = extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    int[][] triggers = {{6, 0x2A, 0x07}, {6, 0x29, 0x00}, {6, 0x3F, 0x03}, {6, 0x3F, 0x0E},
        {2, 0x04, 0x0A}};
    for (int[] t : triggers) {
      assertTrue(h.onSense(t[0], t[1], t[2]));
    }
    assertEquals(1 + triggers.length, commands.count("RTPG"));
    assertEquals(1, changes.size()); // nothing changed, nothing reported
  }

  @Test
  void unitAttentionOnRtpgIsRetried() throws Exception {
    commands.rtpg.add(sense(0x6, 0x29, 0x00));
    commands.rtpg.add(sense(0x6, 0x2A, 0x06));
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(handler(Tpgs.IMPLICIT).attach()).aluaState());
    assertEquals(3, commands.count("RTPG"));
    assertTrue(commands.rtpgFormats.stream().allMatch(f -> f == RtpgFormat.EXTENDED));
  }

  @Test
  void unitAttentionRetriesAreBounded() {
    commands.rtpgDefault = sense(0x6, 0x29, 0x00);
    CompletableFuture<AluaPathInfo> f = handler(Tpgs.IMPLICIT).attach();
    assertThrows(ExecutionException.class, f::get);
    assertEquals(1 + AluaHandler.MAX_UNIT_ATTENTION_RETRIES, commands.count("RTPG"));
  }

  @Test
  void truncatedDataIsReadAgainWithTheFullLength() throws Exception {
    Integer[] ports = new Integer[70];
    for (int i = 0; i < ports.length; i++) {
      ports[i] = i + 1;
    }
    TargetPortGroupDescriptor big = TargetPortGroupDescriptor.of(false,
        AluaState.ACTIVE_OPTIMIZED, SupportedStates.DEFAULT, MY_GROUP, PortGroupStatus.NO_STATUS,
        List.of(ports));
    commands.rtpgDefault = extended(0, big); // 8 + 8 + 280 = 296 bytes
    AluaHandler h = handler(Tpgs.IMPLICIT);
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(h.attach()).aluaState());
    assertEquals(List.of(256, 296), commands.rtpgAllocations);
    done(h.recheck()); // the larger allocation length is kept
    assertEquals(List.of(256, 296, 296), commands.rtpgAllocations);
  }

  @Test
  void hugeReturnDataLengthEndsAssumedWithoutAllocating() throws Exception {
    commands.rtpgDefault = bytes(0x7F, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0);
    AluaPathInfo info = done(handler(Tpgs.IMPLICIT).attach());
    assertTrue(info.stateAssumed());
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState());
    // the extended answer, then the length-only one, each once with the first length
    assertEquals(List.of("RTPG EXTENDED 256", "RTPG LENGTH_ONLY 256"), commands.log);
  }

  // ---- Linux LIO: RETURN DATA LENGTH leaves out the extended header's bytes 4-7, so the
  // answer ends inside the last descriptor (RtpgResponseTest has the bytes).

  private AluaHandler handlerFor(int group, Tpgs tpgs) {
    return new AluaHandler("sdb:" + group, commands, scheduler, tpgs, group,
        (prev, now) -> changes.add(new AluaPathInfo[] {prev, now}));
  }

  @Test
  void lioExtendedAnswerServesBothGroups() throws Exception {
    commands.rtpgDefault = RtpgResponseTest.LIO_EXTENDED;
    AluaPathInfo a = done(handlerFor(0, Tpgs.BOTH).attach());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, a.aluaState());
    AluaHandler hb = handlerFor(2, Tpgs.BOTH);
    AluaPathInfo b = done(hb.attach());
    // group 2 is the descriptor cut short: its state is read all the same
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, b.aluaState());
    assertFalse(b.stateAssumed());
    assertEquals(SupportedStates.fromMask(0xCF), b.supportedStates());
    assertEquals(AluaHandler.DEFAULT_TRANSITION_TIMEOUT, b.transitionTimeout()); // time 0
    assertEquals(List.of("RTPG EXTENDED 256", "RTPG EXTENDED 256"), commands.log);
    assertTrue(hb.extendedHeaderSupported());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void lioStandbyGroupShortInTheAnswerIsStillSeen() throws Exception {
    byte[] data = RtpgResponseTest.LIO_EXTENDED.clone();
    data[8] = 0x01;      // group 0 active/non-optimized
    data[8 + 12] = 0x02; // group 2 (the cut descriptor) standby
    commands.rtpg.add(data);
    AluaPathInfo b = done(handlerFor(2, Tpgs.IMPLICIT).attach());
    assertEquals(AluaState.STANDBY, b.aluaState());
  }

  @Test
  void lioLengthOnlyAnswer() throws Exception {
    commands.rtpgDefault = RtpgResponseTest.LIO_LENGTH_ONLY;
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED,
        done(handlerFor(2, Tpgs.BOTH).attach()).aluaState());
  }

  // ---- unusable answers end in a usable state, never in TRANSITIONING

  private static byte[] reservedState(byte[] data, int offset) {
    byte[] bad = data.clone();
    bad[offset] = 0x07; // reserved ASYMMETRIC ACCESS STATE
    return bad;
  }

  @Test
  void unusableExtendedAnswerIsAskedAgainInTheLengthOnlyFormatAndThatIsKept() throws Exception {
    commands.rtpg.add(reservedState(
        extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)), 8));
    commands.rtpgDefault = lengthOnly(group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    AluaPathInfo info = done(h.attach());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, info.aluaState());
    assertFalse(info.stateAssumed());
    assertFalse(h.extendedHeaderSupported());
    done(h.recheck());
    assertEquals(List.of(RtpgFormat.EXTENDED, RtpgFormat.LENGTH_ONLY, RtpgFormat.LENGTH_ONLY),
        commands.rtpgFormats);
  }

  @Test
  void unusableAnswersAssumeActiveNonOptimizedAndAreReadAgainABoundedNumberOfTimes()
      throws Exception {
    commands.rtpgDefault = reservedState(
        extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)), 8);
    AluaHandler h = handler(Tpgs.BOTH);
    AluaPathInfo info = done(h.attach());
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, info.aluaState());
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState()); // usable
    assertTrue(info.stateAssumed());
    assertFalse(info.preferred());
    assertEquals(AluaPriority.ACTIVE_NON_OPTIMIZED, info.priority());
    assertEquals(2, commands.count("RTPG")); // extended, then length-only
    assertTrue(h.extendedHeaderSupported()); // the length-only answer was no better

    for (int i = 1; i <= AluaHandler.MAX_UNUSABLE_REREADS; i++) {
      scheduler.advance(AluaHandler.TRANSITION_POLL_INTERVAL);
      assertEquals(2 + 2 * i, commands.count("RTPG"), "re-read " + i);
      assertEquals(AccessState.NON_OPTIMIZED, h.current().orElseThrow().accessState());
    }
    scheduler.advance(Duration.ofMinutes(10));
    assertEquals(2 + 2 * AluaHandler.MAX_UNUSABLE_REREADS, commands.count("RTPG"));
    assertEquals(0, scheduler.pending());
    assertEquals(0, commands.count("STPG"));
    assertEquals(0, commands.count("TUR"));
    assertEquals(1, changes.size()); // one change: unknown -> assumed

    // the next event reads again; a usable answer replaces the assumption
    commands.rtpg.add(extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    assertTrue(h.onSense(0x6, 0x2A, 0x06));
    AluaPathInfo now = h.current().orElseThrow();
    assertEquals(AluaState.ACTIVE_OPTIMIZED, now.aluaState());
    assertFalse(now.stateAssumed());
    assertEquals(2, changes.size());
  }

  @Test
  void aRereadThatSucceedsEndsTheAssumption() throws Exception {
    byte[] bad = reservedState(
        extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)), 8);
    commands.rtpg.add(bad);
    commands.rtpg.add(bad);
    commands.rtpgDefault = extended(0, group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, true, 1));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    assertTrue(done(h.attach()).stateAssumed());
    scheduler.advance(AluaHandler.TRANSITION_POLL_INTERVAL);
    AluaPathInfo info = h.current().orElseThrow();
    assertFalse(info.stateAssumed());
    assertTrue(info.preferred());
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, info.aluaState());
    assertEquals(0, scheduler.pending());
    assertEquals(3, commands.count("RTPG"));
  }

  @Test
  void missingGroupIsUnusableToo() throws Exception {
    commands.rtpgDefault = extended(0, group(OTHER_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 2));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    AluaPathInfo info = done(h.attach());
    assertTrue(info.stateAssumed());
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState());
    assertEquals(List.of(RtpgFormat.EXTENDED, RtpgFormat.LENGTH_ONLY), commands.rtpgFormats);
  }

  @Test
  void unusableAnswerDuringATransitionEndsItUsable() throws Exception {
    commands.rtpg.add(extended(30, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    assertEquals(AccessState.TRANSITIONING, done(h.attach()).accessState());
    commands.tur.add(FakeCommands.GOOD);
    commands.rtpgDefault = bytes(0x00, 0x00, 0x00, 0x02, 0x10, 0x00); // extended header cut
    scheduler.advance(AluaHandler.TRANSITION_POLL_INTERVAL);
    AluaPathInfo info = h.current().orElseThrow();
    assertEquals(AccessState.NON_OPTIMIZED, info.accessState());
    assertTrue(info.stateAssumed());
    scheduler.advance(Duration.ofMinutes(5));
    assertEquals(AccessState.NON_OPTIMIZED, h.current().orElseThrow().accessState());
    assertEquals(1, commands.count("TUR")); // re-reads are RTPG only, not transition polls
    assertEquals(0, scheduler.pending());
  }

  @Test
  void requestsDuringACheckCoalesceIntoOneMore() throws Exception {
    CompletableFuture<byte[]> slow = new CompletableFuture<>();
    List<String> log = new ArrayList<>();
    AluaCommands manual = new AluaCommands() {
      @Override
      public CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat f, int alloc) {
        log.add("RTPG");
        return log.size() == 1 ? slow : CompletableFuture.completedFuture(
            extended(0, group(MY_GROUP, AluaState.ACTIVE_NON_OPTIMIZED, false, 1)));
      }

      @Override
      public CompletableFuture<Void> setTargetPortGroups(byte[] p) {
        throw new AssertionError();
      }

      @Override
      public CompletableFuture<Void> testUnitReady() {
        throw new AssertionError();
      }
    };
    AluaHandler h = new AluaHandler("sdb:1", manual, scheduler, Tpgs.IMPLICIT, MY_GROUP,
        (p, n) -> { });
    CompletableFuture<AluaPathInfo> first = h.attach();
    CompletableFuture<AluaPathInfo> second = h.recheck();
    assertTrue(h.onSense(0x6, 0x2A, 0x06));
    CompletableFuture<AluaPathInfo> third = h.recheck();
    assertEquals(1, log.size());
    assertFalse(first.isDone());

    slow.complete(extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1)));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(first).aluaState());
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, done(second).aluaState());
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, done(third).aluaState());
    assertEquals(2, log.size());
  }

  @Test
  void recheckDuringTransitionReplacesThePoll() throws Exception {
    commands.rtpg.add(extended(20, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    scheduler.advance(Duration.ofSeconds(1));
    commands.rtpg.add(extended(20, group(MY_GROUP, AluaState.STANDBY, false, 1)));
    assertTrue(h.onSense(0x6, 0x2A, 0x06));
    assertEquals(AluaState.STANDBY, h.current().orElseThrow().aluaState());
    assertFalse(h.current().orElseThrow().transitionTimedOut());
    scheduler.advance(Duration.ofSeconds(30));
    assertEquals(0, commands.count("TUR")); // the poll was cancelled
  }

  @Test
  void closeStopsPollingAndFailsLaterChecks() throws Exception {
    commands.rtpg.add(extended(20, group(MY_GROUP, AluaState.TRANSITIONING, false, 1)));
    AluaHandler h = handler(Tpgs.IMPLICIT);
    done(h.attach());
    h.close();
    scheduler.advance(Duration.ofSeconds(30));
    assertEquals(1, commands.log.size());
    CompletableFuture<AluaPathInfo> later = h.recheck();
    assertTrue(later.isCompletedExceptionally());
    assertThrows(CancellationException.class, later::get); // get() rethrows cancellation as is
  }

  @Test
  void listenerFailureDoesNotBreakTheHandler() throws Exception {
    commands.rtpgDefault = extended(0, group(MY_GROUP, AluaState.ACTIVE_OPTIMIZED, false, 1));
    AluaHandler h = new AluaHandler("sdc:0", commands, scheduler, Tpgs.IMPLICIT, MY_GROUP,
        (p, n) -> {
          throw new IllegalStateException("listener bug");
        });
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(h.attach()).aluaState());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, done(h.recheck()).aluaState());
  }

  @Test
  void synchronousCommandFailureFailsTheCheck() {
    AluaCommands throwing = new AluaCommands() {
      @Override
      public CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat f, int alloc) {
        throw new IllegalStateException("transport down");
      }

      @Override
      public CompletableFuture<Void> setTargetPortGroups(byte[] p) {
        throw new AssertionError();
      }

      @Override
      public CompletableFuture<Void> testUnitReady() {
        throw new AssertionError();
      }
    };
    AluaHandler h = new AluaHandler("sdd:0", throwing, scheduler, Tpgs.IMPLICIT, MY_GROUP,
        (p, n) -> { });
    ExecutionException e = assertThrows(ExecutionException.class, h.attach()::get);
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void noAluaMeansNoHandler() {
    assertThrows(IllegalArgumentException.class, () -> handler(Tpgs.NONE));
  }
}
