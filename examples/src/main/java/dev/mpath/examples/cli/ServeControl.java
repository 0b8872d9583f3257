package dev.mpath.examples.cli;

import dev.mpath.alua.AluaState;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.target.ScsiTarget;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The control channel of {@code mpath serve --control stdin}: one command a line, so that a
 * real peer (a Linux host, dm-multipath) can be failed over while it runs I/O. Each line is
 * answered with one line, {@code ok ...} or {@code error: ...}; blank lines and lines from
 * {@code #} on are ignored. Names are the subsystem NQN or SCSI target name that serve printed.
 *
 * <pre>
 * nvme-port NQN PORT down|up          kill every controller of that port and refuse connects / allow them again
 * ana NQN GRPID PORT STATE            optimized, non-optimized, inaccessible, persistent-loss, change
 * nvme-delay NQN PORT MS              add MS of latency to every command through that port (0: none)
 * scsi-port TARGET PORT down|up       drop every session of that relative target port and refuse logins / allow them
 * alua TARGET GROUP STATE [MS]        active-optimized, active-non-optimized, standby, unavailable, offline,
 *                                     through transitioning for MS (default: the LU's implicit
 *                                     transition time; 0: at once)
 * scsi-delay TARGET PORT MS           add MS of latency to every command through that port
 * help                                list the commands
 * </pre>
 *
 * Thread-safe as far as the emulators are; one channel is read by one thread.
 */
final class ServeControl {
  static final String HELP = "commands: nvme-port NQN PORT down|up; ana NQN GRPID PORT STATE;"
      + " nvme-delay NQN PORT MS; scsi-port TARGET PORT down|up; alua TARGET GROUP STATE [MS];"
      + " scsi-delay TARGET PORT MS";

  private final Map<String, NvmeSubsystem> subsystems;
  private final Map<String, ScsiTarget> targets;

  ServeControl(Map<String, NvmeSubsystem> subsystems, Map<String, ScsiTarget> targets) {
    this.subsystems = subsystems;
    this.targets = targets;
  }

  /** Runs one line and returns the one-line answer. Never throws for bad input. */
  String execute(String line) {
    int hash = line.indexOf('#');
    String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
    if (text.isEmpty()) {
      return null;
    }
    List<String> w = List.of(text.split("\\s+"));
    try {
      switch (w.get(0)) {
        case "help":
          return "ok " + HELP;
        case "nvme-port": {
          need(w, 4, "nvme-port NQN PORT down|up");
          NvmeSubsystem s = subsystem(w.get(1));
          int port = number(w.get(2), "port");
          if (up(w.get(3))) {
            s.faults(port).revive();
          } else {
            s.faults(port).kill();
          }
          return "ok " + s.nqn() + " port " + port + " " + w.get(3);
        }
        case "ana": {
          need(w, 5, "ana NQN GRPID PORT STATE");
          NvmeSubsystem s = subsystem(w.get(1));
          int grp = number(w.get(2), "ANA group");
          int port = number(w.get(3), "port");
          AnaState st = enumOf(AnaState.class, w.get(4));
          s.setAnaState(grp, port, st);
          return "ok " + s.nqn() + " ANA group " + grp + " port " + port + " " + st;
        }
        case "nvme-delay": {
          need(w, 4, "nvme-delay NQN PORT MS");
          NvmeSubsystem s = subsystem(w.get(1));
          int port = number(w.get(2), "port");
          s.faults(port).delay(Duration.ofMillis(number(w.get(3), "delay")));
          return "ok " + s.nqn() + " port " + port + " delay " + w.get(3) + " ms";
        }
        case "scsi-port": {
          need(w, 4, "scsi-port TARGET PORT down|up");
          ScsiTarget t = target(w.get(1));
          int port = number(w.get(2), "port");
          if (up(w.get(3))) {
            t.faults(port).revive();
          } else {
            t.faults(port).kill();
          }
          return "ok " + t.name() + " port " + port + " " + w.get(3);
        }
        case "alua": {
          if (w.size() != 4 && w.size() != 5) {
            throw new IllegalArgumentException("usage: alua TARGET GROUP STATE [MS]");
          }
          ScsiTarget t = target(w.get(1));
          int group = number(w.get(2), "port group");
          AluaState st = enumOf(AluaState.class, w.get(3));
          if (w.size() == 5) {
            t.portGroups().transition(group, st, Duration.ofMillis(number(w.get(4), "transition time")));
          } else {
            t.portGroups().transition(group, st);
          }
          return "ok " + t.name() + " port group " + group + " " + st;
        }
        case "scsi-delay": {
          need(w, 4, "scsi-delay TARGET PORT MS");
          ScsiTarget t = target(w.get(1));
          int port = number(w.get(2), "port");
          t.faults(port).delay(Duration.ofMillis(number(w.get(3), "delay")));
          return "ok " + t.name() + " port " + port + " delay " + w.get(3) + " ms";
        }
        default:
          return "error: unknown command '" + w.get(0) + "'; " + HELP;
      }
    } catch (RuntimeException e) {
      return "error: " + e.getMessage();
    }
  }

  private static void need(List<String> w, int n, String usage) {
    if (w.size() != n) {
      throw new IllegalArgumentException("usage: " + usage);
    }
  }

  private static boolean up(String s) {
    switch (s) {
      case "up":
        return true;
      case "down":
        return false;
      default:
        throw new IllegalArgumentException("'" + s + "' is neither up nor down");
    }
  }

  private static int number(String s, String what) {
    try {
      int n = Integer.parseInt(s);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + s + "' is not a non-negative number");
    }
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String s) {
    try {
      return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      StringBuilder names = new StringBuilder();
      for (E v : type.getEnumConstants()) {
        names.append(names.length() == 0 ? "" : ", ").append(v.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new IllegalArgumentException("unknown state '" + s + "' (" + names + ")");
    }
  }

  private NvmeSubsystem subsystem(String nqn) {
    NvmeSubsystem s = subsystems.values().stream().filter(x -> x.nqn().equals(nqn)).findFirst()
        .orElse(subsystems.get(nqn));
    if (s == null) {
      throw new IllegalArgumentException("no NVMe subsystem " + nqn);
    }
    return s;
  }

  private ScsiTarget target(String name) {
    ScsiTarget t = targets.values().stream().filter(x -> x.name().equals(name)).findFirst()
        .orElse(targets.get(name));
    if (t == null) {
      throw new IllegalArgumentException("no SCSI target " + name);
    }
    return t;
  }
}
