package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  void demoPassesEveryCheckAndExitsZero() {
    Cli r = Cli.run("demo", "--step-ms=1000", "--threads=2");
    assertEquals(0, r.rc(), r.out() + r.err());
    assertTrue(r.out().contains("[7/7] Fence"), r.out());
    assertTrue(r.out().contains("Summary: 11 checks, 0 failed;"), r.out());
    assertTrue(r.out().endsWith("All checks passed.\n"), r.out());
    assertTrue(!r.out().contains("[FAILED]"));
  }

  @Test
  void helpOnEveryCommand() {
    for (String cmd : new String[] {"demo", "list", "persist", "fence", "bench", "overhead"}) {
      Cli r = Cli.run(cmd, "--help");
      assertEquals(0, r.rc(), cmd);
      assertTrue(r.out().startsWith("Usage: mpath " + cmd), r.out());
    }
    Cli top = Cli.run("--help");
    assertEquals(0, top.rc());
    assertTrue(top.out().contains("demo") && top.out().contains("persist"));
    Cli unknown = Cli.run("frobnicate");
    assertEquals(2, unknown.rc());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
  }
}
