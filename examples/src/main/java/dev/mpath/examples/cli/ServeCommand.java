package dev.mpath.examples.cli;

import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.target.DiscoveryService;
import dev.mpath.nvme.tcp.FabricsCommands;
import dev.mpath.nvme.tcp.NvmeTcpListener;
import dev.mpath.scsi.iscsi.IscsiTargetListener;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import com.google.common.net.InetAddresses;
import dev.mpath.spi.NetAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
 * on the wire, on 127.0.0.1 unless {@code --listen} names another address: its NVMe subsystems through one NVMe/TCP listener per
 * subsystem port, so any NVMe/TCP host (this tool in another process, Linux nvme-cli) can
 * connect, and its SCSI targets through one iSCSI target portal per target port (any iSCSI
 * initiator: this tool, open-iscsi, libiscsi). Prints one URI per NVMe listener and one per
 * iSCSI portal and LUN, then serves until the duration ends or the process is stopped.
 * {@code --advertise HOST} is what SendTargets (and the URIs printed) report, for clients
 * that reach this host by another address; {@code --control stdin} reads
 * {@link ServeControl} commands from standard input, one answer line each.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve the embedded (or --config) NVMe subsystems over NVMe/TCP and SCSI targets",
        "over iSCSI (on 127.0.0.1 unless --listen says otherwise).",
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

  @Option(names = "--listen", paramLabel = "ADDR",
      description = "IP address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface).")
  String listen = "127.0.0.1";

  @Option(names = "--advertise", paramLabel = "HOST",
      description = "Host (IP address or name) that discovery and SendTargets report"
          + " (default: the listen address).")
  String advertise;

  @Option(names = "--control", paramLabel = "stdin",
      description = "Read control commands from standard input (port down/up, ANA and ALUA"
          + " states, delays); 'help' lists them.")
  String control;

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
    if (control != null && !control.equals("stdin")) {
      throw new IllegalArgumentException("--control takes 'stdin'");
    }
    if (!InetAddresses.isInetAddress(listen)) {
      throw new IllegalArgumentException("--listen must be an IP address: " + listen);
    }
    InetAddress bind = InetAddresses.forString(listen);
    if (advertise != null) {
      NetAddress.of(advertise, 1); // checks the syntax, looks nothing up
    }
    Topology t = config != null ? Topology.read(config) : Topology.defaults();
    PrintWriter out = spec.commandLine().getOut();
    List<NvmeTcpListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<IscsiTargetListener> portals = new ArrayList<>();
    try (SystemScheduler scheduler = new SystemScheduler("mpath-serve-timer");
        Embedded e = Embedded.start(t, scheduler)) {
      int next = firstPort;
      // every NVMe/TCP port also answers the well-known discovery NQN with a log of them all
      DiscoveryService discovery = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> {
        List<DiscoveryLogPage.Entry> entries = new ArrayList<>();
        for (NvmeTcpListener l : listeners) {
          NetAddress a = l.advertisedAddress();
          entries.add(DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, l.portId(), a.host(),
              a.port(), l.subsystem().nqn()));
        }
        return entries;
      });
      try {
        for (NvmeSubsystem s : e.subsystems().values()) {
          for (int port : s.ports()) {
            NvmeTcpListener.Builder b = NvmeTcpListener.builder(s, port).bind(bind).advertise(advertise)
                .discovery(discovery);
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
            IscsiTargetListener.Builder b = IscsiTargetListener.builder(st, port).bind(bind).advertise(advertise);
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
        if (bind.isAnyLocalAddress() && advertise == null) {
          out.println("warning: listening on every interface; SendTargets reports " + listen
              + ", which clients cannot reach: give --advertise HOST");
        }
        if (control != null) {
          startControl(new ServeControl(e.subsystems(), e.scsiTargets()), out);
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
        discovery.close();
        portals.forEach(IscsiTargetListener::close);
        ready.countDown();
      }
    }
    out.println("stopped");
    out.flush();
    return 0;
  }

  /** Standard input, one command a line, on a daemon thread; EOF ends the channel, not serve. */
  private static void startControl(ServeControl c, PrintWriter out) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          String answer = c.execute(line);
          if (answer != null) {
            synchronized (out) {
              out.println(answer);
              out.flush();
            }
          }
        }
      } catch (IOException e) {
        // standard input closed
      }
    }, "mpath-serve-control");
    t.setDaemon(true);
    t.start();
  }
}
