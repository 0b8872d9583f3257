package dev.mpath.examples.cli;

import dev.mpath.AccessState;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.nvme.host.HostController;
import dev.mpath.nvme.host.NvmeNamespacePath;
import dev.mpath.scsi.host.ScsiPath;
import dev.mpath.scsi.host.ScsiSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Renders the topology in the shapes storage admins know: a {@code multipath -ll} block per
 * head and an {@code nvme list-subsys} block per NVMe subsystem, or JSON with nvme-cli's
 * field names where nvme-cli has them.
 */
final class Topologies {
  private final Hosts hosts;

  Topologies(Hosts hosts) {
    this.hosts = hosts;
  }

  // ------------------------------------------------------------------ multipath -ll

  String multipathLl(boolean verbose) {
    StringBuilder sb = new StringBuilder();
    for (MultipathDevice d : hosts.mp.devices()) {
      sb.append(head(d, verbose));
    }
    return sb.toString();
  }

  String head(MultipathDevice d, boolean verbose) {
    StringBuilder sb = new StringBuilder();
    String title = d.alias().map(a -> a + " (" + d.id() + ") " + d.name()).orElse(d.name() + " (" + d.id() + ")");
    sb.append(title).append(' ').append(vendorProduct(d)).append('\n');
    String features = d.delayedRemoval().isZero() ? "'0'" : "'1 queue_if_no_path'";
    String hw = hardwareHandler(d);
    sb.append("size=").append(size((long) d.blockSize() * d.capacityBlocks()))
        .append(" features=").append(features).append(" hwhandler=").append(hw).append(" wp=rw\n");
    // path groups by priority (multipath-tools group_by_prio), best first
    TreeMap<Integer, List<PathInfo>> groups = new TreeMap<>((a, b) -> Integer.compare(b, a));
    for (PathInfo p : d.paths()) {
      groups.computeIfAbsent(p.priority(), k -> new ArrayList<>()).add(p);
    }
    boolean activeSeen = false;
    int g = 0;
    for (Map.Entry<Integer, List<PathInfo>> e : groups.entrySet()) {
      boolean lastGroup = ++g == groups.size();
      boolean usable = e.getValue().stream().anyMatch(PathInfo::usable);
      String status = usable && !activeSeen ? "active" : usable ? "enabled" : "disabled";
      activeSeen |= usable;
      sb.append(lastGroup ? "`-+- " : "|-+- ").append("policy='").append(d.ioPolicy().name())
          .append(" 0' prio=").append(e.getKey()).append(" status=").append(status).append('\n');
      List<PathInfo> ps = e.getValue();
      for (int i = 0; i < ps.size(); i++) {
        PathInfo p = ps.get(i);
        sb.append(lastGroup ? "  " : "| ").append(i == ps.size() - 1 ? "`- " : "|- ")
            .append(pathLine(p, verbose)).append('\n');
      }
    }
    return sb.toString();
  }

  private static String pathLine(PathInfo p, boolean verbose) {
    String dm = p.usable() ? "active" : "failed";
    String checker = p.faulted() ? "faulty"
        : p.accessState() == AccessState.STANDBY ? "ghost"
        : p.state() == dev.mpath.PathState.LIVE ? "ready" : "faulty";
    String line = p.name() + " " + lower(p.state().name()) + " " + access(p.accessState()) + " "
        + dm + " " + checker;
    if (verbose) {
      line += " [" + p.transport() + "] ios=" + p.stats().ios() + " errors=" + p.stats().errors()
          + " in_flight=" + p.inFlight();
    }
    return line;
  }

  /**
   * The {@code hwhandler} column as {@code multipath -ll} prints it: {@code '1 alua'} when the
   * LU's standard INQUIRY data reports TPGS (SPC-4 6.6.2, byte 5 bits 5:4) other than 00b, so
   * that Linux would attach scsi_dh_alua; {@code '0'} otherwise (tgt, for one) and for NVMe.
   */
  private String hardwareHandler(MultipathDevice d) {
    return scsiLu(d).filter(lu -> lu.tpgs() != 0).isPresent() ? "'1 alua'" : "'0'";
  }

  /** What identification found for a SCSI head (through its first known path). */
  private Optional<ScsiPath.LuInfo> scsiLu(MultipathDevice d) {
    if (d.protocol().equals("scsi")) {
      for (ScsiSession s : hosts.scsi.sessions()) {
        for (ScsiPath p : s.paths()) {
          if (p.deviceId().equals(d.id())) {
            return Optional.of(p.lu());
          }
        }
      }
    }
    return Optional.empty();
  }

  private String vendorProduct(MultipathDevice d) {
    var lu = scsiLu(d);
    if (lu.isPresent()) {
      return lu.get().vendor().strip() + "," + lu.get().product().strip();
    }
    if (d.protocol().equals("nvme")) {
      for (HostController c : hosts.nvme.controllers()) {
        for (NvmeNamespacePath p : c.namespacePaths().values()) {
          if (p.deviceId().equals(d.id())) {
            return "NVMe," + c.model();
          }
        }
      }
    }
    return d.protocol();
  }

  // ------------------------------------------------------------------ nvme list-subsys

