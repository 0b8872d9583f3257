package dev.mpath.chaos;

import dev.mpath.alua.AluaState;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.target.ScsiTarget;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Faults of the SCSI LU emulator: ports killed or hung, path errors, partial transfers,
 * ALUA transitions of the two port groups.
 */
final class ScsiFaults extends PortFaults {
  private final ScsiTarget t;
  private final int ports;

  ScsiFaults(ScsiTarget t, int ports, long longWindowMillis) {
    super(ports, 500, 3000, longWindowMillis);
    this.t = t;
    this.ports = ports;
  }

  @Override
  List<String> kinds() {
    return List.of("kill", "hang");
  }

  @Override
  String breakPort(int port, String kind, Random r) {
    if (kind.equals("kill")) {
      t.faults(port).kill();
      return "killed";
    }
    t.faults(port).hang(true);
    return "hung";
  }

  @Override
  void healPort(int port, String kind) {
    switch (kind) {
      case "kill":
        t.faults(port).revive();
        break;
      case "hang":
        t.faults(port).hang(false);
        break;
      default:
        t.faults(port).revive();
        t.faults(port).clear();
    }
  }

  @Override
  String nuisance(int port, Random r) {
    switch (r.nextInt(4)) {
      case 0:
        int ms = r.nextInt(20);
        t.faults(port).delay(Duration.ofMillis(ms));
        return "answers delayed " + ms + " ms";
      case 1:
        t.faults(port).failNext(1 + r.nextInt(3), ScsiStatus.CHECK_CONDITION,
            SenseData.of(SenseKey.ABORTED_COMMAND, Asc.SCSI_PARITY_ERROR));
        return "next commands: ABORTED COMMAND 47/00";
      case 2:
        t.faults(port).partialNext(1, 50, true);
        return "next transfer: half, then CHECK CONDITION";
      default:
        int group = 1 + r.nextInt(2);
        AluaState st = r.nextBoolean() ? AluaState.ACTIVE_NON_OPTIMIZED : AluaState.ACTIVE_OPTIMIZED;
        t.portGroups().transition(group, st, Duration.ofMillis(100));
        return "ALUA group " + group + " -> " + st;
    }
  }

  @Override
  String longDown() {
    for (int p = 1; p <= ports; p++) {
      t.faults(p).kill();
    }
    return "every port killed";
  }

  @Override
  void longUp() {
    for (int p = 1; p <= ports; p++) {
      t.faults(p).revive();
    }
  }

  @Override
  String allDown() {
    for (int p = 1; p <= ports; p++) {
      t.faults(p).kill();
    }
    return "every port killed";
  }

  @Override
  void healEverything(List<Integer> list) {
    for (int p : list) {
      t.faults(p).revive();
      t.faults(p).clear();
    }
    t.portGroups().transition(1, AluaState.ACTIVE_OPTIMIZED, Duration.ZERO);
    t.portGroups().transition(2, AluaState.ACTIVE_OPTIMIZED, Duration.ZERO);
  }
}
