package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the measurement small; asserts its shape, never its timing. */
class OverheadCommandTest {
  @Test
  @SuppressWarnings("unchecked")
  void reportsHeadCostAndItsShareOfALoopIo() {
    Cli r = Cli.run("overhead", "--ios=2000", "--rounds=3", "--transport-ios=200", "--json");
    assertEquals(0, r.rc(), r.err());
    Map<String, Object> m = (Map<String, Object>) MiniJson.parse(r.out());
    assertEquals("round-robin", m.get("policy"));
    assertEquals(4L, ((Number) m.get("paths")).longValue());
    for (String k : new String[] {"direct_ns_per_io", "head_ns_per_io", "ratio", "nvme_loop_read_ns_per_io",
        "head_share_of_nvme_loop_io"}) {
      assertTrue(m.get(k) instanceof Number, k + " in " + r.out());
      assertTrue(((Number) m.get(k)).doubleValue() > 0 || k.startsWith("head_share"), k);
    }
    Cli bad = Cli.run("overhead", "--paths=0");
    assertEquals(2, bad.rc());
  }
}