  String listSubsys(boolean verbose) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<HostController>> e : subsystems().entrySet()) {
      List<HostController> cs = e.getValue();
      sb.append("nvme-subsys").append(cs.get(0).subsystemInstance()).append(" - NQN=").append(e.getKey()).append('\n');
      sb.append("               hostnqn=").append(hosts.nvme.hostNqn()).append('\n');
      sb.append("               iopolicy=").append(policyOf(cs)).append('\n');
      sb.append("\\\n");
      for (HostController c : cs) {
        sb.append(" +- nvme").append(c.instance()).append(' ').append(transport(c)).append(' ')
            .append(address(c)).append(' ')
            .append(lower(c.state().name())).append('\n');
        if (verbose) {
          for (NvmeNamespacePath p : new TreeMap<>(c.namespacePaths()).values()) {
            sb.append("    +- ").append(p.name()).append(' ').append(p.accessState().anaStateName()).append('\n');
          }
        }
      }
    }
    return sb.toString();
  }

  private Map<String, List<HostController>> subsystems() {
    Map<String, List<HostController>> out = new LinkedHashMap<>();
    for (HostController c : hosts.nvme.controllers()) {
      out.computeIfAbsent(c.subsystemNqn(), k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  private String policyOf(List<HostController> cs) {
    for (HostController c : cs) {
      for (NvmeNamespacePath p : c.namespacePaths().values()) {
        var d = hosts.mp.device(p.deviceId());
        if (d.isPresent()) {
          return d.get().ioPolicy().name();
        }
      }
    }
    return "numa";
  }

  /** nvme-cli's transport word: tcp or loop. */
  private static String transport(HostController c) {
    return c.address().startsWith("nvme+tcp:") ? "tcp" : "loop";
  }

  /**
   * nvme-cli's address: "nvme+loop://t/nqn port 2" -> "traddr=t,trsvcid=2";
   * "nvme+tcp://127.0.0.1:4420/nqn" -> "traddr=127.0.0.1,trsvcid=4420".
   */
  private static String address(HostController c) {
    String a = c.address();
    if (a.startsWith("nvme+tcp://")) {
      java.net.URI u = java.net.URI.create(a);
      return "traddr=" + u.getHost() + ",trsvcid=" + u.getPort();
    }
    int scheme = a.indexOf("://");
    int slash = a.indexOf('/', scheme + 3);
    int port = a.lastIndexOf(" port ");
    if (scheme < 0 || slash < 0 || port < 0) {
      return a;
    }
    return "traddr=" + a.substring(scheme + 3, slash) + ",trsvcid=" + a.substring(port + 6);
  }

  // ------------------------------------------------------------------ JSON

  Map<String, Object> json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("HostNQN", hosts.nvme.hostNqn());
    root.put("HostID", hosts.nvme.hostId().toString());
    List<Object> subs = new ArrayList<>();
    for (Map.Entry<String, List<HostController>> e : subsystems().entrySet()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("Name", "nvme-subsys" + e.getValue().get(0).subsystemInstance());
      s.put("NQN", e.getKey());
      s.put("IOPolicy", policyOf(e.getValue()));
      List<Object> paths = new ArrayList<>();
      for (HostController c : e.getValue()) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", "nvme" + c.instance());
        p.put("Transport", transport(c));
        p.put("Address", address(c));
        p.put("State", lower(c.state().name()));
        paths.add(p);
      }
      s.put("Paths", paths);
      subs.add(s);
    }
    root.put("Subsystems", subs);
    List<Object> devs = new ArrayList<>();
    for (MultipathDevice d : hosts.mp.devices()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Name", d.name());
      m.put("Alias", d.alias().orElse(null));
      m.put("WWID", d.id().toString());
      m.put("Protocol", d.protocol());
      m.put("Size", (long) d.blockSize() * d.capacityBlocks());
      m.put("BlockSize", d.blockSize());
      m.put("IOPolicy", d.ioPolicy().name());
      m.put("Queued", d.queued());
      List<Object> paths = new ArrayList<>();
      for (PathInfo p : d.paths()) {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("Name", p.name());
        pm.put("State", lower(p.state().name()));
        pm.put("ANAState", p.accessState().anaStateName());
        pm.put("AccessState", access(p.accessState()));
        pm.put("Priority", p.priority());
        pm.put("Usable", p.usable());
        pm.put("Faulted", p.faulted());
        pm.put("InFlight", p.inFlight());
        pm.put("Transport", p.transport());
        paths.add(pm);
      }
      m.put("Paths", paths);
      devs.add(m);
    }
    root.put("Devices", devs);
    return root;
  }

  // ------------------------------------------------------------------ words

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** access_state spelling: optimized, non-optimized, standby, transitioning, unavailable, offline. */
  static String access(AccessState s) {
    return lower(s.name()).replace('_', '-');
  }

  /** multipath-tools size: 1024-based with one decimal below 10 (e.g. 64M, 1.5G). */
  static String size(long bytes) {
    String[] units = {"B", "K", "M", "G", "T", "P"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (v < 10 && v != Math.floor(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf((long) v)) + units[u];
  }
}
