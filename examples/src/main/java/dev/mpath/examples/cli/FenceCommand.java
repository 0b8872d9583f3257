package dev.mpath.examples.cli;

import dev.mpath.MultipathDevice;
import dev.mpath.ReservationType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mpath fence}: a fence_mpath-style agent on persistent reservations.
 *
 * <ul>
 *   <li>{@code on}: register {@code --key} on every device (REGISTER AND IGNORE EXISTING
 *       KEY) and reserve Write Exclusive, registrants only, where nobody holds a reservation.
 *   <li>{@code off}: preempt and abort {@code --key} with this node's {@code --host-key}.
 *   <li>{@code status}: 0 when {@code --key} is registered on every device (on), 2 when not
 *       (off), 1 on failure.
 *   <li>{@code monitor}: 0 when every device answers, 1 otherwise.
 * </ul>
 * Exit codes follow fence agents: 0 success, 1 failure (status: 2 = off).
 */
@Command(name = "fence", mixinStandardHelpOptions = true,
    description = "Fence agent on persistent reservations (fence_mpath style).")
final class FenceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TargetOptions targets = new TargetOptions();

  @Option(names = {"-o", "--action"}, required = true, paramLabel = "ACTION",
      description = "on, off, status or monitor.")
  String action;

  @Option(names = {"-k", "--key"}, paramLabel = "KEY", description = "The node's reservation key.")
  String key;

  @Option(names = "--host-key", paramLabel = "KEY", description = "This node's key (off: the preempting key).")
  String hostKey;

  @Option(names = {"-d", "--devices"}, split = ",", paramLabel = "DEV",
      description = "Devices (names or aliases); default all.")
  List<String> devices = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!List.of("on", "off", "status", "monitor").contains(action)) {
      throw new IllegalArgumentException("--action must be on, off, status or monitor, not '" + action + "'");
    }
    if (!action.equals("monitor") && key == null) {
      throw new IllegalArgumentException("--key is required for --action " + action);
    }
    long k = key == null ? 0 : Keys.parse("--key", key);
    if (action.equals("off") && hostKey == null) {
      throw new IllegalArgumentException("--host-key is required for --action off");
    }
    long hk = hostKey == null ? 0 : Keys.parse("--host-key", hostKey);
    PrintWriter out = spec.commandLine().getOut();
    try (Hosts hosts = new Hosts(targets::identity)) {
      hosts.open(targets.topology(), targets.uris());
      List<MultipathDevice> devs = new ArrayList<>();
      if (devices.isEmpty()) {
        devs.addAll(hosts.mp.devices());
      } else {
        for (String d : devices) {
          devs.add(hosts.device(d));
        }
      }
      boolean failed = false;
      boolean off = false;
      for (MultipathDevice d : devs) {
        try {
          switch (action) {
            case "on":
              d.reservations().register(0, k, true, false).join();
              if (d.reservations().readReservation().join().isEmpty()) {
                d.reservations().reserve(k, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).join();
              }
              out.println(d.name() + ": registered " + Keys.hex(k));
              break;
            case "off":
              d.reservations().preempt(hk, k, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true).join();
              out.println(d.name() + ": fenced " + Keys.hex(k));
              break;
            case "status":
              boolean on = d.reservations().readKeys().join().contains(k);
              out.println(d.name() + ": " + Keys.hex(k) + " is " + (on ? "registered" : "not registered"));
              off |= !on;
              break;
            default:
              d.reservations().readKeys().join();
              out.println(d.name() + ": ok");
          }
        } catch (RuntimeException e) {
          Throwable c = e.getCause() != null ? e.getCause() : e;
          out.println(d.name() + ": failed: " + c.getMessage());
          failed = true;
        }
      }
      int rc = failed ? 1 : off ? 2 : 0;
      out.println("Status: " + (failed ? "FAILED" : off ? "OFF" : action.equals("status") ? "ON" : "OK"));
      out.flush();
      return rc;
    }
  }
}
