package dev.mpath.alua;

import dev.mpath.testing.ManualScheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The host handler talking to the target model through a loop of real encodings: RTPG data
 * from the model, STPG lists decoded by the model, TEST UNIT READY answering NOT READY 04h/0Ah
 * while the port's group is transitioning, and unit attentions 2Ah/06h raised from the model's
 * listener.
 */
class HandlerAgainstModelTest {
  private final ManualScheduler scheduler = new ManualScheduler();

  /** One I_T nexus to the emulated LU, through relative target port {@code port}. */
  private static final class Loop implements AluaCommands {
    final PortGroupSet model;
    final int port;
    final List<String> log = new ArrayList<>();

    Loop(PortGroupSet model, int port) {
      this.model = model;
      this.port = port;
    }

    @Override
    public CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat format, int alloc) {
      log.add("RTPG");
      return CompletableFuture.completedFuture(model.reportTargetPortGroups(format, alloc));
    }

    @Override
    public CompletableFuture<Void> setTargetPortGroups(byte[] parameterList) {
      log.add("STPG");
      try {
        model.setTargetPortGroups(parameterList, parameterList.length, this);
        return CompletableFuture.completedFuture(null);
      } catch (StpgRejectedException e) {
        return CompletableFuture.failedFuture(AluaCommandException.checkCondition(
            e.senseKey(), e.additionalSenseCode(), e.additionalSenseCodeQualifier()));
      }
    }

    @Override
    public CompletableFuture<Void> testUnitReady() {
      log.add("TUR");
      if (model.stateOfPort(port) == AluaState.TRANSITIONING) {
        return CompletableFuture.failedFuture(AluaCommandException.checkCondition(
            AluaSense.NOT_READY, AluaSense.ASC_LOGICAL_UNIT_NOT_READY,
            AluaSense.ASCQ_ASYMMETRIC_ACCESS_STATE_TRANSITION));
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void implicitFailoverSeenThroughUnitAttention() throws Exception {
    PortGroupSet model = PortGroupSet.builder(scheduler)
        .tpgs(Tpgs.IMPLICIT)
        .implicitTransitionTime(Duration.ofSeconds(5))
        .addGroup(TargetPortGroup.of(10, AluaState.ACTIVE_OPTIMIZED, 1))
        .addGroup(TargetPortGroup.of(20, AluaState.ACTIVE_NON_OPTIMIZED, 2))
        .build();
    Loop nexusA = new Loop(model, 1);
    List<AccessState> seenA = new ArrayList<>();
    AluaHandler a = new AluaHandler("sda:0", nexusA, scheduler, Tpgs.IMPLICIT, 10,
        (p, n) -> seenA.add(n.accessState()));
    // the emulator raises 2A/06 on every I_T nexus; the provider hands the sense to the handler
    model.addListener(change -> a.onSense(AluaSense.UNIT_ATTENTION,
        AluaSense.ASC_PARAMETERS_CHANGED, AluaSense.ASCQ_ASYMMETRIC_ACCESS_STATE_CHANGED));

    assertEquals(AccessState.OPTIMIZED, a.attach().get().accessState());
    model.transition(10, AluaState.STANDBY);
    assertEquals(AccessState.TRANSITIONING, a.current().orElseThrow().accessState());
    scheduler.advance(Duration.ofSeconds(4));
    assertEquals(AccessState.TRANSITIONING, a.current().orElseThrow().accessState());
    scheduler.advance(Duration.ofSeconds(1)); // the model completes the transition; UA -> recheck
    assertEquals(AccessState.STANDBY, a.current().orElseThrow().accessState());
    assertEquals(List.of(AccessState.OPTIMIZED, AccessState.TRANSITIONING, AccessState.STANDBY),
        seenA);
    assertTrue(nexusA.log.contains("TUR"));
    assertEquals(5, a.current().orElseThrow().transitionTimeout().toSeconds());
  }

  @Test
  void explicitActivationThroughStpg() throws Exception {
    PortGroupSet model = PortGroupSet.builder(scheduler)
        .tpgs(Tpgs.EXPLICIT)
        .addGroup(TargetPortGroup.of(1, AluaState.STANDBY, 1))
        .addGroup(TargetPortGroup.of(2, AluaState.STANDBY, 2))
        .build();
    List<PortGroupChange> changes = new ArrayList<>();
    model.addListener(changes::add);
    Loop nexus = new Loop(model, 2);
    AluaHandler h = new AluaHandler("sdb:1", nexus, scheduler, Tpgs.EXPLICIT, 2, (p, n) -> { });
    AluaPathInfo info = h.attach().get();
    assertEquals(AccessState.OPTIMIZED, info.accessState());
    assertEquals(List.of("RTPG", "STPG", "RTPG"), nexus.log);
    assertEquals(AluaState.ACTIVE_OPTIMIZED, model.stateOfPort(2));
    assertEquals(AluaState.STANDBY, model.stateOfPort(1));
    assertEquals(1, changes.size());
    assertEquals(nexus, changes.get(0).requester());
  }
}
