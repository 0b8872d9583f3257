package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.spi.SystemScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sg_persist-style options against targets that outlive each invocation (started by the
 * test, reached by URI), as two hosts: A and B.
 */
class PersistCommandTest {
  static final String LU = "iqn.2024-01.dev.mpath:pr-lu";
  static final String NQN = "nqn.2024-01.dev.mpath:pr";
  private SystemScheduler scheduler;
  private Embedded targets;
  private String scsiUri;
  private String nvmeUri;

  @BeforeEach
  void start() throws Exception {
    scheduler = new SystemScheduler("test-targets");
    String name = "pr" + System.nanoTime();
    targets = Embedded.start(Topology.parse(
        "target " + name + "\n"
            + "nvme-subsystem " + NQN + " ports=2\n"
            + "nvme-namespace " + NQN + " nsid=1 blocks=8192\n"
            + "scsi-target " + LU + " tpgs=implicit\n"
            + "scsi-group " + LU + " id=1 state=ao\n"
            + "scsi-port " + LU + " id=1 group=1\n"
            + "scsi-port " + LU + " id=2 group=1\n"
            + "scsi-lun " + LU + " lun=0 blocks=8192\n"), scheduler);
    scsiUri = "scsi+loop://" + name + "/" + LU + "/0";
    nvmeUri = "nvme+loop://" + name + "/" + NQN;
  }

  @AfterEach
  void stop() {
    targets.close();
    scheduler.close();
  }

  private Cli a(String... args) {
    return host("iqn.2024-01.dev.mpath:host-a", "6f1c8b8e-58c7-4b87-9e0a-2a8f0d3e1a01", args);
  }

  private Cli b(String... args) {
    return host("iqn.2024-01.dev.mpath:host-b", "6f1c8b8e-58c7-4b87-9e0a-2a8f0d3e1b02", args);
  }

  /** {@code persist ARGS... --initiator --hostid --device URI}; the URI is the last of args. */
  private Cli host(String initiator, String hostId, String... args) {
    java.util.List<String> all = new java.util.ArrayList<>();
    all.add("persist");
    all.addAll(java.util.List.of(args).subList(0, args.length - 1));
    String uri = args[args.length - 1];
    all.add("--initiator=" + initiator);
    all.add("--hostid=" + hostId);
    all.add("--device=" + (uri.startsWith("nvme") ? "nvme0n1" : "sda"));
    all.add(uri);
    return Cli.run(all.toArray(new String[0]));
  }

  @Test
  void scsiReadKeysReservationAndFullStatusInSgPersistWording() {
    assertEquals(0, a("--out", "--register", "--param-sark=0xabc", scsiUri).rc());
    assertEquals(0, b("--out", "--register", "--param-sark=0x123", scsiUri).rc());
    Cli keys = a("--in", "--read-keys", scsiUri);
    assertEquals(0, keys.rc(), keys.err());
    String wwid = targets.scsiTargets().get(LU).lun(0).wwid();
    assertEquals("  sda (" + wwid + ")\n"
        + "  PR generation=0x4, 4 registered reservation keys follow:\n"
        + "    0xabc\n    0xabc\n    0x123\n    0x123\n", keys.out());
    Cli none = a("--in", "--read-reservation", scsiUri);
    assertEquals("  sda (" + wwid + ")\n  PR generation=0x4, there is NO reservation held\n", none.out());
    assertEquals(0, a("--out", "--reserve", "--param-rk=0xabc", "--prout-type=5", scsiUri).rc());
    Cli res = b("--in", "--read-reservation", scsiUri);
    assertEquals("  sda (" + wwid + ")\n"
        + "  PR generation=0x4, Reservation follows:\n"
        + "    Key=0xabc\n"
        + "    scope: LU_SCOPE,  type: Write Exclusive, registrants only\n", res.out());
    Cli full = b("--in", "--read-full-status", scsiUri);
    assertEquals(0, full.rc(), full.err());
    assertTrue(full.out().startsWith("  sda (" + wwid + ")\n  PR generation=0x4\n    Key=0xabc\n"
        + "      All target ports bit clear\n      Relative port address: 0x1\n"
        + "      << Reservation holder >>\n"
        + "      scope: LU_SCOPE,  type: Write Exclusive, registrants only\n"
        + "      Transport Id of initiator:\n"
        + "        iSCSI name and session id: iqn.2024-01.dev.mpath:host-a,i,0x00023d000001\n"), full.out());
    assertEquals(4, full.out().split("Key=", -1).length - 1);
    Cli caps = a("--in", "--report-capabilities", scsiUri);
    assertTrue(caps.out().contains("Report capabilities response:\n"), caps.out());
    assertTrue(caps.out().contains("      Write Exclusive, registrants only: 1\n"), caps.out());
    // B preempts and aborts A: A's reserve attempt now conflicts (exit 1, one line)
    assertEquals(0, b("--out", "--preempt-abort", "--param-rk=0x123", "--param-sark=0xabc", "--prout-type=5", scsiUri).rc());
    Cli after = a("--in", "--read-keys", scsiUri);
    assertTrue(after.out().endsWith("  PR generation=0x5, 2 registered reservation keys follow:\n    0x123\n    0x123\n"), after.out());
    Cli conflict = a("--out", "--reserve", "--param-rk=0xabc", "--prout-type=5", scsiUri);
    assertEquals(1, conflict.rc());
    assertTrue(conflict.err().contains("RESERVATION CONFLICT"), conflict.err());
    assertEquals(0, b("--out", "--clear", "--param-rk=0x123", scsiUri).rc());
    assertTrue(a("--in", "--read-keys", scsiUri).out().contains("there are NO registered reservation keys"));
  }

  @Test
  void nvmeRegistrationBelongsToTheHost() {
    assertEquals(0, a("--out", "--register", "--param-sark=0xabc", nvmeUri).rc());
    Cli keys = b("--in", "--read-keys", nvmeUri);
    assertTrue(keys.out().endsWith("  PR generation=0x1, 1 registered reservation key follows:\n    0xabc\n"), keys.out());
    assertEquals(0, a("--out", "--register-ignore", "--param-sark=0xdef", nvmeUri).rc());
    assertTrue(b("--in", "--read-keys", nvmeUri).out().endsWith("    0xdef\n"));
    Cli full = b("--in", "--read-full-status", nvmeUri);
    assertTrue(full.out().contains("        host identifier: 6f1c8b8e58c74b879e0a2a8f0d3e1a01\n"), full.out());
  }

  @Test
  void badArgumentsExitTwo() {
    Cli badKey = a("--out", "--register", "--param-sark=zz9", scsiUri);
    assertEquals(2, badKey.rc());
    assertTrue(badKey.err().contains("bad key 'zz9'"), badKey.err());
    Cli badType = a("--out", "--reserve", "--param-rk=1", "--prout-type=4", scsiUri);
    assertEquals(2, badType.rc());
    assertTrue(badType.err().contains("--prout-type=4"), badType.err());
    Cli mixed = a("--in", "--register", scsiUri);
    assertEquals(2, mixed.rc());
    Cli noAction = Cli.run("persist", "--in", scsiUri);
    assertEquals(2, noAction.rc());
    assertEquals(1, noAction.err().strip().lines().count(), noAction.err());
  }
}
