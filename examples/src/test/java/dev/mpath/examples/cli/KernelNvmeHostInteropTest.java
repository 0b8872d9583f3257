package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.testing.QemuGuest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Linux 6.1 NVMe/TCP host (nvme-cli, native NVMe multipath) against {@code mpath serve}
 * in another process: {@code nvme discover} lists every port at the advertised address,
 * {@code nvme connect-all} makes three paths to one head with the served ANA states, verified direct
 * I/O at 4 KiB, 128 KiB and 1 MiB with header and data digests, a port taken down through
 * the control channel while the guest reads (no read fails, the path comes back), an ANA
 * flip that moves the guest's I/O (per-path counts from the guest's sysfs), and
 * reservations through the head. Opt-in: runs when {@code MPATH_QEMU} names
 * qemu-nvme-client.sh.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KernelNvmeHostInteropTest {
  static final String NQN = "nqn.2024-01.dev.mpath:demo";
  static final int FIRST_PORT = 14520;

  @Test
  void linuxHostUsesMpathServe() throws Exception {
    QemuGuest.require();
    Path script = QemuGuest.scriptFromResource(getClass(), "/kernel/nvme-host.sh");
    ServeProcess serve = ServeProcess.start(FIRST_PORT);
    // the guest reaches every port at 10.0.2.100 (forwarded to loopback), which serve advertises
    try (QemuGuest guest = QemuGuest.start("nvme-host", Duration.ofSeconds(240),
        "-p", "10.0.2.100:" + FIRST_PORT + "=" + FIRST_PORT,
        "-p", "10.0.2.100:" + (FIRST_PORT + 1) + "=" + (FIRST_PORT + 1),
        "-p", "10.0.2.100:" + (FIRST_PORT + 2) + "=" + (FIRST_PORT + 2), "-f", script.toString())) {
      Duration step = Duration.ofSeconds(180);
      assertEquals("3", guest.await("DISCOVERED=(\\d+)", step).group(1), guest.console());
      assertEquals("3", guest.await("PATHS=(\\d+)", step).group(1), guest.console());
      guest.await("ANA c0=optimized", step);
      guest.await("ANA c1=optimized", step);
      guest.await("ANA c2=non-optimized", step);
      for (String bs : List.of("4k", "128k", "1M")) {
        guest.await("VERIFY-OK " + bs, step);
      }

      guest.await("PORT-DOWN-READY", step);
      assertTrue(serve.command("nvme-port " + NQN + " 1 down").startsWith("ok"));
      Thread.sleep(4000); // the guest reads through the outage
      assertTrue(serve.command("nvme-port " + NQN + " 1 up").startsWith("ok"));
      assertEquals("0", guest.await("READ-ERRORS=(\\d+)", step).group(1), guest.console());
      guest.await("PORT1-STATE=live", step);

      guest.await("ANA-READY", step);
      assertTrue(serve.command("ana " + NQN + " 1 1 inaccessible").startsWith("ok"));
      assertTrue(serve.command("ana " + NQN + " 1 2 inaccessible").startsWith("ok"));
      assertTrue(serve.command("ana " + NQN + " 1 3 optimized").startsWith("ok"));
      guest.await("ANA-AFTER c0=inaccessible", step);
      guest.await("ANA-AFTER c2=optimized", step);
      Matcher io = guest.await("ANA-IO c0=(\\d+) c2=(\\d+)", step);
      assertEquals("0", io.group(1), "no I/O through the inaccessible path");
      assertTrue(Integer.parseInt(io.group(2)) >= 200, "the reads moved to the optimized path: " + io.group());
      guest.await("RESV-OK", step);
      guest.await("GUEST-DONE", step);
      assertEquals(0, guest.waitFor(Duration.ofSeconds(60)), guest.tail(40));
    } finally {
      serve.close();
    }
  }
}
