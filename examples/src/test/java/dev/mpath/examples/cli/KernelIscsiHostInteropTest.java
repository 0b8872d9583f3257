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
 * A real Linux 6.1 iSCSI host (open-iscsi, dm-multipath, scsi_dh_alua) against
 * {@code mpath serve} in another process: SendTargets lists both portals at the advertised
 * address, two sessions, the ALUA device handler attached to both disks, one map with two
 * priority groups (active/optimized 50, active/non-optimized 10), verified direct I/O at
 * 4 KiB, 128 KiB and 1 MiB carried by the optimized path only, and relative port 1 taken
 * down through the control channel while the guest reads: no read fails, the reads move to
 * port 2 (whose group scsi_dh_alua activates with an STPG that the LU honours), and the path
 * comes back. Opt-in: runs when {@code MPATH_QEMU} names
 * qemu-nvme-client.sh and {@code MPATH_QEMU_ISCSI} says its {@code --iscsi} guest works.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KernelIscsiHostInteropTest {
  static final String IQN = "iqn.2024-01.dev.mpath:demo-lu";
  /** serve's first port: NVMe/TCP takes this one and the next two, iSCSI the two after. */
  static final int FIRST_PORT = 14720;
  static final int PORTAL1 = FIRST_PORT + 3;
  static final int PORTAL2 = FIRST_PORT + 4;

  @Test
  void linuxIscsiHostWithDmMultipathUsesMpathServe() throws Exception {
    QemuGuest.require();
    QemuGuest.requireIscsi();
    Path script = QemuGuest.scriptFromResource(getClass(), "/kernel/iscsi-host.sh");
    try (ServeProcess serve = ServeProcess.start(FIRST_PORT)) {
      for (int p : List.of(PORTAL1, PORTAL2)) {
        assertTrue(serve.printed.stream().anyMatch(l -> l.startsWith("iscsi://10.0.2.100:" + p + "/" + IQN + "/0")),
            "serve prints portal " + p + ": " + serve.printed);
      }
      try (QemuGuest guest = QemuGuest.start("iscsi-host", Duration.ofSeconds(240), "--iscsi",
          "-p", "10.0.2.100:" + PORTAL1 + "=" + PORTAL1,
          "-p", "10.0.2.100:" + PORTAL2 + "=" + PORTAL2, "-f", script.toString())) {
        Duration step = Duration.ofSeconds(180);
        assertEquals("2", guest.await("ST=(\\d+)", step).group(1), guest.console());
        guest.await("10.0.2.100:" + PORTAL1 + ",1 " + IQN, step);
        guest.await("10.0.2.100:" + PORTAL2 + ",2 " + IQN, step);
        assertEquals("2", guest.await("SESSIONS=(\\d+)", step).group(1), guest.console());
        assertTrue(guest.await("MAP=(\\S+)", step).group(1).startsWith("mpath"), guest.console());
        assertEquals("hwhandler='1 alua'", guest.await("HWHANDLER=(.*)", step).group(1), guest.console());
        assertEquals("prio=50 prio=10 ", guest.await("PRIOS=(.*)", step).group(1), guest.console());
        Matcher dh = guest.await("DH (sd\\w+)=(\\S+) (sd\\w+)=(\\S+)", step);
        assertEquals("alua", dh.group(2), dh.group());
        assertEquals("alua", dh.group(4), dh.group());
        for (String bs : List.of("4k", "128k", "1M")) {
          guest.await("VERIFY-OK " + bs, step);
        }
        Matcher io = guest.await("IO port1=(\\d+) port2=(\\d+)", step);
        assertTrue(Integer.parseInt(io.group(1)) >= 12, "reads through the optimized port: " + io.group());
        assertEquals("0", io.group(2), "nothing through the non-optimized port while port 1 serves");

        guest.await("PORT-DOWN-READY", step);
        assertTrue(serve.command("scsi-port " + IQN + " 1 down").startsWith("ok"));
        Thread.sleep(8000); // the guest reads through the outage (replacement_timeout 5 s)
        assertTrue(serve.command("scsi-port " + IQN + " 1 up").startsWith("ok"));
        assertEquals("0", guest.await("READ-ERRORS=(\\d+)", step).group(1), guest.console());
        Matcher moved = guest.await("OUTAGE-IO port2=(\\d+)", step);
        assertTrue(Integer.parseInt(moved.group(1)) > 0, "reads moved to port 2: " + moved.group());
        // failing over activated port 2's group: scsi_dh_alua sent STPG, and the LU made it optimized
        assertEquals("active/optimized", guest.await("PORT2-AFTER=(\\S+)", step).group(1), guest.console());
        assertEquals("active ready", guest.await("PATH1-STATE=(.*)", step).group(1).trim(), guest.console());
        guest.await("VERIFY-AFTER-OK", step);
        guest.await("GUEST-DONE", step);
        assertEquals(0, guest.waitFor(Duration.ofSeconds(60)), guest.tail(40));
      }
    }
  }
}
