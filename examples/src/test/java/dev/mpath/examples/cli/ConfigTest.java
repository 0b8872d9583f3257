package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --config FILE: a declarative topology started in process. */
class ConfigTest {
  @TempDir Path dir;

  @Test
  void aTopologyFileDrivesList() throws Exception {
    Path f = dir.resolve("topo.conf");
    Files.writeString(f, "# two-port LU and a one-port subsystem\n"
        + "target cfg1\n"
        + "nvme-subsystem nqn.2024-01.dev.mpath:cfg ports=1\n"
        + "nvme-namespace nqn.2024-01.dev.mpath:cfg nsid=7 blocks=2048 block-size=4096\n"
        + "scsi-target iqn.2024-01.dev.mpath:cfg-lu tpgs=implicit\n"
        + "scsi-group iqn.2024-01.dev.mpath:cfg-lu id=1 state=ao\n"
        + "scsi-port iqn.2024-01.dev.mpath:cfg-lu id=1 group=1\n"
        + "scsi-port iqn.2024-01.dev.mpath:cfg-lu id=2 group=1\n"
        + "scsi-lun iqn.2024-01.dev.mpath:cfg-lu lun=3 blocks=1024\n");
    Cli r = Cli.run("list", "--config", f.toString());
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.out().contains("size=8M"), r.out()); // 2048 x 4 KiB
    assertTrue(r.out().contains("`- nvme0c0n1 live optimized active ready"), r.out());
    assertTrue(r.out().contains("| `- sda:1 live optimized active ready") || r.out().contains("|- sda:0"), r.out());
  }

  @Test
  void malformedLinesAreRefusedWithTheirNumber() throws Exception {
    String[][] cases = {
      {"nvme-subsystem nqn.x ports=2\nnvme-namespace nqn.x nsid=1\n", "line 2: nvme-namespace needs blocks="},
      {"scsi-target t1\nscsi-grup t1 id=1 state=ao\n", "line 2: unknown statement 'scsi-grup'"},
      {"nvme-subsystem nqn.x ports=two\n", "line 1: 'two' is not a non-negative number"},
      {"scsi-target t1 tpgs\n", "line 1: expected key=value, got 'tpgs'"},
      {"scsi-target t1 tpgs=sometimes\nscsi-lun t1 lun=0 blocks=8\n", "line 1: tpgs 'sometimes'"},
    };
    for (String[] c : cases) {
      Path f = dir.resolve("bad.conf");
      Files.writeString(f, c[0]);
      Cli r = Cli.run("list", "--config", f.toString());
      assertEquals(2, r.rc(), c[0]);
      assertTrue(r.err().contains(c[1]), "[" + r.err() + "] [" + r.out() + "]");
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    // values are checked when the topology is started, still naming the line
    Topology t = Topology.parse("nvme-subsystem nqn.x ports=1\nnvme-ana nqn.x group=1 port=1 state=sideways\n");
    Topology.TopologyException e = assertThrows(Topology.TopologyException.class,
        () -> Embedded.start(t, new dev.mpath.testing.ManualScheduler()));
    assertTrue(e.getMessage().startsWith("line 2: ANA state 'sideways'"), e.getMessage());
  }
}
