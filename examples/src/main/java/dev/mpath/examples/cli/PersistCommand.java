package dev.mpath.examples.cli;

import dev.mpath.MultipathDevice;
import dev.mpath.RegisteredKeys;
import dev.mpath.Registration;
import dev.mpath.Reservation;
import dev.mpath.ReservationCapabilities;
import dev.mpath.ReservationType;
import dev.mpath.Reservations;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath persist}: persistent reservations through a multipath device, with
 * sg_persist / mpathpersist options and sg_persist's wording. Registration reaches every
 * path the protocol needs (SCSI: every I_T nexus); the rest goes through one path.
 */
@Command(name = "persist", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Persistent reservations (sg_persist / mpathpersist style).",
        "  mpath persist --in --read-keys --device sda TARGET...",
        "  mpath persist --out --register --param-sark=0xabc --device nvme0n1 TARGET..."})
final class PersistCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions targets = new TargetOptions();

  @Option(names = {"-d", "--device"}, paramLabel = "NAME", description = "Device name or alias.")
  String device;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Direction direction;

  static final class Direction {
    @Option(names = {"-i", "--in"}, required = true, description = "PERSISTENT RESERVE IN.")
    boolean in;

    @Option(names = {"-o", "--out"}, required = true, description = "PERSISTENT RESERVE OUT.")
    boolean out;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Action action;

  static final class Action {
    @Option(names = {"-k", "--read-keys"}, required = true) boolean readKeys;
    @Option(names = {"-r", "--read-reservation"}, required = true) boolean readReservation;
    @Option(names = {"-s", "--read-full-status"}, required = true) boolean readFullStatus;
    @Option(names = {"-c", "--report-capabilities"}, required = true) boolean reportCapabilities;
    @Option(names = {"-G", "--register"}, required = true) boolean register;
    @Option(names = {"-I", "--register-ignore"}, required = true) boolean registerIgnore;
    @Option(names = {"-R", "--reserve"}, required = true) boolean reserve;
    @Option(names = {"-L", "--release"}, required = true) boolean release;
    @Option(names = {"-C", "--clear"}, required = true) boolean clear;
    @Option(names = {"-P", "--preempt"}, required = true) boolean preempt;
    @Option(names = {"-A", "--preempt-abort"}, required = true) boolean preemptAbort;
  }

  @Option(names = {"-K", "--param-rk"}, paramLabel = "RK", description = "Reservation key (ours).")
  String rk;

  @Option(names = {"-S", "--param-sark"}, paramLabel = "SARK",
      description = "Service action reservation key (new key, or the key to preempt).")
  String sark;

  @Option(names = {"-T", "--prout-type"}, paramLabel = "TYPE",
      description = "1 WR_EX, 3 EX_AC, 5 WR_EX_RO, 6 EX_AC_RO, 7 WR_EX_AR, 8 EX_AC_AR.")
  Integer proutType;

  @Option(names = {"-Z", "--param-aptpl"}, description = "Activate persist through power loss.")
  boolean aptpl;

  @Override
  public Integer call() throws Exception {
    boolean inAction = action.readKeys || action.readReservation || action.readFullStatus
        || action.reportCapabilities;
    if (direction.in != inAction) {
      throw new IllegalArgumentException(direction.in
          ? "--in goes with --read-keys, --read-reservation, --read-full-status or --report-capabilities"
          : "--out goes with --register, --register-ignore, --reserve, --release, --clear, --preempt or --preempt-abort");
    }
    long rkey = rk == null ? 0 : Keys.parse("--param-rk", rk);
    long sakey = sark == null ? 0 : Keys.parse("--param-sark", sark);
    ReservationType type = proutType == null ? null : PrWords.fromProutType(proutType);
    PrintWriter out = spec.commandLine().getOut();
    try (Hosts hosts = new Hosts(targets::identity)) {
      hosts.open(targets.topology(), targets.uris());
      MultipathDevice d = hosts.device(device);
      Reservations pr = d.reservations();
      if (direction.in) {
        out.print(readIn(d, pr));
      } else {
        if ((action.reserve || action.release || action.preempt || action.preemptAbort) && type == null) {
          throw new IllegalArgumentException("--prout-type is required for this action");
        }
        if (action.register) {
          pr.register(rkey, sakey, false, aptpl).join();
        } else if (action.registerIgnore) {
          pr.register(0, sakey, true, aptpl).join();
        } else if (action.reserve) {
          pr.reserve(rkey, type).join();
        } else if (action.release) {
          pr.release(rkey, type).join();
        } else if (action.clear) {
          pr.clear(rkey).join();
        } else {
          pr.preempt(rkey, sakey, type, action.preemptAbort).join();
        }
      }
      out.flush();
    }
    return 0;
  }

  private String readIn(MultipathDevice d, Reservations pr) {
    StringBuilder sb = new StringBuilder();
    sb.append("  ").append(d.name()).append(" (").append(d.id()).append(")\n");
    if (action.readKeys) {
      RegisteredKeys k = pr.readKeys().join();
      if (k.keys().isEmpty()) {
        sb.append(String.format("  PR generation=0x%x, there are NO registered reservation keys%n", k.generation()));
      } else {
        sb.append(String.format("  PR generation=0x%x, %d registered reservation key%s follow%s:%n",
            k.generation(), k.keys().size(), k.keys().size() == 1 ? "" : "s", k.keys().size() == 1 ? "s" : ""));
        for (long key : k.keys()) {
          sb.append("    ").append(Keys.hex(key)).append('\n');
        }
      }
    } else if (action.readReservation) {
      RegisteredKeys k = pr.readKeys().join();
      Optional<Reservation> r = pr.readReservation().join();
      if (r.isEmpty()) {
        sb.append(String.format("  PR generation=0x%x, there is NO reservation held%n", k.generation()));
      } else {
        sb.append(String.format("  PR generation=0x%x, Reservation follows:%n", r.get().generation()));
        sb.append("    Key=").append(Keys.hex(r.get().key())).append('\n');
        sb.append("    scope: LU_SCOPE,  type: ").append(PrWords.type(r.get().type())).append('\n');
      }
    } else if (action.readFullStatus) {
      RegisteredKeys k = pr.readKeys().join();
      Optional<Reservation> r = pr.readReservation().join();
      List<Registration> regs = pr.readFullStatus().join();
      sb.append(String.format("  PR generation=0x%x%n", k.generation()));
      if (regs.isEmpty()) {
        sb.append("  No full status descriptors\n");
      }
      for (Registration g : regs) {
        sb.append("    Key=").append(Keys.hex(g.key())).append('\n');
        sb.append("      All target ports bit ").append(g.allTargetPorts() ? "set" : "clear").append('\n');
        sb.append(String.format("      Relative port address: 0x%x%n", g.port()));
        if (g.holder()) {
          sb.append("      << Reservation holder >>\n");
          r.ifPresent(res -> sb.append("      scope: LU_SCOPE,  type: ").append(PrWords.type(res.type())).append('\n'));
        } else {
          sb.append("      not reservation holder\n");
        }
        sb.append("      Transport Id of initiator:\n");
        sb.append(g.registrant().contains(",i,0x")
            ? "        iSCSI name and session id: " : "        host identifier: ").append(g.registrant()).append('\n');
      }
    } else {
      ReservationCapabilities c = pr.reportCapabilities().join();
      sb.append("Report capabilities response:\n");
      sb.append("  Specify Initiator Ports Capable(SIP_C): ").append(bit(c.specifyInitiatorPortsCapable())).append('\n');
      sb.append("  All Target Ports Capable(ATP_C): ").append(bit(c.allTargetPortsCapable())).append('\n');
      sb.append("  Persist Through Power Loss Capable(PTPL_C): ").append(bit(c.persistThroughPowerLossCapable())).append('\n');
      sb.append("  Persist Through Power Loss Active(PTPL_A): ").append(bit(c.persistThroughPowerLossActive())).append('\n');
      sb.append("    Support indicated in Type mask:\n");
      for (ReservationType t : new ReservationType[] {
          ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY,
          ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, ReservationType.EXCLUSIVE_ACCESS,
          ReservationType.WRITE_EXCLUSIVE, ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS}) {
        sb.append("      ").append(PrWords.type(t)).append(": ").append(bit(c.types().contains(t))).append('\n');
      }
    }
    return sb.toString();
  }

  private static int bit(boolean b) {
    return b ? 1 : 0;
  }
}
