package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.target.DiscoveryService;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.spi.SystemScheduler;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host side of NVMe/TCP discovery: a discovery URI ({@code nvme+tcp://host:port} with
 * no NQN) reads the listener's discovery log and connects every subsystem port it lists,
 * like {@code nvme connect-all}; {@link NvmeProvider#discover} only reads the log.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NvmeTcpConnectAllTest {
  static final String NQN_A = "nqn.2024-01.dev.mpath:connect-all-a";
  static final String NQN_B = "nqn.2024-01.dev.mpath:connect-all-b";
  private final SystemScheduler real = new SystemScheduler("connect-all-timer");
  private final List<AutoCloseable> closers = new ArrayList<>();
  private NvmeSubsystem a;
  private final List<NvmeTcpListener> listenersA = new CopyOnWriteArrayList<>();
  private NvmeProvider provider;
  private Multipath mp;

  @BeforeEach
  void setUp() {
    a = NvmeSubsystem.builder(NQN_A, real).ports(2)
        .namespace(NamespaceSpec.builder(1).blocks(8192).build())
        .build();
    closers.add(a);
    provider = new NvmeProvider();
    mp = Multipath.builder().provider(provider).discoverProviders(false).scheduler(real)
        .jmxDomain(null).checkInterval(Duration.ZERO)
        .property("nvme.hostid", UUID.randomUUID().toString())
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    mp.close();
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
    real.close();
  }

  /** Both ports of subsystem A behind one discovery service; returns the first listener. */
  private NvmeTcpListener serveA(Supplier<List<DiscoveryLogPage.Entry>> extra) throws IOException {
    DiscoveryService d = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> {
      List<DiscoveryLogPage.Entry> out = new ArrayList<>();
      for (NvmeTcpListener l : listenersA) {
        out.add(DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, l.portId(),
            l.advertisedAddress().host(), l.tcpPort(), NQN_A));
      }
      out.addAll(extra.get());
      return out;
    });
    closers.add(d);
    for (int port : List.of(1, 2)) {
      NvmeTcpListener l = NvmeTcpListener.builder(a, port).discovery(d).start();
      closers.add(l);
      listenersA.add(l);
    }
    return listenersA.get(0);
  }

  private static URI discoveryUri(NvmeTcpListener l) {
    return URI.create("nvme+tcp://127.0.0.1:" + l.tcpPort());
  }

  private static DiscoveryLogPage.Entry with(DiscoveryLogPage.Entry e, int trtype, int treq) {
    return new DiscoveryLogPage.Entry(trtype, e.adrfam(), e.subtype(), treq, e.portId(), e.cntlid(),
        e.asqsz(), e.trsvcid(), e.subnqn(), e.traddr());
  }

  @Test
  void discoveryUriConnectsEveryListedPortOnceAndSkipsWhatItCannotUse() throws Exception {
    // besides the two real ports: the discovery controller itself (SUBTYPE 3), a duplicate of
    // port 1, the same port over RDMA (TRTYPE 1), and one that requires TLS (TREQ 01b)
    NvmeTcpListener first = serveA(() -> {
      NvmeTcpListener l = listenersA.get(0);
      DiscoveryLogPage.Entry p1 = DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1,
          "127.0.0.1", l.tcpPort(), NQN_A);
      return List.of(
          DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_CURRENT_DISCOVERY, 1, "127.0.0.1",
              l.tcpPort(), FabricsCommands.DISCOVERY_NQN),
          p1,
          with(p1, 1, 0),
          with(DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 9, "127.0.0.1", 1, NQN_A),
              DiscoveryLogPage.TRTYPE_TCP, DiscoveryLogPage.TREQ_SECURE_CHANNEL_REQUIRED));
    });

    DiscoveryLogPage log = provider.discover(discoveryUri(first)).get(30, TimeUnit.SECONDS);
    assertEquals(6, log.entries().size(), log.toString());
    assertEquals(listenersA.get(1).tcpPort() + "", log.entries().get(1).trsvcid());

    List<MultipathDevice> devs = mp.connect(discoveryUri(first)).get(30, TimeUnit.SECONDS);
    assertEquals(1, devs.size(), devs.toString());
    MultipathDevice d = devs.get(0);
    assertEquals(List.of("nvme0c0n1", "nvme0c1n1"), d.paths().stream().map(PathInfo::name).toList());
    assertEquals(2, provider.controllers().size(), "one controller per listed port, none twice");
    // the discovery association is gone once the log has been read
    int queues = 1 + provider.controllers().get(0).ioQueueCount();
    assertTrue(queues >= 2, "an admin and at least one I/O queue: " + queues);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (first.connectionCount() > queues && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(queues, first.connectionCount(),
        "admin + I/O queues of the controller, no discovery queue");

    ByteBuffer w = ByteBuffer.allocate(4096);
    for (int i = 0; i < 4096; i++) {
      w.put(i, (byte) (i * 31 + 7));
    }
    d.write(8, w).get(10, TimeUnit.SECONDS);
    ByteBuffer r = ByteBuffer.allocate(4096);
    d.read(8, r).get(10, TimeUnit.SECONDS);
    assertEquals(w.rewind(), r.rewind());
  }

  @Test
  void referralsAreFollowedToAnotherDiscoveryController() throws Exception {
    NvmeSubsystem b = NvmeSubsystem.builder(NQN_B, real).ports(1)
        .namespace(NamespaceSpec.builder(1).blocks(4096).build())
        .build();
    closers.add(b);
    NvmeTcpListener[] lb = new NvmeTcpListener[1];
    DiscoveryService db = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> List.of(
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1, "127.0.0.1", lb[0].tcpPort(), NQN_B)));
    closers.add(db);
    lb[0] = NvmeTcpListener.builder(b, 1).discovery(db).start();
    closers.add(lb[0]);
    // A's log refers to B's discovery controller, and B's to nothing else
    NvmeTcpListener first = serveA(() -> List.of(DiscoveryLogPage.Entry.tcp(
        DiscoveryLogPage.SUBTYPE_REFERRAL, 1, "127.0.0.1", lb[0].tcpPort(), FabricsCommands.DISCOVERY_NQN)));

    List<MultipathDevice> devs = mp.connect(discoveryUri(first)).get(30, TimeUnit.SECONDS);
    assertEquals(2, devs.size(), devs.toString());
    assertEquals(List.of(2, 1), devs.stream().map(x -> x.paths().size()).toList(),
        "A's head (two ports) first, then B's, reached through the referral");
    assertEquals(3, provider.controllers().size());
  }

  @Test
  void aLogThatChangesWhileReadIsReadAgain() throws Exception {
    DiscoveryService[] svc = new DiscoveryService[1];
    AtomicInteger reads = new AtomicInteger();
    List<NvmeTcpListener> ls = new ArrayList<>();
    svc[0] = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> {
      if (reads.incrementAndGet() <= 3) {
        svc[0].changed(); // GENCTR moves under the first whole read
      }
      return List.of(DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1, "127.0.0.1",
          ls.get(0).tcpPort(), NQN_A));
    });
    closers.add(svc[0]);
    NvmeTcpListener l = NvmeTcpListener.builder(a, 1).discovery(svc[0]).start();
    closers.add(l);
    ls.add(l);
    DiscoveryLogPage log = provider.discover(discoveryUri(l)).get(30, TimeUnit.SECONDS);
    assertEquals(1, log.entries().size());
    assertTrue(reads.get() >= 6, "two whole reads (header, entries, header each): " + reads.get());
  }

  @Test
  void aLogThatNeverSettlesFailsClearly() throws Exception {
    DiscoveryService[] svc = new DiscoveryService[1];
    svc[0] = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> {
      svc[0].changed();
      return List.of();
    });
    closers.add(svc[0]);
    NvmeTcpListener l = NvmeTcpListener.builder(a, 1).discovery(svc[0]).start();
    closers.add(l);
    CompletionException e = assertThrows(CompletionException.class,
        () -> provider.discover(discoveryUri(l)).join());
    assertInstanceOf(IOException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("changed during each of"), e.getCause().getMessage());
  }

  @Test
  void aLogWithNothingConnectableFailsWithTheReasons() throws Exception {
    // one entry, pointing at a port where nothing listens (a closed ephemeral port)
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    DiscoveryService d = new DiscoveryService(FabricsCommands.DISCOVERY_NQN, () -> List.of(
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1, "127.0.0.1", dead, NQN_A)));
    closers.add(d);
    NvmeTcpListener l = NvmeTcpListener.builder(a, 1).discovery(d).start();
    closers.add(l);
    CompletionException e = assertThrows(CompletionException.class,
        () -> mp.connect(discoveryUri(l)).join());
    Throwable c = e.getCause();
    assertTrue(c.getMessage().contains("lists 1 subsystem port(s); none connected")
        && c.getMessage().contains(":" + dead), c.getMessage());
    assertEquals(List.of(), provider.controllers(), "no controller left behind");
  }

  @Test
  void discoverRefusesASubsystemUriAndAnIoControllerRefusesDiscovery() throws Exception {
    NvmeTcpListener first = serveA(List::of);
    CompletionException e = assertThrows(CompletionException.class,
        () -> provider.discover(first.uri()).join());
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
    // a listener without a discovery service refuses the discovery NQN at Connect
    NvmeTcpListener plain = NvmeTcpListener.start(a, 2);
    closers.add(plain);
    CompletionException e2 = assertThrows(CompletionException.class,
        () -> provider.discover(discoveryUri(plain)).join());
    assertInstanceOf(IOException.class, e2.getCause());
    assertTrue(e2.getCause().getMessage().contains("Connect"), e2.getCause().getMessage());
  }

  @Test
  void samePortTwiceIsMergedAcrossSpellingsAndDiscovery() throws Exception {
    // issue 9 defect 7 over TCP: by URI, by another spelling of the address, and by a
    // discovery log listing ports already connected
    NvmeTcpListener first = serveA(List::of);
    URI direct = URI.create("nvme+tcp://127.0.0.1:" + first.tcpPort() + "/" + NQN_A);
    URI digests = URI.create("nvme+tcp://127.0.0.1:" + first.tcpPort() + "/" + NQN_A + "?hdgst=1");
    List<MultipathDevice> one = mp.connect(direct).get(30, TimeUnit.SECONDS);
    assertEquals(one, mp.connect(direct).get(30, TimeUnit.SECONDS));
    assertEquals(one, mp.connect(digests).get(30, TimeUnit.SECONDS), "digests are no other port");
    assertEquals(1, provider.controllers().size());
    mp.connect(discoveryUri(first)).get(30, TimeUnit.SECONDS);
    assertEquals(2, provider.controllers().size(), "discovery added port 2 only");
    assertEquals(List.of("nvme0c0n1", "nvme0c1n1"),
        one.get(0).paths().stream().map(PathInfo::name).toList());
    assertEquals(1 + provider.controllers().get(0).ioQueueCount(), first.connectionCount(),
        "admin + I/O queues, once");
  }
}
