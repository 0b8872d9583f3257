package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.alua.AluaState;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The serve control channel acts on the emulators and answers every line, bad ones too. */
class ServeControlTest {
  static final String NQN = "nqn.2024-01.dev.mpath:demo";
  static final String LU = "iqn.2024-01.dev.mpath:demo-lu";

  @Test
  void commandsActOnTheEmulators() throws Exception {
    try (SystemScheduler scheduler = new SystemScheduler("control-test");
        Embedded e = Embedded.start(Topology.defaults(), scheduler)) {
      ServeControl c = new ServeControl(e.subsystems(), e.scsiTargets());
      NvmeSubsystem s = e.subsystems().values().stream().filter(x -> x.nqn().equals(NQN)).findFirst().orElseThrow();
      ScsiTarget t = e.scsiTargets().values().iterator().next();
      assertEquals(LU, t.name());

      assertEquals("ok " + NQN + " port 1 down", c.execute("nvme-port " + NQN + " 1 down"));
      assertTrue(s.faults(1).isKilled());
      assertEquals("ok " + NQN + " port 1 up", c.execute("nvme-port " + NQN + " 1 up  # comment"));
      assertFalse(s.faults(1).isKilled());

      assertEquals("ok " + NQN + " ANA group 1 port 2 INACCESSIBLE", c.execute("ana " + NQN + " 1 2 inaccessible"));
      assertEquals(AnaState.INACCESSIBLE, s.anaState(1, 2));
      c.execute("ana " + NQN + " 1 2 non-optimized");
      assertEquals(AnaState.NON_OPTIMIZED, s.anaState(1, 2));

      assertTrue(c.execute("nvme-delay " + NQN + " 3 25").startsWith("ok"));
      assertEquals(Duration.ofMillis(25), s.faults(3).delay());

      assertEquals("ok " + LU + " port 2 down", c.execute("scsi-port " + LU + " 2 down"));
      assertTrue(t.faults(2).isKilled());
      c.execute("scsi-port " + LU + " 2 up");
      assertFalse(t.faults(2).isKilled());

      int portOfGroup1 = 1;
      int group = t.portGroupOf(portOfGroup1);
      assertTrue(c.execute("alua " + LU + " " + group + " standby 0").startsWith("ok"), "alua answered");
      assertEquals(AluaState.STANDBY, t.portGroups().stateOfPort(portOfGroup1));
      assertTrue(c.execute("alua " + LU + " " + group + " active-optimized").startsWith("ok"));
      assertEquals(AluaState.TRANSITIONING, t.portGroups().stateOfPort(portOfGroup1),
          "without MS: through the implicit transition time");
      assertTrue(c.execute("scsi-delay " + LU + " 1 5").startsWith("ok"));
      assertEquals(Duration.ofMillis(5), t.faults(1).delay());
    }
  }

  @Test
  void badLinesGetOneErrorLineAndChangeNothing() throws Exception {
    try (SystemScheduler scheduler = new SystemScheduler("control-test");
        Embedded e = Embedded.start(Topology.defaults(), scheduler)) {
      ServeControl c = new ServeControl(e.subsystems(), e.scsiTargets());
      assertNull(c.execute("   "));
      assertNull(c.execute("# just a comment"));
      assertTrue(c.execute("help").startsWith("ok commands:"));
      for (String bad : new String[] {"frobnicate", "nvme-port", "nvme-port nqn.nope 1 down",
          "nvme-port " + NQN + " 9 down", "nvme-port " + NQN + " 1 sideways", "ana " + NQN + " 1 1 purple",
          "ana " + NQN + " x 1 optimized", "scsi-port " + LU + " -1 down", "alua nope 1 standby",
          "nvme-delay " + NQN + " 1"}) {
        String a = c.execute(bad);
        assertTrue(a.startsWith("error: "), bad + " -> " + a);
        assertFalse(a.contains("\n"), a);
      }
    }
  }
}
