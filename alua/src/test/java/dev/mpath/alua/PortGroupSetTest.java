package dev.mpath.alua;

import dev.mpath.testing.ManualScheduler;
import static dev.mpath.alua.TestBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PortGroupSetTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<PortGroupChange> events = new ArrayList<>();
  private PortGroupSet model;

  @BeforeEach
  void setUp() {
    model = PortGroupSet.builder(scheduler)
        .tpgs(Tpgs.BOTH)
        .implicitTransitionTime(Duration.ofMillis(1500))
        .addGroup(TargetPortGroup.of(1, AluaState.ACTIVE_OPTIMIZED, 1, 2).withPreferred(true))
        .addGroup(new TargetPortGroup(2, List.of(3), SupportedStates.of(AluaState.ACTIVE_OPTIMIZED,
            AluaState.ACTIVE_NON_OPTIMIZED, AluaState.TRANSITIONING), false,
            AluaState.ACTIVE_NON_OPTIMIZED, PortGroupStatus.NO_STATUS))
        .build();
    model.addListener(events::add);
  }

  @Test
  void stateLookupByRelativePort() {
    assertEquals(AluaState.ACTIVE_OPTIMIZED, model.stateOfPort(1));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, model.stateOfPort(2));
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, model.stateOfPort(3));
    assertEquals(2, model.groupOfPort(3).orElseThrow().id());
    assertTrue(model.groupOfPort(9).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> model.stateOfPort(9));
  }

  @Test
  void rtpgDataInBothFormats() {
    byte[] groups = bytes(
        // group 1
        0x80,             // PREF | AO
        0xCF,             // T O U S AN AO supported
        0x00, 0x01,       // TARGET PORT GROUP 1
        0x00, 0x00, 0x00, // reserved, STATUS CODE 0, vendor specific
        0x02,             // TARGET PORT COUNT 2
        0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x02,
        // group 2
        0x01,             // AN
        0x83,             // T_SUP | AN_SUP | AO_SUP
        0x00, 0x02,       // TARGET PORT GROUP 2
        0x00, 0x00, 0x00,
        0x01,             // TARGET PORT COUNT 1
        0x00, 0x00, 0x00, 0x03);
    byte[] lengthOnly = TestBytes.concat(bytes(0, 0, 0, 28), groups);
    byte[] extended = TestBytes.concat(
        bytes(0, 0, 0, 32, // RETURN DATA LENGTH
            0x10,          // FORMAT TYPE 001b
            0x02,          // IMPLICIT TRANSITION TIME: 1.5 s rounded up to 2
            0, 0), groups);
    assertArrayEquals(lengthOnly, model.reportTargetPortGroups(RtpgFormat.LENGTH_ONLY, 4096));
    assertArrayEquals(extended, model.reportTargetPortGroups(RtpgFormat.EXTENDED, 4096));
  }

  @Test
  void rtpgDataIsTruncatedToAllocationLength() {
    byte[] cut = model.reportTargetPortGroups(RtpgFormat.EXTENDED, 10);
    assertEquals(10, cut.length);
    assertEquals(32, cut[3]); // RETURN DATA LENGTH still the full length
    IncompleteDataException e =
        assertThrows(IncompleteDataException.class, () -> RtpgResponse.decode(cut));
    assertEquals(36, e.requiredLength());
  }

  @Test
  void implicitTransitionPassesThroughTransitioning() {
    model.transition(1, AluaState.STANDBY);
    assertEquals(AluaState.TRANSITIONING, model.stateOfPort(1));
    assertTrue(model.isTransitionPending(1));
    assertEquals(1, events.size());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, events.get(0).before().state());
    assertEquals(AluaState.TRANSITIONING, events.get(0).after().state());
    assertEquals(PortGroupChange.Cause.IMPLICIT, events.get(0).cause());
    assertEquals(PortGroupStatus.ALTERED_BY_IMPLICIT, events.get(0).after().status());

    scheduler.advance(Duration.ofMillis(1499));
    assertEquals(AluaState.TRANSITIONING, model.stateOfPort(2));
    assertEquals(1, events.size());

    scheduler.advance(Duration.ofMillis(1));
    assertEquals(AluaState.STANDBY, model.stateOfPort(2));
    assertFalse(model.isTransitionPending(1));
    assertEquals(2, events.size());
    assertEquals(AluaState.TRANSITIONING, events.get(1).before().state());
    assertEquals(AluaState.STANDBY, events.get(1).after().state());
    assertEquals(1, events.get(1).groupId());
    RtpgResponse r = model.report(RtpgFormat.EXTENDED);
    assertEquals(PortGroupStatus.ALTERED_BY_IMPLICIT, r.group(1).orElseThrow().status());
  }

  @Test
  void reportedStateDuringTransitionIsTransitioning() {
    model.transition(2, AluaState.ACTIVE_OPTIMIZED, Duration.ofSeconds(5));
    RtpgResponse r = RtpgResponse.decode(model.reportTargetPortGroups(RtpgFormat.EXTENDED, 512));
    assertEquals(AluaState.TRANSITIONING, r.group(2).orElseThrow().state());
    scheduler.advance(Duration.ofSeconds(5));
    r = RtpgResponse.decode(model.reportTargetPortGroups(RtpgFormat.EXTENDED, 512));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, r.group(2).orElseThrow().state());
  }

  @Test
  void newTransitionSupersedesPendingOne() {
    model.transition(1, AluaState.STANDBY, Duration.ofSeconds(5));
    scheduler.advance(Duration.ofSeconds(3));
    model.transition(1, AluaState.UNAVAILABLE, Duration.ofSeconds(5));
    assertEquals(1, events.size()); // still transitioning: no T -> T event
    scheduler.advance(Duration.ofSeconds(3));    // the first timer would have fired here
    assertEquals(AluaState.TRANSITIONING, model.stateOfPort(1));
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(AluaState.UNAVAILABLE, model.stateOfPort(1));
    assertEquals(2, events.size());
  }

  @Test
  void zeroTimeOrNoTransitioningSupportIsImmediate() {
    model.transition(1, AluaState.STANDBY, Duration.ZERO);
    assertEquals(AluaState.STANDBY, model.stateOfPort(1));
    assertEquals(1, events.size());

    PortGroupSet noT = PortGroupSet.builder(scheduler)
        .implicitTransitionTime(Duration.ofSeconds(10))
        .addGroup(new TargetPortGroup(7, List.of(1),
            SupportedStates.of(AluaState.ACTIVE_OPTIMIZED, AluaState.STANDBY), false,
            AluaState.ACTIVE_OPTIMIZED, PortGroupStatus.NO_STATUS))
        .build();
    noT.transition(7, AluaState.STANDBY);
    assertEquals(AluaState.STANDBY, noT.stateOfPort(1));
    assertFalse(noT.isTransitionPending(7));
  }

  @Test
  void transitionToCurrentStateIsNoOp() {
    model.transition(1, AluaState.ACTIVE_OPTIMIZED);
    assertTrue(events.isEmpty());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void transitionArgumentsChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> model.transition(9, AluaState.STANDBY));
    assertThrows(IllegalArgumentException.class,
        () -> model.transition(1, AluaState.TRANSITIONING));
    assertThrows(IllegalArgumentException.class,
        () -> model.transition(2, AluaState.STANDBY)); // group 2 does not support S
  }

  @Test
  void stpgAppliesExplicitChanges() {
    Object nexus = new Object();
    byte[] list = bytes(0, 0, 0, 0,
        0x02, 0x00, 0x00, 0x01,  // group 1 -> standby
        0x00, 0x00, 0x00, 0x02); // group 2 -> active/optimized
    List<PortGroupChange> changes = model.setTargetPortGroups(list, list.length, nexus);
    assertEquals(2, changes.size());
    assertEquals(changes, events);
    assertEquals(AluaState.STANDBY, model.stateOfPort(1));
    assertEquals(AluaState.ACTIVE_OPTIMIZED, model.stateOfPort(3));
    for (PortGroupChange c : events) {
      assertEquals(PortGroupChange.Cause.EXPLICIT, c.cause());
      assertSame(nexus, c.requester());
      assertEquals(PortGroupStatus.ALTERED_BY_STPG, c.after().status());
    }
    // no implicit passage through transitioning for explicit changes
    assertEquals(0, scheduler.pending());
  }

  @Test
  void stpgToCurrentStateOrEmptyListChangesNothing() {
    byte[] same = bytes(0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01);
    assertTrue(model.setTargetPortGroups(same, same.length, null).isEmpty());
    assertTrue(model.setTargetPortGroups(new byte[0], 0, null).isEmpty());
    assertTrue(events.isEmpty());
  }

  @Test
  void stpgCancelsPendingImplicitTransition() {
    model.transition(1, AluaState.STANDBY, Duration.ofSeconds(5));
    byte[] list = bytes(0, 0, 0, 0, 0x01, 0x00, 0x00, 0x01); // group 1 -> AN
    model.setTargetPortGroups(list, list.length, null);
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, model.stateOfPort(1));
    assertEquals(2, events.size()); // AO -> T, T -> AN; the timer did not fire
  }

  @Test
  void stpgRejectsUnsupportedState() {
    byte[] l = bytes(0, 0, 0, 0,
        0x01, 0x00, 0x00, 0x01,  // valid: group 1 -> AN
        0x02, 0x00, 0x00, 0x02); // group 2 does not support standby
    StpgRejectedException e = assertThrows(StpgRejectedException.class,
        () -> model.setTargetPortGroups(l, l.length, null));
    assertEquals(StpgRejectedException.Reason.UNSUPPORTED_STATE, e.reason());
    assertEquals(0x5, e.senseKey());
    assertEquals(0x26, e.additionalSenseCode()); // INVALID FIELD IN PARAMETER LIST
    assertEquals(0x00, e.additionalSenseCodeQualifier());
    assertEquals(8, e.fieldOffset());
    assertFalse(e.inCdb());
    // atomic: the valid first descriptor was not applied
    assertEquals(AluaState.ACTIVE_OPTIMIZED, model.stateOfPort(1));
    assertTrue(events.isEmpty());
  }

  @Test
  void stpgRejectsUnknownGroup() {
    byte[] list = bytes(0, 0, 0, 0, 0x00, 0x00, 0x00, 0x09);
    StpgRejectedException e = assertThrows(StpgRejectedException.class,
        () -> model.setTargetPortGroups(list, list.length, null));
    assertEquals(StpgRejectedException.Reason.UNKNOWN_GROUP, e.reason());
    assertEquals(0x26, e.additionalSenseCode());
    assertEquals(6, e.fieldOffset());
    assertTrue(e.getMessage().contains("9"), e.getMessage());
  }

  @Test
  void stpgRejectsTransitioningReservedAndDuplicate() {
    byte[] t = bytes(0, 0, 0, 0, 0x0F, 0x00, 0x00, 0x01);
    assertEquals(StpgRejectedException.Reason.INVALID_STATE, assertThrows(
        StpgRejectedException.class, () -> model.setTargetPortGroups(t, t.length, null)).reason());
    byte[] reserved = bytes(0, 0, 0, 0, 0x06, 0x00, 0x00, 0x01);
    StpgRejectedException e = assertThrows(StpgRejectedException.class,
        () -> model.setTargetPortGroups(reserved, reserved.length, null));
    assertEquals(StpgRejectedException.Reason.INVALID_STATE, e.reason());
    assertEquals(4, e.fieldOffset());
    byte[] dup = bytes(0, 0, 0, 0, 0x01, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x01);
    assertEquals(StpgRejectedException.Reason.DUPLICATE_GROUP, assertThrows(
        StpgRejectedException.class, () -> model.setTargetPortGroups(dup, dup.length, null))
        .reason());
    assertTrue(events.isEmpty());
  }

  @Test
  void stpgRejectsBadLength() {
    byte[] list = bytes(0, 0, 0, 0, 0x00, 0x00);
    StpgRejectedException e = assertThrows(StpgRejectedException.class,
        () -> model.setTargetPortGroups(list, list.length, null));
    assertEquals(StpgRejectedException.Reason.PARAMETER_LIST_LENGTH, e.reason());
    assertEquals(0x1A, e.additionalSenseCode());
  }

  @Test
  void stpgRejectedWhenOnlyImplicitSupported() {
    PortGroupSet implicitOnly = PortGroupSet.builder(scheduler).tpgs(Tpgs.IMPLICIT)
        .addGroup(TargetPortGroup.of(1, AluaState.STANDBY, 1)).build();
    byte[] list = bytes(0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01);
    StpgRejectedException e = assertThrows(StpgRejectedException.class,
        () -> implicitOnly.setTargetPortGroups(list, list.length, null));
    assertEquals(StpgRejectedException.Reason.EXPLICIT_NOT_SUPPORTED, e.reason());
    assertTrue(e.inCdb());
    assertEquals(0x24, e.additionalSenseCode());
    assertEquals(AluaState.STANDBY, implicitOnly.stateOfPort(1));
  }

  @Test
  void listenerMayCallBackIntoModel() {
    List<AluaState> seen = new ArrayList<>();
    model.addListener(c -> seen.add(model.stateOfPort(1)));
    model.transition(1, AluaState.STANDBY, Duration.ZERO);
    assertEquals(List.of(AluaState.STANDBY), seen);
  }

  @Test
  void builderValidates() {
    assertThrows(IllegalArgumentException.class, () -> PortGroupSet.builder(scheduler).build());
    assertThrows(IllegalArgumentException.class, () -> PortGroupSet.builder(scheduler)
        .addGroup(TargetPortGroup.of(1, AluaState.ACTIVE_OPTIMIZED, 1))
        .addGroup(TargetPortGroup.of(2, AluaState.STANDBY, 1)).build());
    assertThrows(IllegalArgumentException.class, () -> PortGroupSet.builder(scheduler)
        .addGroup(TargetPortGroup.of(1, AluaState.ACTIVE_OPTIMIZED, 1))
        .addGroup(TargetPortGroup.of(1, AluaState.STANDBY, 2)).build());
    assertThrows(IllegalArgumentException.class, () -> PortGroupSet.builder(scheduler).tpgs(Tpgs.NONE));
    assertThrows(IllegalArgumentException.class,
        () -> TargetPortGroup.of(1, AluaState.LOGICAL_BLOCK_DEPENDENT, 1)); // not in DEFAULT
    assertThrows(IllegalArgumentException.class, () -> TargetPortGroup.of(1, AluaState.STANDBY, 0));
    assertThrows(IllegalArgumentException.class,
        () -> TargetPortGroup.of(1, AluaState.STANDBY, 4, 4));
  }
}
