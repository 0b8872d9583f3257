package dev.mpath.examples.cli;

import dev.mpath.alua.AluaState;
import dev.mpath.alua.SupportedStates;
import dev.mpath.alua.Tpgs;
import dev.mpath.examples.cli.Topology.Statement;
import dev.mpath.examples.cli.Topology.TopologyException;
import dev.mpath.nvme.loop.LoopTarget;
import dev.mpath.nvme.loop.LoopTargets;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.loop.ScsiLoopTarget;
import dev.mpath.scsi.loop.ScsiLoopTargets;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.Scheduler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Target emulators started in this process from a {@link Topology}: NVMe subsystems and
 * SCSI targets registered for the loop transports under the topology's target name.
 */
public final class Embedded implements AutoCloseable {
  private final Topology topology;
  private final Map<String, NvmeSubsystem> subsystems = new LinkedHashMap<>();
  private final Map<String, ScsiTarget> scsiTargets = new LinkedHashMap<>();
  private final List<AutoCloseable> registrations = new ArrayList<>();
  private final List<URI> uris = new ArrayList<>();

  private Embedded(Topology topology) {
    this.topology = topology;
  }

  /** Starts everything {@code topology} describes. */
  public static Embedded start(Topology topology, Scheduler scheduler) throws TopologyException {
    Embedded e = new Embedded(topology);
    try {
      e.build(scheduler);
      return e;
    } catch (TopologyException | RuntimeException ex) {
      e.close();
      throw ex;
    }
  }

  private void build(Scheduler scheduler) throws TopologyException {
    String target = topology.target();
    for (Statement s : topology.of("nvme-subsystem")) {
      subsystemBuilder(s, scheduler);
    }
    for (Statement s : topology.of("scsi-target")) {
      scsiBuilder(s, scheduler);
    }
    for (Map.Entry<String, NvmeSubsystem.Builder> b : nvmeBuilders.entrySet()) {
      subsystems.put(b.getKey(), b.getValue().build());
      uris.add(URI.create("nvme+loop://" + target + "/" + b.getKey()));
    }
    for (Map.Entry<String, ScsiTarget.Builder> b : scsiBuilders.entrySet()) {
      ScsiTarget t = b.getValue().build();
      scsiTargets.put(b.getKey(), t);
      for (int lun : t.luns()) {
        uris.add(URI.create("scsi+loop://" + target + "/" + b.getKey() + "/" + lun));
      }
    }
    if (!subsystems.isEmpty()) {
      registrations.add(LoopTargets.register(target, subsystems.values().toArray(new NvmeSubsystem[0])));
    }
    if (scsiTargets.size() > 1) {
      throw new TopologyException(0, "one SCSI target per loop target name; split the topology");
    }
    for (ScsiTarget t : scsiTargets.values()) {
      registrations.add(ScsiLoopTargets.register(target, t));
    }
  }

  private final Map<String, NvmeSubsystem.Builder> nvmeBuilders = new LinkedHashMap<>();
  private final Map<String, ScsiTarget.Builder> scsiBuilders = new LinkedHashMap<>();

  private void subsystemBuilder(Statement s, Scheduler scheduler) throws TopologyException {
    String nqn = s.subject();
    int ports = (int) s.number("ports", 1);
    NvmeSubsystem.Builder b = NvmeSubsystem.builder(nqn, scheduler)
        .serial(serialOf(nqn)).model("mpath emulated NVMe").ports(ports);
    Set<Integer> groups = new LinkedHashSet<>();
    for (Statement n : topology.of("nvme-namespace")) {
      if (!n.subject().equals(nqn)) {
        continue;
      }
      int group = (int) n.number("ana-group", 1);
      groups.add(group);
      NamespaceSpec.Builder ns = NamespaceSpec.builder((int) n.number("nsid"))
          .blocks(n.number("blocks")).blockSize((int) n.number("block-size", 512))
          .anaGroup(group).nguid(guid(nqn + "/" + n.get("nsid")))
          .shared(Boolean.parseBoolean(n.get("shared", "true")));
      String p = n.settings().get("ports");
      if (p != null) {
        ns.ports(numbers(n, p));
      }
      b.namespace(ns.build());
    }
    for (int g : groups) {
      b.anaGroup(g);
    }
    for (Statement a : topology.of("nvme-ana")) {
      if (a.subject().equals(nqn)) {
        b.anaState((int) a.number("group"), (int) a.number("port"), anaState(a));
      }
    }
    nvmeBuilders.put(nqn, b);
  }

