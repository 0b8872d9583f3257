package dev.mpath.examples.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mpath list}: the topology, as {@code multipath -ll} and {@code nvme list-subsys}. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"Show multipath devices and their paths (multipath -ll style),",
        "and NVMe subsystems (nvme list-subsys style)."})
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions targets = new TargetOptions();

  @Option(names = {"-v", "--verbose"}, description = "Add transports, counters and per-namespace ANA states.")
  boolean verbose;

  @Option(names = "--json", description = "JSON (nvme-cli field names where nvme-cli has them).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Hosts hosts = new Hosts(targets::identity)) {
      hosts.open(targets.topology(), targets.uris());
      Topologies t = new Topologies(hosts);
      if (json) {
        out.print(Json.write(t.json()));
      } else {
        out.print(t.multipathLl(verbose));
        String subsys = t.listSubsys(verbose);
        if (!subsys.isEmpty()) {
          out.println();
          out.print(subsys);
        }
      }
      out.flush();
    }
    return 0;
  }
}
