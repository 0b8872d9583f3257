package dev.mpath.examples.cli;

import picocli.CommandLine.Command;

/** The {@code mpath} tool. */
@Command(name = "mpath", mixinStandardHelpOptions = true, version = "mpath 0.1.0",
    description = "Unified SCSI and NVMe multipath for the JVM.",
    subcommands = {DemoCommand.class, ListCommand.class, DiscoverCommand.class, PersistCommand.class, FenceCommand.class,
        BenchCommand.class, OverheadCommand.class, ServeCommand.class})
final class MpathCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
