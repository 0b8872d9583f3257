package dev.mpath.chaos;

import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.target.NvmeSubsystem;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/** Faults of the NVMe subsystem emulator: ports killed, hung, stalled; ANA; path errors. */
final class NvmeFaults extends PortFaults {
  private final NvmeSubsystem s;
  private final int grpid;

  NvmeFaults(NvmeSubsystem s, int grpid, long longWindowMillis) {
    super(s.ports().size(), 500, 3000, longWindowMillis);
    this.s = s;
    this.grpid = grpid;
  }

  @Override
  List<String> kinds() {
    return List.of("kill", "hang", "stall", "inaccessible", "detach");
  }

  @Override
  String breakPort(int port, String kind, Random r) {
    switch (kind) {
      case "kill":
        s.faults(port).kill();
        return "killed";
      case "hang":
        s.faults(port).hang(true);
        return "hung (Keep Alive too)";
      case "stall":
        s.faults(port).stallIo(true);
        return "I/O queues stalled (Keep Alive answers)";
      case "detach":
        s.detachPorts(1, java.util.Set.of(port));
        return "namespace 1 detached from its controllers";
      default:
        s.setAnaState(grpid, port, AnaState.INACCESSIBLE);
        return "ANA inaccessible";
    }
  }

  @Override
  void healPort(int port, String kind) {
    switch (kind) {
      case "kill":
        s.faults(port).revive();
        break;
      case "hang":
        s.faults(port).hang(false);
        break;
      case "stall":
        s.faults(port).stallIo(false);
        break;
      case "inaccessible":
        s.setAnaState(grpid, port, AnaState.OPTIMIZED);
        break;
      case "detach":
        s.attachPorts(1, java.util.Set.of(port));
        break;
      default: // all
        s.faults(port).clear();
        s.setAnaState(grpid, port, AnaState.OPTIMIZED);
        s.attachPorts(1, java.util.Set.of(port));
    }
  }

  @Override
  String nuisance(int port, Random r) {
    switch (r.nextInt(4)) {
      case 0:
        int ms = r.nextInt(20);
        s.faults(port).delay(Duration.ofMillis(ms));
        return "completions delayed " + ms + " ms";
      case 1:
        s.faults(port).failNext(1 + r.nextInt(3), NvmeStatus.INTERNAL_PATH_ERROR);
        return "next I/O: Internal Path Error";
      case 2:
        s.faults(port).failNext(1, NvmeStatus.ANA_TRANSITION);
        return "next I/O: ANA Transition";
      default:
        AnaState st = r.nextBoolean() ? AnaState.NON_OPTIMIZED : AnaState.OPTIMIZED;
        s.setAnaState(grpid, port, st);
        return "ANA " + st;
    }
  }

  @Override
  String longDown() {
    s.detachPorts(1, new java.util.HashSet<>(s.ports()));
    return "namespace 1 detached from every controller";
  }

  @Override
  void longUp() {
    s.attachPorts(1, new java.util.HashSet<>(s.ports()));
  }

  @Override
  String allDown() {
    for (int p : s.ports()) {
      s.faults(p).kill();
    }
    return "every port killed";
  }

  @Override
  void healEverything(List<Integer> ports) {
    for (int p : ports) {
      s.faults(p).clear();
      s.setAnaState(grpid, p, AnaState.OPTIMIZED);
    }
    s.attachPorts(1, new java.util.HashSet<>(ports));
  }
}
