package dev.mpath.examples.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where a command's devices come from: target URIs ({@code nvme+loop://...},
 * {@code scsi+loop://...}, a plugin's scheme), the word {@code embedded} (the built-in
 * topology, started in this process), or {@code --config FILE} (a topology file, started in
 * this process). With none of them, {@code embedded} is assumed.
 */
public final class TargetOptions {
  @Parameters(paramLabel = "TARGET", arity = "0..*",
      description = "Target URIs, or 'embedded' for the built-in topology (the default).")
  List<String> targets = new ArrayList<>();

  @Option(names = "--config", paramLabel = "FILE", description = "Start the topology in FILE in this process.")
  Path config;

  @Option(names = "--hostid", paramLabel = "UUID",
      description = "NVMe host identifier (default: derived from the host name, stable across runs).")
  String hostId;

  @Option(names = "--initiator", paramLabel = "NAME",
      description = "SCSI initiator name (default: iqn.2024-01.dev.mpath:<host name>).")
  String initiator;

  /** Sets this host's identity on a Multipath builder (stable across runs by default). */
  void identity(dev.mpath.Multipath.Builder b) {
    String host = hostName();
    String id = hostId != null ? java.util.UUID.fromString(hostId).toString()
        : java.util.UUID.nameUUIDFromBytes(("mpath:" + host).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    b.property("nvme.hostid", id);
    b.property("scsi.initiator", initiator != null ? initiator : "iqn.2024-01.dev.mpath:" + host);
  }

  private static String hostName() {
    try {
      String h = java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
      return h.replaceAll("[^a-z0-9.-]", "-");
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** The topology to start, or null. */
  Topology topology() throws IOException {
    if (config != null) {
      return Topology.read(config);
    }
    if (targets.isEmpty() || targets.contains("embedded")) {
      return Topology.defaults();
    }
    return null;
  }

  /** The URIs given (without {@code embedded}). */
  List<URI> uris() {
    List<URI> out = new ArrayList<>();
    for (String t : targets) {
      if (t.equals("embedded")) {
        continue;
      }
      try {
        URI u = new URI(t);
        if (u.getScheme() == null) {
          throw new IllegalArgumentException("'" + t + "' is not a target URI (scheme://...)");
        }
        out.add(u);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("'" + t + "' is not a URI: " + e.getReason());
      }
    }
    return out;
  }
}
