package dev.mpath.examples.cli;

import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.tcp.NvmeTcpListener;
import dev.mpath.scsi.iscsi.IscsiTargetListener;
import dev.mpath.scsi.target.ScsiTarget;
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
 * {@code mpath serve}: starts a topology's target emulators in this process and exposes them
 * on the wire on a loopback address: its NVMe subsystems through one NVMe/TCP listener per
 * subsystem port, so any NVMe/TCP host (this tool in another process, Linux nvme-cli) can
 * connect, and its SCSI targets through one iSCSI target portal per target port (any iSCSI
 * initiator: this tool, open-iscsi, libiscsi). Prints one URI per NVMe listener and one per
 * iSCSI portal and LUN, then serves until the duration ends or the process is stopped.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve the embedded (or --config) NVMe subsystems over NVMe/TCP and SCSI targets",
        "over iSCSI, on loopback.",
        "  mpath serve --duration 60      # prints nvme+tcp://127.0.0.1:PORT/<nqn> per port",
        "                                 # and iscsi://127.0.0.1:PORT/<target>/<lun> per port and LUN"})
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: the built-in one).")
  java.nio.file.Path config;

  @Option(names = "--port", paramLabel = "N",
      description = "First TCP port; subsystem ports take N, N+1, ..., then the iSCSI portals"
          + " (default: ephemeral ports).")
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
    List<IscsiTargetListener> portals = new ArrayList<>();
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
        for (ScsiTarget st : e.scsiTargets().values()) {
          for (int port : st.ports()) {
            IscsiTargetListener.Builder b = IscsiTargetListener.builder(st, port);
            if (firstPort > 0) {
              b.tcpPort(next++);
            }
            IscsiTargetListener l = b.start();
            portals.add(l);
            for (java.net.URI u : l.uris()) {
              out.println(u + "   (" + st.name() + " port " + port + ", TPGT " + l.portalGroupTag() + ")");
            }
          }
        }
        if (listeners.isEmpty() && portals.isEmpty()) {
          throw new IllegalArgumentException("the topology has no NVMe subsystem or SCSI target to serve");
        }
        String until = duration > 0 ? " for " + duration + " s" : "; stop with Ctrl-C";
        if (!portals.isEmpty()) {
          out.println("serving " + portals.size() + " iSCSI portal(s)" + (listeners.isEmpty() ? until : ""));
        }
        if (!listeners.isEmpty()) {
          out.println("serving " + listeners.size() + " NVMe/TCP port(s)" + until);
        }
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
        portals.forEach(IscsiTargetListener::close);
        ready.countDown();
      }
    }
    out.println("stopped");
    out.flush();
    return 0;
  }
}
