package dev.mpath.examples.cli;

import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.tcp.NvmeTcpTransport;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath discover}: what a discovery service lists, without connecting anything, as
 * {@code nvme discover} (an {@code nvme+tcp://host[:port]} URI without an NQN) and
 * {@code iscsiadm -m discovery -t st} (an {@code iscsi://host[:port]} URI without a target)
 * print it. Connecting the same URI ({@code list}, {@code bench}) connects everything listed.
 */
@Command(name = "discover", mixinStandardHelpOptions = true,
    description = {"List what an NVMe/TCP discovery controller or an iSCSI portal (SendTargets) offers.",
        "  nvme+tcp://HOST[:PORT]   discovery log, nvme discover style (port 8009 by default)",
        "  iscsi://HOST[:PORT]      SendTargets, iscsiadm style: PORTAL,TPGT TARGET"})
final class DiscoverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions targets = new TargetOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<URI> uris = targets.uris();
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("give a discovery URI: nvme+tcp://HOST[:PORT] or iscsi://HOST[:PORT]");
    }
    try (Hosts hosts = new Hosts(targets::identity)) {
      for (URI u : uris) {
        if (NvmeTcpTransport.SCHEME.equalsIgnoreCase(u.getScheme())) {
          out.print(nvme(Hosts.await(hosts.nvme.discover(u), u)));
        } else if ("iscsi".equalsIgnoreCase(u.getScheme())) {
          out.print(iscsi(u, Hosts.await(hosts.scsi.discover(u), u)));
        } else {
          throw new IllegalArgumentException(u + ": discovery takes nvme+tcp:// or iscsi:// URIs");
        }
      }
      out.flush();
    }
    return 0;
  }

  /** The log as {@code nvme discover} prints it (field names and value words of nvme-cli). */
  static String nvme(DiscoveryLogPage log) {
    StringBuilder b = new StringBuilder();
    b.append("\nDiscovery Log Number of Records ").append(log.entries().size())
        .append(", Generation counter ").append(log.generation()).append('\n');
    int i = 0;
    for (DiscoveryLogPage.Entry e : log.entries()) {
      b.append("=====Discovery Log Entry ").append(i++).append("======\n");
      b.append("trtype:  ").append(trtype(e.trtype())).append('\n');
      b.append("adrfam:  ").append(e.adrfam() == DiscoveryLogPage.ADRFAM_IPV4 ? "ipv4"
          : e.adrfam() == DiscoveryLogPage.ADRFAM_IPV6 ? "ipv6" : "unrecognized").append('\n');
      b.append("subtype: ").append(subtype(e.subtype())).append('\n');
      b.append("treq:    ").append(treq(e.treq())).append('\n');
      b.append("portid:  ").append(e.portId()).append('\n');
      b.append("trsvcid: ").append(e.trsvcid()).append('\n');
      b.append("subnqn:  ").append(e.subnqn()).append('\n');
      b.append("traddr:  ").append(e.traddr()).append('\n');
    }
    return b.toString();
  }

  private static String trtype(int t) {
    switch (t) {
      case 1: return "rdma";
      case 2: return "fc";
      case DiscoveryLogPage.TRTYPE_TCP: return "tcp";
      case 254: return "loop";
      default: return "unrecognized";
    }
  }

  private static String subtype(int s) {
    switch (s) {
      case DiscoveryLogPage.SUBTYPE_REFERRAL: return "discovery subsystem referral";
      case DiscoveryLogPage.SUBTYPE_NVME: return "nvme subsystem";
      case DiscoveryLogPage.SUBTYPE_CURRENT_DISCOVERY: return "current discovery subsystem";
      default: return "unrecognized";
    }
  }

  private static String treq(int t) {
    String secure;
    switch (t & DiscoveryLogPage.TREQ_SECURE_CHANNEL_MASK) {
      case DiscoveryLogPage.TREQ_SECURE_CHANNEL_REQUIRED: secure = "required"; break;
      case DiscoveryLogPage.TREQ_SECURE_CHANNEL_NOT_REQUIRED: secure = "not required"; break;
      default: secure = "not specified";
    }
    return (t & DiscoveryLogPage.TREQ_SQFC_DISABLE) != 0
        ? secure + ", sq flow control disable supported" : secure;
  }

  /** SendTargets as {@code iscsiadm -m discovery} prints it: {@code host:port,tpgt target}. */
  static String iscsi(URI asked, Map<String, List<String>> targets) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, List<String>> t : targets.entrySet()) {
      List<String> addresses = new ArrayList<>(t.getValue());
      if (addresses.isEmpty()) { // RFC 7143 12.4: at the portal asked
        addresses.add(dev.mpath.spi.NetAddress.parse(asked, 3260).hostPort() + ",-1"); // tag unknown
      }
      for (String a : addresses) {
        b.append(a).append(' ').append(t.getKey()).append('\n');
      }
    }
    return b.toString();
  }
}
