package dev.mpath.scsi.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.alua.AluaState;
import dev.mpath.alua.SupportedStates;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.testing.ManualScheduler;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A target driven by a {@link ManualScheduler}: every logical unit task and timer runs from
 * {@code sched.runDue()} / {@code sched.advance()}, on the test thread, so tests are exact.
 */
final class Rig implements AutoCloseable {
  static final String NAME = "iqn.2024-01.dev.mpath:lu1";
  static final String HOST_A = "iqn.1994-05.com.example:host-a,i,0x00023d000001";
  static final String HOST_B = "iqn.1994-05.com.example:host-b,i,0x00023d000002";
  static final int BLOCKS = 1024;
  static final int BS = 512;

  final ManualScheduler sched = new ManualScheduler();
  final ScsiTarget target;

  /** Group 1 (port 1) active/optimized and preferred, group 2 (port 2) active/non-optimized. */
  Rig() {
    this(b -> { });
  }

  Rig(Consumer<ScsiTarget.Builder> customize) {
    ScsiTarget.Builder b = builder(sched)
        .portGroup(1, AluaState.ACTIVE_OPTIMIZED, true, SupportedStates.DEFAULT)
        .portGroup(2, AluaState.ACTIVE_NON_OPTIMIZED, false, SupportedStates.DEFAULT)
        .port(1, 1)
        .port(2, 2)
        .lun(0, LuSpec.of(BLOCKS, BS));
    customize.accept(b);
    target = b.build();
  }

  /** A builder on {@code s} with no LUs, no ports, no power-on unit attention. */
  static ScsiTarget.Builder builder(ManualScheduler s) {
    return ScsiTarget.builder(NAME, s)
        .executor(r -> s.schedule(r, 0, TimeUnit.NANOSECONDS))
        .powerOnUnitAttention(false);
  }

  Host login(String initiator, int port) {
    return Host.login(this, initiator, port);
  }

  void runDue() {
    sched.runDue();
  }

  @Override
  public void close() {
    target.close();
    sched.runDue();
  }

  static void assertCheck(ScsiResponse r, SenseKey key, Asc asc) {
    assertEquals(ScsiStatus.CHECK_CONDITION.code(), r.status(), () -> "status of " + r);
    SenseData s = r.senseData().orElseThrow(() -> new AssertionError("no sense in " + r));
    assertEquals(key, s.senseKey(), () -> "sense key of " + r);
    assertEquals(asc, s.additionalSense(), () -> "ASC/ASCQ of " + r);
  }

  static void assertGood(ScsiResponse r) {
    assertTrue(r.isGood(), () -> "expected GOOD, got " + r);
  }
}
