package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.spi.SystemScheduler;
import org.junit.jupiter.api.Test;

class FenceCommandTest {
  static final String LU = "iqn.2024-01.dev.mpath:fence-lu";
  static final String NQN = "nqn.2024-01.dev.mpath:fence";

  @Test
  void onStatusOffWithFenceAgentExitCodes() throws Exception {
    try (SystemScheduler s = new SystemScheduler("fence-targets")) {
      String name = "fence" + System.nanoTime();
      Embedded t = Embedded.start(Topology.parse(
          "target " + name + "\n"
              + "nvme-subsystem " + NQN + " ports=2\n"
              + "nvme-namespace " + NQN + " nsid=1 blocks=4096\n"
              + "scsi-target " + LU + " tpgs=implicit\n"
              + "scsi-group " + LU + " id=1 state=ao\n"
              + "scsi-port " + LU + " id=1 group=1\n"
              + "scsi-port " + LU + " id=2 group=1\n"
              + "scsi-lun " + LU + " lun=0 blocks=4096\n"), s);
      try (t) {
        String[] uris = {"nvme+loop://" + name + "/" + NQN, "scsi+loop://" + name + "/" + LU + "/0"};
        String[] nodeA = {"--initiator=iqn.2024-01.dev.mpath:node-a", "--hostid=0d1d2d3d-0000-4000-8000-00000000000a"};
        String[] nodeB = {"--initiator=iqn.2024-01.dev.mpath:node-b", "--hostid=0d1d2d3d-0000-4000-8000-00000000000b"};
        assertEquals(2, fence(nodeA, uris, "--action=status", "--key=0xa").rc(), "not registered yet: off");
        Cli on = fence(nodeA, uris, "--action=on", "--key=0xa");
        assertEquals(0, on.rc(), on.out() + on.err());
        assertTrue(on.out().contains("nvme0n1: registered 0xa\n") && on.out().contains("sda: registered 0xa\n"), on.out());
        assertEquals(0, fence(nodeB, uris, "--action=on", "--key=0xb").rc());
        Cli status = fence(nodeB, uris, "--action=status", "--key=0xa");
        assertEquals(0, status.rc(), status.out());
        assertTrue(status.out().endsWith("Status: ON\n"), status.out());
        Cli off = fence(nodeB, uris, "--action=off", "--key=0xa", "--host-key=0xb");
        assertEquals(0, off.rc(), off.out() + off.err());
        Cli after = fence(nodeB, uris, "--action=status", "--key=0xa");
        assertEquals(2, after.rc(), after.out());
        assertTrue(after.out().endsWith("Status: OFF\n"), after.out());
        assertEquals(0, fence(nodeA, uris, "--action=monitor").rc());
        // node A is fenced: its own "on" re-registers (it is the cluster's decision to unfence)
        Cli badKey = fence(nodeA, uris, "--action=status", "--key=zz");
        assertEquals(2, badKey.rc());
        assertTrue(badKey.err().contains("bad key"), badKey.err());
        Cli badAction = fence(nodeA, uris, "--action=reboot", "--key=1");
        assertEquals(2, badAction.rc());
      }
    }
  }

  private static Cli fence(String[] node, String[] uris, String... args) {
    String[] all = new String[1 + node.length + args.length + uris.length];
    all[0] = "fence";
    System.arraycopy(node, 0, all, 1, node.length);
    System.arraycopy(args, 0, all, 1 + node.length, args.length);
    System.arraycopy(uris, 0, all, 1 + node.length + args.length, uris.length);
    return Cli.run(all);
  }
}
