package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.Await;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10: one iSCSI session per (initiator, portal, target) carries every LUN, whether
 * the LUNs were connected one URI at a time or as a whole target; REPORTED LUNS DATA HAS
 * CHANGED makes the host look again, adding new LUNs and removing gone ones.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IscsiSessionPerNexusTest {
  static final String NAME = "iqn.2024-01.dev.mpath:nexus-lu";
  SystemScheduler scheduler;
  ScsiTarget target;
  IscsiTargetListener listener;
  Multipath mp;
  final ScsiProvider provider = new ScsiProvider();

  @BeforeEach
  void setUp() throws Exception {
    scheduler = new SystemScheduler("iscsi-nexus-test");
    target = ScsiTarget.builder(NAME, scheduler).port(1, 1)
        .lun(0, LuSpec.of(8192, 512)).lun(1, LuSpec.of(8192, 512)).lun(2, LuSpec.of(8192, 512))
        .build();
    listener = IscsiTargetListener.builder(target, 1).start();
    mp = Multipath.builder()
        .provider(provider).discoverProviders(false).scheduler(scheduler).jmxDomain(null)
        .checkInterval(Duration.ZERO)
        .ioPolicy(IoPolicy.roundRobin())
        .delayedRemoval(Duration.ofSeconds(30))
        .property("scsi.initiator", "iqn.2024-01.dev.mpath:nexus-host")
        .build();
  }

  @AfterEach
  void tearDown() {
    mp.close();
    listener.close();
    target.close();
    scheduler.close();
  }

  private static void io(MultipathDevice d) {
    d.read(0, ByteBuffer.allocate(512)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void lunUrisThroughOnePortalShareOneSession() {
    for (int lun = 0; lun < 3; lun++) {
      mp.connect(listener.uri(lun)).orTimeout(60, TimeUnit.SECONDS).join();
    }
    assertEquals(3, mp.devices().size());
    assertEquals(1, provider.sessions().size(), "one session for the nexus");
    assertEquals(1, listener.connectionCount(), "one connection carries the three LUNs");
    for (MultipathDevice d : mp.devices()) {
      io(d);
    }
    // a whole-target connect through the same portal merges with all three, same session
    URI whole = URI.create("iscsi://127.0.0.1:" + listener.tcpPort() + "/" + NAME);
    assertEquals(mp.devices(), mp.connect(whole).orTimeout(60, TimeUnit.SECONDS).join());
    assertEquals(1, provider.sessions().size());
    assertEquals(1, listener.connectionCount());
  }

  @Test
  void reportedLunsDataHasChangedAddsAndRemovesLuns() {
    URI whole = URI.create("iscsi://127.0.0.1:" + listener.tcpPort() + "/" + NAME);
    List<MultipathDevice> first = mp.connect(whole).orTimeout(60, TimeUnit.SECONDS).join();
    assertEquals(3, first.size());
    MultipathDevice lun0 = first.get(0);
    io(lun0); // takes the power-on unit attention

    target.addLun(7, LuSpec.of(4096, 512));
    io(lun0); // answered with 3Fh/0Eh first, retried: the host rescans
    Await.until("LUN 7 became a device", () -> mp.devices().size() == 4);
    MultipathDevice lun7 = mp.devices().stream().filter(d -> d.capacityBlocks() == 4096)
        .findFirst().orElseThrow();
    io(lun7);
    assertEquals(1, provider.sessions().size());
    assertEquals(1, listener.connectionCount(), "the new LUN rides the same session");

    MultipathDevice lun1 = first.get(1);
    io(lun1);
    target.removeLun(1);
    io(lun0);
    Await.until("LUN 1's path removed", () -> lun1.paths().isEmpty());
    assertEquals(3, provider.sessions().get(0).paths().size(), "LUNs 0, 2 and 7 are left");
    assertTrue(mp.devices().contains(lun1), "delayed removal keeps the head for a while");
    io(lun0);
    io(lun7);
  }
}
