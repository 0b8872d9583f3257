package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListCommandTest {

  /** multipath -ll blocks of the embedded topology; WWIDs derive from the topology names. */
  static final String GOLDEN_LL =
      "nvme0n1 (eui.bd0038359ac4dfd3e549c0e888c59cb8) NVMe,mpath emulated NVMe\n"
          + "size=64M features='0' hwhandler='0' wp=rw\n"
          + "|-+- policy='numa 0' prio=50 status=active\n"
          + "| |- nvme0c0n1 live optimized active ready\n"
          + "| `- nvme0c1n1 live optimized active ready\n"
          + "`-+- policy='numa 0' prio=10 status=enabled\n"
          + "  `- nvme0c2n1 live non-optimized active ready\n"
          + "nvme0n2 (eui.16d555178523743e47e4df1b400709a0) NVMe,mpath emulated NVMe\n"
          + "size=32M features='0' hwhandler='0' wp=rw\n"
          + "|-+- policy='numa 0' prio=50 status=active\n"
          + "| |- nvme0c1n2 live optimized active ready\n"
          + "| `- nvme0c2n2 live optimized active ready\n"
          + "`-+- policy='numa 0' prio=10 status=enabled\n"
          + "  `- nvme0c0n2 live non-optimized active ready\n"
          + "sda (naa.6001405efa8320695461d34f2b60a095) MPATH,EMULATED LU\n"
          + "size=64M features='0' hwhandler='1 alua' wp=rw\n"
          + "|-+- policy='numa 0' prio=50 status=active\n"
          + "| `- sda:0 live optimized active ready\n"
          + "`-+- policy='numa 0' prio=10 status=enabled\n"
          + "  `- sda:1 live non-optimized active ready\n";

  @Test
  void multipathLlAndListSubsysOfTheEmbeddedTopology() {
    Cli r = Cli.run("list", "embedded");
    assertEquals(0, r.rc(), r.err());
    String[] parts = r.out().split("\n\n", 2);
    assertEquals(GOLDEN_LL, parts[0] + "\n");
    String subsys = parts[1].replaceAll("hostnqn=\\S+", "hostnqn=HOST");
    assertEquals(
        "nvme-subsys0 - NQN=nqn.2024-01.dev.mpath:demo\n"
            + "               hostnqn=HOST\n"
            + "               iopolicy=numa\n"
            + "\\\n"
            + " +- nvme0 loop traddr=embedded,trsvcid=1 live\n"
            + " +- nvme1 loop traddr=embedded,trsvcid=2 live\n"
            + " +- nvme2 loop traddr=embedded,trsvcid=3 live\n",
        subsys);
  }

  @TempDir Path dir;

  /**
   * hwhandler follows the LU's standard INQUIRY TPGS field, as multipath -ll does: '0' where
   * TPGS is 00b (tgt, say: scsi_dh_alua does not attach), '1 alua' where it is not
   * ({@link #GOLDEN_LL}'s sda).
   */
  @Test
  void hwhandlerIsZeroWhereTheLuReportsNoTpgs() throws Exception {
    Path f = dir.resolve("tpgs-none.conf");
    Files.writeString(f, "target hw1\n"
        + "scsi-target iqn.2024-01.dev.mpath:no-alua tpgs=none\n"
        + "scsi-port iqn.2024-01.dev.mpath:no-alua id=1\n"
        + "scsi-port iqn.2024-01.dev.mpath:no-alua id=2\n"
        + "scsi-lun iqn.2024-01.dev.mpath:no-alua lun=0 blocks=2048\n");
    Cli r = Cli.run("list", "--config", f.toString());
    assertEquals(0, r.rc(), r.err());
    assertEquals(
        "sda (naa.60014058c01f75e4001595e71889233e) MPATH,EMULATED LU\n"
            + "size=1M features='0' hwhandler='0' wp=rw\n"
            + "`-+- policy='numa 0' prio=50 status=active\n"
            + "  |- sda:0 live optimized active ready\n"
            + "  `- sda:1 live optimized active ready\n",
        r.out());
  }

  @Test
  void verboseAddsTransportsAndPerNamespaceAnaStates() {
    Cli r = Cli.run("list", "-v");
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.out().contains("nvme0c2n1 live non-optimized active ready [nvme+loop://embedded/"), r.out());
    assertTrue(r.out().contains("    +- nvme0c0n2 non-optimized\n"), r.out());
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonUsesNvmeCliFieldNames() {
    Cli r = Cli.run("list", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> root = (Map<String, Object>) MiniJson.parse(r.out());
    assertTrue(((String) root.get("HostNQN")).startsWith("nqn.2014-08.org.nvmexpress:uuid:"));
    List<Object> subs = (List<Object>) root.get("Subsystems");
    Map<String, Object> s0 = (Map<String, Object>) subs.get(0);
    assertEquals("nvme-subsys0", s0.get("Name"));
    assertEquals("nqn.2024-01.dev.mpath:demo", s0.get("NQN"));
    List<Object> ctrls = (List<Object>) s0.get("Paths");
    assertEquals(3, ctrls.size());
    assertEquals("live", ((Map<String, Object>) ctrls.get(0)).get("State"));
    List<Object> devs = (List<Object>) root.get("Devices");
    assertEquals(3, devs.size());
    Map<String, Object> sda = (Map<String, Object>) devs.get(2);
    assertEquals("sda", sda.get("Name"));
    assertEquals(64L * 1024 * 1024, ((Number) sda.get("Size")).longValue());
    Map<String, Object> p1 = (Map<String, Object>) ((List<Object>) sda.get("Paths")).get(1);
    assertEquals("sda:1", p1.get("Name"));
    assertEquals("non-optimized", p1.get("ANAState"));
    assertEquals(10L, ((Number) p1.get("Priority")).longValue());
  }

  @Test
  void badInputExitsTwoWithOneLine() {
    Cli unknown = Cli.run("list", "fc://host/x");
    assertEquals(2, unknown.rc());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    assertTrue(unknown.err().contains("no provider for 'fc://host/x'"), unknown.err());

    Cli unreachable = Cli.run("list", "nvme+loop://nowhere/nqn.2024-01.x:y");
    assertEquals(2, unreachable.rc());
    assertTrue(unreachable.err().contains("no NVMe loop target named 'nowhere'"), unreachable.err());

    Cli option = Cli.run("list", "--bogus");
    assertEquals(2, option.rc());
    assertEquals(1, option.err().strip().lines().count(), option.err());

    Cli notUri = Cli.run("list", "just-words");
    assertEquals(2, notUri.rc());
    assertTrue(notUri.err().contains("is not a target URI"), notUri.err());
  }
}