  private void scsiBuilder(Statement s, Scheduler scheduler) throws TopologyException {
    String name = s.subject();
    ScsiTarget.Builder b = ScsiTarget.builder(name, scheduler)
        .vendor("MPATH").product("EMULATED LU")
        .tpgs(tpgs(s))
        .implicitTransitionTime(Duration.ofMillis(s.number("transition-ms", 0)));
    for (Statement g : topology.of("scsi-group")) {
      if (g.subject().equals(name)) {
        b.portGroup((int) g.number("id"), aluaState(g), Boolean.parseBoolean(g.get("preferred", "false")),
            SupportedStates.DEFAULT);
      }
    }
    for (Statement p : topology.of("scsi-port")) {
      if (p.subject().equals(name)) {
        b.port((int) p.number("id"), (int) p.number("group", 1));
      }
    }
    for (Statement l : topology.of("scsi-lun")) {
      if (l.subject().equals(name)) {
        b.lun((int) l.number("lun"), LuSpec.of(l.number("blocks"), (int) l.number("block-size", 512)));
      }
    }
    scsiBuilders.put(name, b);
  }

  private static Set<Integer> numbers(Statement s, String list) throws TopologyException {
    Set<Integer> out = new LinkedHashSet<>();
    for (String p : list.split(",")) {
      try {
        out.add(Integer.parseInt(p.trim()));
      } catch (NumberFormatException e) {
        throw new TopologyException(s.line(), "'" + p + "' is not a port number");
      }
    }
    return out;
  }

  private static AnaState anaState(Statement s) throws TopologyException {
    switch (s.get("state").toLowerCase(Locale.ROOT)) {
      case "optimized":
        return AnaState.OPTIMIZED;
      case "non-optimized":
        return AnaState.NON_OPTIMIZED;
      case "inaccessible":
        return AnaState.INACCESSIBLE;
      case "persistent-loss":
        return AnaState.PERSISTENT_LOSS;
      default:
        throw new TopologyException(s.line(), "ANA state '" + s.get("state")
            + "' (optimized, non-optimized, inaccessible, persistent-loss)");
    }
  }

  private static AluaState aluaState(Statement s) throws TopologyException {
    switch (s.get("state").toLowerCase(Locale.ROOT)) {
      case "ao":
        return AluaState.ACTIVE_OPTIMIZED;
      case "an":
        return AluaState.ACTIVE_NON_OPTIMIZED;
      case "s":
        return AluaState.STANDBY;
      case "u":
        return AluaState.UNAVAILABLE;
      case "o":
        return AluaState.OFFLINE;
      default:
        throw new TopologyException(s.line(), "ALUA state '" + s.get("state") + "' (ao, an, s, u, o)");
    }
  }

  private static Tpgs tpgs(Statement s) throws TopologyException {
    switch (s.get("tpgs", "both").toLowerCase(Locale.ROOT)) {
      case "none":
        return Tpgs.NONE;
      case "implicit":
        return Tpgs.IMPLICIT;
      case "explicit":
        return Tpgs.EXPLICIT;
      case "both":
        return Tpgs.BOTH;
      default:
        throw new TopologyException(s.line(), "tpgs '" + s.get("tpgs") + "' (none, implicit, explicit, both)");
    }
  }

  /** A deterministic NGUID from a name (so WWIDs and aliases are stable across runs). */
  static byte[] guid(String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(16).put(h, 0, 16).array();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String serialOf(String nqn) {
    return String.format("MP%08X", nqn.hashCode());
  }

  /** URIs reaching everything started here, NVMe subsystems first. */
  public List<URI> uris() {
    return List.copyOf(uris);
  }

  public Map<String, NvmeSubsystem> subsystems() {
    return subsystems;
  }

  public Map<String, ScsiTarget> scsiTargets() {
    return scsiTargets;
  }

  public Topology topology() {
    return topology;
  }

  @Override
  public void close() {
    for (AutoCloseable r : registrations) {
      try {
        r.close();
      } catch (Exception ignored) {
        // unregistering cannot fail in a way that matters at shutdown
      }
    }
    subsystems.values().forEach(NvmeSubsystem::close);
    scsiTargets.values().forEach(ScsiTarget::close);
  }
}
