package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * serve exposes the embedded subsystem over NVMe/TCP and the embedded SCSI target over iSCSI;
 * list in this process connects to both.
 */
class ServeCommandTest {
  @Test
  void serveThenListOverNvmeTcp() throws Exception {
    ServeCommand serve = new ServeCommand();
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(serve);
    cl.setOut(new PrintWriter(out, true));
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> rc = ex.submit(() -> cl.execute("--duration=60"));
      assertTrue(serve.ready.await(60, TimeUnit.SECONDS), "listeners up");
      List<String> uris = new ArrayList<>();
      List<String> iscsi = new ArrayList<>();
      for (String line : out.toString().split("\n")) {
        if (line.startsWith("nvme+tcp://127.0.0.1:")) {
          uris.add(line.split("\\s+")[0]);
        }
        if (line.startsWith("iscsi://127.0.0.1:")) {
          iscsi.add(line.split("\\s+")[0]);
        }
      }
      assertEquals(3, uris.size(), out.toString());
      assertEquals(2, iscsi.size(), "one portal per SCSI target port, one LUN: " + out);
      for (String u : iscsi) {
        assertTrue(u.matches("iscsi://127\\.0\\.0\\.1:\\d+/iqn\\.2024-01\\.dev\\.mpath:demo-lu/0"), u);
      }
      List<String> args = new ArrayList<>(List.of("list"));
      args.addAll(uris);
      Cli r = Cli.run(args.toArray(new String[0]));
      assertEquals(0, r.rc(), r.err());
      assertTrue(r.out().contains("|- nvme0c0n1 live optimized active ready"), r.out());
      assertTrue(r.out().contains("`- nvme0c2n1 live non-optimized active ready"), r.out());
      assertTrue(r.out().contains(" +- nvme0 tcp traddr=127.0.0.1,trsvcid="), r.out());

      Cli s = Cli.run(new String[] {"list", iscsi.get(0), iscsi.get(1)});
      assertEquals(0, s.rc(), s.err());
      assertTrue(s.out().contains("sda (naa.6001405"), s.out());
      assertTrue(s.out().contains("hwhandler='1 alua'"), s.out());
      assertTrue(s.out().contains("| `- sda:0 live optimized active ready"), s.out());
      assertTrue(s.out().contains("  `- sda:1 live non-optimized active ready"), s.out());

      // discovery: every NVMe/TCP port answers the discovery NQN with a log of all three, and
      // connecting that discovery URI (connect-all) gives the same head as the three URIs
      String port = uris.get(0).replaceAll("nvme\\+tcp://127\\.0\\.0\\.1:(\\d+)/.*", "$1");
      Cli d = Cli.run("discover", "nvme+tcp://127.0.0.1:" + port);
      assertEquals(0, d.rc(), d.err());
      assertTrue(d.out().contains("Discovery Log Number of Records 3, Generation counter "), d.out());
      for (String u : uris) {
        String p = u.replaceAll("nvme\\+tcp://127\\.0\\.0\\.1:(\\d+)/.*", "$1");
        assertTrue(d.out().contains("trsvcid: " + p + "\nsubnqn:  " + u.substring(u.indexOf('/', 12) + 1)
            + "\ntraddr:  127.0.0.1\n"), d.out());
      }
      assertTrue(d.out().contains("trtype:  tcp\nadrfam:  ipv4\nsubtype: nvme subsystem\n"
          + "treq:    not specified, sq flow control disable supported\nportid:  1\n"), d.out());
      Cli all = Cli.run("list", "nvme+tcp://127.0.0.1:" + port);
      assertEquals(0, all.rc(), all.err());
      assertTrue(all.out().contains("|- nvme0c0n1 live optimized active ready"), all.out());
      assertTrue(all.out().contains("`- nvme0c2n1 live non-optimized active ready"), all.out());

      // SendTargets through one portal lists both, iscsiadm style
      String portal = iscsi.get(0).replaceAll("iscsi://(127\\.0\\.0\\.1:\\d+)/.*", "$1");
      Cli st = Cli.run("discover", "iscsi://" + portal);
      assertEquals(0, st.rc(), st.err());
      List<String> lines = List.of(st.out().split("\n"));
      assertEquals(2, lines.size(), st.out());
      for (int i = 0; i < 2; i++) {
        String pi = iscsi.get(i).replaceAll("iscsi://(127\\.0\\.0\\.1:\\d+)/.*", "$1");
        assertEquals(pi + "," + (i + 1) + " iqn.2024-01.dev.mpath:demo-lu", lines.get(i), st.out());
      }
      Cli bad = Cli.run("discover", uris.get(0));
      assertEquals(2, bad.rc(), bad.out());
      assertTrue(bad.err().contains("not a discovery controller"), bad.err());
      rc.cancel(true); // interrupts the wait: serve closes its listeners and returns
    } finally {
      ex.shutdownNow();
      assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
    }
  }
}
