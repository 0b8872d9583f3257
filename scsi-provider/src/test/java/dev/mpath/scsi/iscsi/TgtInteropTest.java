package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.RegisteredKeys;
import dev.mpath.scsi.host.LuIdentity;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.TestUnitReadyCdb;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.Await;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Interop with a real target: Debian's tgt as {@code tgt-peer.sh start} sets it up (two
 * loopback portals; {@code iqn.2024-01.test.tgtpeer:disk1} LUN 1 without authentication,
 * {@code iqn.2024-01.test.tgtpeer:chap1} LUN 1 with CHAP {@code tgtpeer/tgtpeersecret1}).
 * Runs only when {@code MPATH_TGT_PORTALS} lists the portals ("127.0.0.1:3260
 * 127.0.0.2:3260"); the path-down test also needs the script ({@code MPATH_TGT_PEER}, default
 * /work/shared/tools/tgt-peer.sh).
 */
@EnabledIfEnvironmentVariable(named = "MPATH_TGT_PORTALS", matches = ".+",
    disabledReason = "no tgt peer: set MPATH_TGT_PORTALS=\"127.0.0.1:3260 127.0.0.2:3260\" after tgt-peer.sh start")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TgtInteropTest {
  static final String IQN = env("TGT_PEER_IQN", "iqn.2024-01.test.tgtpeer:disk1");
  static final String CHAP_IQN = env("TGT_PEER_CHAP_IQN", "iqn.2024-01.test.tgtpeer:chap1");
  static final String CHAP_USER = env("TGT_PEER_CHAP_USER", "tgtpeer");
  static final String CHAP_PASS = env("TGT_PEER_CHAP_PASS", "tgtpeersecret1");
  static final String INITIATOR = "iqn.2024-01.dev.mpath:interop-" + ProcessHandle.current().pid();
  static final AtomicLong ISIDS = new AtomicLong(0x80_3d_00_00_10_00L);

  static String[] portals;
  static SystemScheduler scheduler;

  static String env(String k, String d) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? d : v;
  }

  @BeforeAll
  static void setUp() {
    portals = System.getenv("MPATH_TGT_PORTALS").trim().split("\\s+");
    scheduler = new SystemScheduler("iscsi-interop");
  }

  @AfterAll
  static void tearDown() {
    scheduler.close();
  }

  static IscsiEndpoint ep(int portal, String iqn, String user, String pass) {
    String p = portals[portal];
    int colon = p.lastIndexOf(':');
    return new IscsiEndpoint(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1)), iqn, 1, user, pass);
  }

  static IscsiSettings settings() {
    return IscsiSettings.of(INITIATOR, ISIDS.incrementAndGet());
  }

  @Test
  void plainLoginNegotiatesAndAnswersTestUnitReady() {
    try (DirectSession d = direct(ep(0, IQN, null, null), settings()).login()) {
      Negotiated n = d.t.negotiated();
      assertNotNull(n);
      assertTrue(n.tsih() != 0, "target assigned a TSIH");
      assertTrue(n.targetMaxRecvDataSegmentLength() >= 512);
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
      d.t.ping().orTimeout(10, TimeUnit.SECONDS).join();
      assertNull(d.lost.get());
    }
  }

  @Test
  void logicalUnitResetAndAbortTaskAsTheTimeoutEscalationSendsThem() {
    // the command-timeout escalation (issue 9) against tgt: LOGICAL UNIT RESET answers
    // FUNCTION COMPLETE, and the next command sees the reset's unit attention or GOOD
    try (DirectSession d = direct(ep(0, IQN, null, null), settings()).login()) {
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
      assertEquals(true, d.t.lunReset(1).orTimeout(30, TimeUnit.SECONDS).join());
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
      // a task that is not outstanding any more: nothing to abort, nothing sent
      assertEquals(true, d.t.abortTask(123456, 1).orTimeout(30, TimeUnit.SECONDS).join());
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    }
  }

  @Test
  void chapLoginWithTheRightSecret() {
    try (DirectSession d = direct(ep(0, CHAP_IQN, CHAP_USER, CHAP_PASS), settings()).login()) {
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    }
  }

  @Test
  void chapLoginFromAUriThroughTheSecondPortal() {
    String p = portals[portals.length > 1 ? 1 : 0];
    IscsiEndpoint ep = IscsiEndpoint.parse(URI.create("iscsi://" + CHAP_USER + "%25" + CHAP_PASS + "@" + p + "/"
        + CHAP_IQN + "/1"));
    assertEquals(CHAP_USER, ep.user());
    assertFalse(ep.toString().contains(CHAP_PASS));
    try (DirectSession d = direct(ep, settings()).login()) {
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    }
  }

  @Test
  void wrongChapSecretIsRefusedWithAClearError() {
    DirectSession d = direct(ep(0, CHAP_IQN, CHAP_USER, "wrong-secret-1"), settings());
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, d::login);
    IscsiLoginException le = assertInstanceOf(IscsiLoginException.class, e.getCause().getCause());
    assertTrue(le.authenticationFailure(), le.getMessage());
    assertTrue(e.getCause().getMessage().contains("authentication failure"), e.getCause().getMessage());
    d.close();
  }

  @Test
  void chapTargetWithoutCredentialsIsRefused() {
    DirectSession d = direct(ep(0, CHAP_IQN, null, null), settings());
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, d::login);
    assertTrue(e.getCause().getMessage().contains("login failed"), e.getCause().getMessage());
    d.close();
  }

  @Test
  void sendTargetsListsBothTargets() {
    Map<String, List<String>> m = IscsiTransport.sendTargets(ep(0, IQN, null, null), settings())
        .orTimeout(30, TimeUnit.SECONDS).join();
    assertTrue(m.containsKey(IQN), m.toString());
    assertTrue(m.containsKey(CHAP_IQN), m.toString());
  }

  static byte[] vpd83(DirectSession d) {
    ByteBuffer b = ByteBuffer.allocate(1024);
    ScsiResult r = d.good(InquiryCdb.vpd(0x83, 1024).toBytes(), b, 1024);
    byte[] out = Arrays.copyOf(b.array(), r.transferred());
    assertEquals(0x83, out[1] & 0xFF);
    return out;
  }

  @Test
  void sameIdentityThroughBothPortalsAndReadCapacity() throws Exception {
    Assumptions.assumeTrue(portals.length >= 2, "needs two portals");
    try (DirectSession a = direct(ep(0, IQN, null, null), settings()).login();
        DirectSession b = direct(ep(1, IQN, null, null), settings()).login()) {
      byte[] va = vpd83(a);
      byte[] vb = vpd83(b);
      var ida = LuIdentity.of(DeviceIdentificationVpd.decode(va, 0, va.length).designators());
      var idb = LuIdentity.of(DeviceIdentificationVpd.decode(vb, 0, vb.length).designators());
      assertTrue(ida.isPresent());
      assertEquals(ida, idb);
      ByteBuffer cap = ByteBuffer.allocate(ReadCapacity16Data.LENGTH);
      a.good(ReadCapacity16Cdb.of(ReadCapacity16Data.LENGTH).toBytes(), cap, ReadCapacity16Data.LENGTH);
      ReadCapacity16Data c = ReadCapacity16Data.decode(cap.array());
      assertEquals(512, c.logicalBlockLength());
      assertTrue(c.returnedLba() + 1 >= 8192, "at least 4 MiB: " + (c.returnedLba() + 1));
    }
  }

  static ByteBuffer random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  void verifiedWriteRead(IscsiSettings s, long lbaBase) {
    try (DirectSession d = direct(ep(0, IQN, null, null), s).login()) {
      long lba = lbaBase;
      for (int size : new int[] {512, 4096, 8192 + 512, 65536, 65536 + 4096, 262144 + 512, 1 << 20}) {
        int blocks = size / 512;
        // a buffer with a prefix and suffix, to prove position and limit are honoured
        ByteBuffer src = ByteBuffer.allocate(size + 1024);
        src.put(random(size + 1024));
        src.position(512).limit(512 + size);
        ScsiResult w = d.good(ReadWriteCdb.write16(lba, blocks).toBytes(), src, size);
        assertEquals(size, w.transferred());
        assertEquals(0, w.residual());
        assertEquals(512, src.position());
        ByteBuffer dst = ByteBuffer.allocate(size + 1024);
        dst.position(256).limit(256 + size);
        ScsiResult r = d.good(ReadWriteCdb.read16(lba, blocks).toBytes(), dst, size);
        assertEquals(size, r.transferred(), "read " + size);
        assertEquals(256, dst.position());
        assertArrayEquals(Arrays.copyOfRange(src.array(), 512, 512 + size),
            Arrays.copyOfRange(dst.array(), 256, 256 + size), "data of " + size + " bytes");
        assertEquals(0, dst.array()[255]);
        assertEquals(0, dst.array()[256 + size]);
        lba += blocks;
      }
      assertNull(d.lost.get());
    }
  }

  @Test
  void verifiedWriteReadWithImmediateAndUnsolicitedData() {
    verifiedWriteRead(settings(), 1000);
  }

  @Test
  void verifiedWriteReadThroughR2tOnlyWithSmallSegmentsAndDigests() {
    // InitialR2T=Yes, ImmediateData=No, 8 KiB segments each way, small bursts: every write
    // goes through several R2Ts, every read through many Data-In PDUs. CRC32C is offered
    // ("CRC32C,None"); tgt as tgt-peer.sh configures it answers None, which must be honoured
    // (digests on the wire are covered by IscsiFakeTargetTest).
    IscsiSettings s = settings().withBursts(8192, 16384, 65536, true, false).withDigests(true);
    try (DirectSession d = direct(ep(0, IQN, null, null), s).login()) {
      assertEquals(d.t.negotiated().headerDigest(), d.t.negotiated().dataDigest(), d.t.negotiated().toString());
      assertEquals(65536, d.t.negotiated().maxBurstLength());
      assertTrue(d.t.negotiated().initialR2T());
      assertFalse(d.t.negotiated().immediateData());
    }
    verifiedWriteRead(s, 20000);
  }

  @Test
  void residualOnAShortInquiry() {
    try (DirectSession d = direct(ep(0, IQN, null, null), settings()).login()) {
      ByteBuffer b = ByteBuffer.allocate(255);
      ScsiResult r = d.good(InquiryCdb.standard(255).toBytes(), b, 255);
      assertTrue(r.transferred() >= 36 && r.transferred() <= 255, "transferred " + r.transferred());
      assertEquals(255 - r.transferred(), r.residual());
    }
  }

  // ------------------------------------------------------------------ through the head

  Multipath host(String initiator) {
    return Multipath.builder()
        .provider(new ScsiProvider()).discoverProviders(false).scheduler(scheduler).jmxDomain(null)
        .checkInterval(Duration.ofMillis(500))
        .ioPolicy(IoPolicy.roundRobin())
        .delayedRemoval(Duration.ofSeconds(30))
        .property("scsi.initiator", initiator)
        .property("scsi.reconnect_delay_ms", "200")
        .build();
  }

  List<URI> uris() {
    List<URI> out = new ArrayList<>();
    for (String p : portals) {
      out.add(URI.create("iscsi://" + p + "/" + IQN + "/1"));
    }
    return out;
  }

  MultipathDevice connectAll(Multipath mp) {
    List<MultipathDevice> devs = null;
    for (URI u : uris()) {
      devs = mp.connect(u).orTimeout(60, TimeUnit.SECONDS).join();
    }
    assertEquals(1, mp.devices().size(), "one head for one LU");
    MultipathDevice d = mp.devices().get(0);
    assertEquals(portals.length, d.paths().size());
    assertEquals(devs.get(0).id(), d.id());
    return d;
  }

  @Test
  void discoveryUriLogsIntoEveryPortalOfEveryTargetItCan() throws Exception {
    Assumptions.assumeTrue(portals.length >= 2, "needs two portals");
    ScsiProvider provider = new ScsiProvider();
    try (Multipath mp = Multipath.builder().provider(provider).discoverProviders(false)
        .scheduler(scheduler).jmxDomain(null).checkInterval(Duration.ZERO)
        .property("scsi.initiator", INITIATOR + "-disc").build()) {
      // tgt answers SendTargets with the portal the question came through (as
      // iscsiadm -m discovery -t st shows it), so each portal is asked, as one does with tgt
      List<MultipathDevice> devs = null;
      for (String p : portals) {
        URI portal = URI.create("iscsi://" + p);
        Map<String, List<String>> st = provider.discover(portal).get(30, TimeUnit.SECONDS);
        assertTrue(st.containsKey(IQN) && st.containsKey(CHAP_IQN), st.toString());
        assertTrue(st.get(IQN).stream().anyMatch(a -> TargetAddress.parse(a).address().hostPort().equals(p)),
            p + " in " + st);
        // connecting it: disk1 (its LUN 1; LUN 0 is tgt's controller LU); chap1 refuses an
        // initiator without credentials, which is logged and leaves the rest connected
        devs = mp.connect(portal).get(90, TimeUnit.SECONDS);
      }
      assertEquals(1, devs.size(), devs.toString());
      MultipathDevice d = devs.get(0);
      assertEquals(portals.length, d.paths().size(), d.paths().toString());
      ByteBuffer w = ByteBuffer.allocate(4096);
      ThreadLocalRandom.current().nextBytes(w.array());
      d.write(64, w).get(30, TimeUnit.SECONDS);
      ByteBuffer r = ByteBuffer.allocate(4096);
      d.read(64, r).get(30, TimeUnit.SECONDS);
      assertArrayEquals(w.array(), r.array());
    }
  }

  static Path script() {
    return Path.of(env("MPATH_TGT_PEER", "/work/shared/tools/tgt-peer.sh"));
  }

  static void peer(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", script().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tgt-peer.sh " + String.join(" ", args) + " hangs");
    assertEquals(0, p.exitValue(), "tgt-peer.sh " + String.join(" ", args) + ": " + out);
  }

  @Test
  void headWithTwoPathsSurvivesPathDownUnderLoad() throws Exception {
    Assumptions.assumeTrue(portals.length >= 2, "needs two portals");
    Assumptions.assumeTrue(Files.isReadable(script()), "no tgt-peer.sh at " + script() + " (MPATH_TGT_PEER)");
    try (Multipath mp = host(INITIATOR + "-load")) {
      MultipathDevice d = connectAll(mp);
      final int threads = 4;
      final int maxPerThread = 2000; // the load's bound
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong done = new AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int thread = t;
        Thread w = new Thread(() -> {
          try {
            for (int i = 0; i < maxPerThread && !stop.get() && failure.get() == null; i++) {
              long lba = 40000 + (long) (thread * maxPerThread + i) * 8;
              ByteBuffer src = random(4096);
              d.write(lba, src.duplicate()).get(60, TimeUnit.SECONDS);
              ByteBuffer dst = ByteBuffer.allocate(4096);
              d.read(lba, dst).get(60, TimeUnit.SECONDS);
              if (!src.equals(dst)) {
                failure.compareAndSet(null, new AssertionError("data mismatch at " + lba));
              }
              done.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e instanceof ExecutionException ? e.getCause() : e);
          }
        }, "load-" + t);
        w.start();
        workers.add(w);
      }
      Await.until("some I/O before the path goes down", () -> done.get() >= threads * 10L || failure.get() != null);
      peer("path-down", "1");
      long atDown;
      try {
        Await.until("path 1 seen down", () -> d.paths().get(0).state() != PathState.LIVE || failure.get() != null);
        atDown = done.get();
        Await.until("I/O going on through path 2", () -> done.get() >= atDown + 100 || failure.get() != null
            || workers.stream().noneMatch(Thread::isAlive));
        stop.set(true);
        for (Thread w : workers) {
          w.join(TimeUnit.SECONDS.toMillis(90));
          assertFalse(w.isAlive(), "load thread hangs");
        }
        assertNull(failure.get(), () -> "I/O error surfaced: " + failure.get());
        assertTrue(done.get() >= atDown + 100, "load went on after the path loss: " + atDown + " -> " + done.get());
        assertTrue(d.paths().get(1).stats().ios() > 0, "the second path carried I/O");
      } finally {
        stop.set(true);
        peer("path-up", "1");
      }
      Await.until("path 1 back", () -> d.paths().get(0).state() == PathState.LIVE);
      ByteBuffer b = ByteBuffer.allocate(4096);
      d.read(40000, b).get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * 4 KiB random reads, queue depth 32, through portal 1 for MPATH_TGT_PERF seconds, straight on
   * the transport: the number to compare with {@code tgt-peer.sh perf} (libiscsi iscsi-perf).
   */
  @Test
  @EnabledIfEnvironmentVariable(named = "MPATH_TGT_PERF", matches = "[0-9]+")
  void perfRandomRead4k() throws Exception {
    int secs = Integer.parseInt(System.getenv("MPATH_TGT_PERF"));
    int qd = 32;
    try (DirectSession d = direct(ep(0, IQN, null, null), settings()).login()) {
      d.good(new TestUnitReadyCdb().toBytes(), null, 0);
      long blocks = 131072 - 8;
      java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(qd);
      AtomicLong ios = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
      long t0 = System.nanoTime();
      ByteBuffer[] bufs = new ByteBuffer[qd];
      for (int i = 0; i < qd; i++) {
        bufs[i] = ByteBuffer.allocate(4096);
      }
      AtomicLong tagSeq = new AtomicLong();
      while (System.nanoTime() < end) {
        slots.acquire();
        long tag = tagSeq.incrementAndGet();
        CompletableFuture<ScsiResult> f = new CompletableFuture<>();
        d.pending.put(tag, f);
        f.whenComplete((r, e) -> {
          ios.incrementAndGet();
          slots.release();
        });
        long lba = ThreadLocalRandom.current().nextLong(blocks / 8) * 8;
        d.t.execute(tag, 1, ReadWriteCdb.read10(lba, 8).toBytes(), bufs[(int) (tag % qd)], 4096);
      }
      slots.acquire(qd);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("mpath iSCSI 4 KiB random read, qd %d, %d s: %.0f IOPS%n", qd, secs, ios.get() / s);
    }
  }

  @Test
  void persistentReservationRegisterAndReadKeysThroughBothNexuses() throws Exception {
    Assumptions.assumeTrue(portals.length >= 2, "needs two portals");
    try (Multipath mp = host(INITIATOR + "-pr")) {
      MultipathDevice d = connectAll(mp);
      for (PathInfo p : d.paths()) {
        assertEquals(PathState.LIVE, p.state());
      }
      long key = 0x6d70617468_000000L | (ProcessHandle.current().pid() & 0xFFFFFF);
      d.reservations().register(0, key, true, false).get(30, TimeUnit.SECONDS);
      try {
        RegisteredKeys keys = d.reservations().readKeys().get(30, TimeUnit.SECONDS);
        long mine = keys.keys().stream().filter(k -> k == key).count();
        assertEquals(d.paths().size(), mine, "one registration per I_T nexus: " + keys);
      } finally {
        d.reservations().register(key, 0, true, false).get(30, TimeUnit.SECONDS);
      }
      RegisteredKeys after = d.reservations().readKeys().get(30, TimeUnit.SECONDS);
      assertFalse(after.contains(key), after.toString());
    }
  }

  /** A direct session to LUN 1, tgt's disk. */
  static DirectSession direct(IscsiEndpoint ep, IscsiSettings s) {
    return new DirectSession(ep, s, 1);
  }
}
