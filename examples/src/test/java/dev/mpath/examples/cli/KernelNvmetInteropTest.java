package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.testing.QemuGuest;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * mpath's NVMe/TCP host against the Linux kernel's own target (nvmet-tcp in a QEMU guest,
 * two ports forwarded to loopback): {@code list} shows one head with both paths,
 * {@code bench --verify} passes through it, and an ANA change made in the guest's configfs
 * is followed (the host reads the ANA log after nvmet's ANA change notice); {@code discover}
 * reads nvmet's discovery log through each port. Opt-in: runs
 * when {@code MPATH_QEMU} names qemu-nvme-client.sh.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KernelNvmetInteropTest {
  static final String NQN = "nqn.2024-01.io.example:sub1";
  static final int P1 = 14620;
  static final int P2 = 14621;
  static final int CTL = 14629;

  @Test
  void mpathHostAgainstLinuxNvmet() throws Exception {
    QemuGuest.require();
    Path script = QemuGuest.scriptFromResource(getClass(), "/kernel/nvmet-target.sh");
    try (QemuGuest guest = QemuGuest.start("nvmet", Duration.ofSeconds(230), "-L", P1 + "=4420",
        "-L", P2 + "=4421", "-L", CTL + "=9999", "-e", "HOLD=200", "-f", script.toString())) {
      guest.await("TARGET-READY", Duration.ofSeconds(120));
      String u1 = "nvme+tcp://127.0.0.1:" + P1 + "/" + NQN;
      String u2 = "nvme+tcp://127.0.0.1:" + P2 + "/" + NQN;

      // nvmet's discovery controller (every nvmet port serves the discovery NQN, and its log
      // lists what that port offers, itself first): mpath's discovery client reads it. The
      // entries name the guest's own address, which this host reaches only through the
      // forwards, so the test reads them and connects nothing from them.
      Cli disc = Cli.run("discover", "nvme+tcp://127.0.0.1:" + P1, "nvme+tcp://127.0.0.1:" + P2);
      assertEquals(0, disc.rc(), disc.err() + disc.out());
      for (String port : List.of("4420", "4421")) {
        assertTrue(disc.out().contains("subtype: nvme subsystem\ntreq:    not specified, sq flow control"
            + " disable supported\nportid:  " + (port.equals("4420") ? 1 : 2) + "\ntrsvcid: " + port
            + "\nsubnqn:  " + NQN + "\n"), disc.out());
        assertTrue(disc.out().contains("subtype: current discovery subsystem"), disc.out());
      }

      Cli list = Cli.run("list", u1, u2);
      assertEquals(0, list.rc(), list.err() + list.out());
      assertTrue(list.out().contains("nvme0n1"), list.out());
      assertTrue(list.out().contains("nvme0c0n1 live optimized"), list.out());
      assertTrue(list.out().contains("nvme0c1n1 live optimized"), list.out());

      Cli bench = Cli.run("bench", "--rw", "randrw", "--bs", "4k", "--iodepth", "8", "--runtime", "5",
          "--verify", "--size", "16m", u1, u2);
      assertEquals(0, bench.rc(), bench.err() + bench.out());

      try (Multipath mp = Multipath.builder().build()) {
        mp.connect(URI.create(u1)).get(60, TimeUnit.SECONDS);
        List<MultipathDevice> devs = mp.connect(URI.create(u2)).get(60, TimeUnit.SECONDS);
        MultipathDevice dev = devs.get(0);
        assertEquals(2, dev.paths().size(), dev.paths().toString());
        shell("echo inaccessible > /sys/kernel/config/nvmet/ports/1/ana_groups/1/ana_state");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accessOf(dev, 0) != AccessState.UNAVAILABLE && System.nanoTime() < deadline) {
          Thread.sleep(200); // waiting on the guest kernel's AEN, bounded
        }
        assertEquals(AccessState.UNAVAILABLE, accessOf(dev, 0), dev.paths().toString());
        assertEquals(AccessState.OPTIMIZED, accessOf(dev, 1), dev.paths().toString());
        byte[] block = new byte[4096];
        java.util.Arrays.fill(block, (byte) 0x5A);
        dev.write(0, java.nio.ByteBuffer.wrap(block)).get(30, TimeUnit.SECONDS);
        java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(4096);
        dev.read(0, back).get(30, TimeUnit.SECONDS);
        assertTrue(java.util.Arrays.equals(block, back.array()), "I/O through the optimized path");
      }
    }
  }

  private static AccessState accessOf(MultipathDevice dev, int index) {
    for (PathInfo p : dev.paths()) {
      if (p.index() == index) {
        return p.accessState();
      }
    }
    return null;
  }

  /** One line for the guest's control shell. */
  private static void shell(String line) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", CTL), 10_000);
      OutputStream o = s.getOutputStream();
      o.write((line + "\nexit\n").getBytes(StandardCharsets.UTF_8));
      o.flush();
      s.setSoTimeout(10_000);
      s.getInputStream().readAllBytes();
    }
  }
}
