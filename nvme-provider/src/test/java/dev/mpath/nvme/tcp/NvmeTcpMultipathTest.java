package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.Await;
import dev.mpath.testing.VerifiedLoad;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End to end: one subsystem served by two NvmeTcpListeners (ports 1 and 2) on 127.0.0.1, a
 * Multipath host connected through both.
 */
class NvmeTcpMultipathTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-e2e";
  private final SystemScheduler real = new SystemScheduler("tcp-e2e-timer");
  private NvmeSubsystem subsys;
  private NvmeTcpListener l1;
  private NvmeTcpListener l2;
  private Multipath mp;

  @BeforeEach
  void setUp() throws Exception {
    byte[] nguid = new byte[16];
    nguid[0] = 0x60;
    nguid[15] = 0x42;
    subsys = NvmeSubsystem.builder(NQN, real).ports(2)
        .namespace(NamespaceSpec.builder(1).blocks(65536).nguid(nguid).build())
        .build();
    l1 = NvmeTcpListener.start(subsys, 1);
    l2 = NvmeTcpListener.start(subsys, 2);
  }

  @AfterEach
  void tearDown() {
    if (mp != null) {
      mp.close();
    }
    l1.close();
    l2.close();
    subsys.close();
    real.close();
  }

  private MultipathDevice connect(boolean digests) {
    mp = Multipath.builder()
        .provider(new NvmeProvider())
        .discoverProviders(false)
        .scheduler(real)
        .jmxDomain(null)
        .checkInterval(Duration.ZERO)
        .ioPolicy(IoPolicy.roundRobin())
        .property("nvme.hostid", UUID.randomUUID().toString())
        .property("nvme.reconnect_delay_ms", "100")
        .build();
    String q = digests ? "?hdgst=1&ddgst=1" : "";
    List<MultipathDevice> a = mp.connect(URI.create(l1.uri() + q)).join();
    List<MultipathDevice> b = mp.connect(URI.create(l2.uri() + q)).join();
    assertEquals(1, a.size());
    assertEquals(1, b.size());
    assertEquals(1, mp.devices().size(), "one head");
    MultipathDevice d = mp.devices().get(0);
    assertEquals("nvme0n1", d.name());
    assertEquals(List.of("nvme0c0n1", "nvme0c1n1"), d.paths().stream().map(PathInfo::name).toList());
    assertEquals(65536, d.capacityBlocks());
    return d;
  }

  private static ByteBuffer pattern(long lba, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (lba * 131 + i * 7 + (i >>> 10)));
    }
    return b;
  }

  @ParameterizedTest(name = "digests {0}")
  @CsvSource({"false", "true"})
  void verifiedWritesAndReadsOverBothPaths(boolean digests) {
    MultipathDevice d = connect(digests);
    int[] sizes = {512, 4096, 8192, 12288, 65536, 131072, 1 << 20};
    long lba = 0;
    for (int round = 0; round < 2; round++) { // round robin: each size through both paths
      for (int size : sizes) {
        ByteBuffer src = pattern(lba + round, size);
        d.write(lba, src).join();
        ByteBuffer dst = ByteBuffer.allocate(size);
        d.read(lba, dst).join();
        assertEquals(src, dst, size + " bytes at lba " + lba);
        lba += size / 512;
      }
    }
    for (PathInfo p : d.paths()) {
      assertTrue(p.stats().ios() > 0, p.name() + " carried I/O");
      assertEquals(PathState.LIVE, p.state());
    }
    assertEquals(0, d.stats().errors());
  }

  @ParameterizedTest(name = "digests {0}, kill by {1}")
  @CsvSource({"false,listener", "true,listener", "false,fault", "true,fault"})
  void losingOnePathUnderLoadSurfacesNoError(boolean digests, String how) throws Exception {
    MultipathDevice d = connect(digests);
    PathInfo lost = d.paths().get(0);
    PathInfo other = d.paths().get(1);
    long[] otherBefore = new long[1];
    // every third write is 16 KiB: beyond the in-capsule size, so it goes through R2T
    VerifiedLoad.Result r = VerifiedLoad.run(d, 4, 120, new int[] {16384, 4096, 4096}, 32, () -> {
      otherBefore[0] = other.stats().ios();
      if (how.equals("listener")) {
        l1.closeConnections();
      } else {
        subsys.faults(1).kill();
      }
    });
    assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
    assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
    assertEquals(0, d.stats().errors());
    assertEquals(PathState.LIVE, other.state());
    assertTrue(other.stats().ios() > otherBefore[0], "I/O continued on the other path");
    if (how.equals("fault")) {
      Await.until("the killed path to be seen down", () -> lost.state() != PathState.LIVE);
      subsys.faults(1).revive();
    }
    // the listener still accepts: the controller reconnects and carries I/O again
    Await.until("reconnect", () -> lost.state() == PathState.LIVE && lost.usable());
    long before = lost.stats().ios();
    for (int i = 0; i < 20; i++) {
      d.read(i, ByteBuffer.allocate(4096)).join();
    }
    assertTrue(lost.stats().ios() > before, "the reconnected path takes I/O");
  }

  @Test
  void closingTheHostReleasesTheControllers() {
    connect(false);
    assertEquals(2, subsys.controllers().size());
    mp.close();
    mp = null;
    Await.until("controllers gone", () -> subsys.controllers().isEmpty());
    Await.until("connections gone", () -> l1.connectionCount() + l2.connectionCount() == 0);
  }
}
