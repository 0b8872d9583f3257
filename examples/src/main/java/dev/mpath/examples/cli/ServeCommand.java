package dev.mpath.examples.cli;

import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.tcp.NvmeTcpListener;
import dev.mpath.spi.SystemScheduler;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath serve}: starts a topology's target emulators in this process and exposes its
 * NVMe subsystems on the wire, one NVMe/TCP listener per subsystem port on a loopback
 * address, so any NVMe/TCP host (this tool in another process, Linux nvme-cli) can connect.
 * Prints one URI per listener, then serves until the duration ends or the process is
 * stopped.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve the embedded (or --config) NVMe subsystems over NVMe/TCP on loopback.",
        "  mpath serve --duration 60      # prints nvme+tcp://127.0.0.1:PORT/<nqn> per port"})
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: the built-in one).")
  java.nio.file.Path config;

  @Option(names = "--port", paramLabel = "N",
      description = "First TCP port; subsystem ports take N, N+1, ... (default: ephemeral ports).")
  int firstPort;

  @Option(names = "--duration", paramLabel = "SECONDS",
      description = "Serve this long, then stop (default: until the process is stopped).")
  long duration;

  /** Released when the listeners are up (tests wait on it). */
  final CountDownLatch ready = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    if (firstPort < 0 || firstPort > 65535 || duration < 0) {
      throw new IllegalArgumentException("--port must be 0..65535 and --duration >= 0");
    }
    Topology t = config != null ? Topology.read(config) : Topology.defaults();
    PrintWriter out = spec.commandLine().getOut();
    List<NvmeTcpListener> listeners = new ArrayList<>();
    try (SystemScheduler scheduler = new SystemScheduler("mpath-serve-timer");
        Embedded e = Embedded.start(t, scheduler)) {
      int next = firstPort;
      try {
        for (NvmeSubsystem s : e.subsystems().values()) {
          for (int port : s.ports()) {
            NvmeTcpListener.Builder b = NvmeTcpListener.builder(s, port);
            if (firstPort > 0) {
              b.tcpPort(next++);
            }
            NvmeTcpListener l = b.start();
            listeners.add(l);
            out.println(l.uri() + "   (" + s.nqn() + " port " + port + ")");
          }
        }
        if (listeners.isEmpty()) {
          throw new IllegalArgumentException("the topology has no NVMe subsystem to serve");
        }
        out.println("serving " + listeners.size() + " NVMe/TCP port(s)"
            + (duration > 0 ? " for " + duration + " s" : "; stop with Ctrl-C"));
        out.flush();
        ready.countDown();
        CountDownLatch forever = new CountDownLatch(1);
        if (duration > 0) {
          forever.await(duration, TimeUnit.SECONDS);
        } else {
          forever.await();
        }
      } finally {
        listeners.forEach(NvmeTcpListener::close);
        ready.countDown();
      }
    }
    out.println("stopped");
    out.flush();
    return 0;
  }
}
