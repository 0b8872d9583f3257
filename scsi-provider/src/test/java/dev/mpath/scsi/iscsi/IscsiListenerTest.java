package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.RegisteredKeys;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.ReportTargetPortGroupsCdb;
import dev.mpath.alua.RtpgFormat;
import dev.mpath.alua.RtpgResponse;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.scsi.proto.TestUnitReadyCdb;
import dev.mpath.scsi.target.LuSpec;
import dev.mpath.scsi.target.ScsiTarget;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.Await;
import dev.mpath.testing.VerifiedLoad;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The project's own initiator ({@link IscsiTransport}, and the head through {@link ScsiProvider})
 * against {@link IscsiTargetListener} on loopback: one emulated LU behind two target ports
 * (port 1 in group 1 active/optimized, port 2 in group 2 active/non-optimized), one listener
 * per port.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IscsiListenerTest {
  static final String NAME = "iqn.2024-01.dev.mpath:listener-lu";
  static final String INITIATOR = "iqn.2024-01.dev.mpath:listener-host";
  static final AtomicLong ISIDS = new AtomicLong(0x80_3d_00_00_20_00L);

  SystemScheduler scheduler;
  ScsiTarget target;
  final List<IscsiTargetListener> listeners = new ArrayList<>();
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void setUp() {
    scheduler = new SystemScheduler("iscsi-listener-test");
    target = ScsiTarget.builder(NAME, scheduler)
        .tpgs(Tpgs.IMPLICIT)
        .portGroup(1, AluaState.ACTIVE_OPTIMIZED).portGroup(2, AluaState.ACTIVE_NON_OPTIMIZED)
        .port(1, 1).port(2, 2)
        .implicitTransitionTime(Duration.ZERO)
        .lun(0, LuSpec.of(65536, 512))
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    listeners.forEach(IscsiTargetListener::close);
    target.close();
    scheduler.close();
  }

  IscsiTargetListener listen(int port) throws IOException {
    return listen(IscsiTargetListener.builder(target, port));
  }

  IscsiTargetListener listen(IscsiTargetListener.Builder b) throws IOException {
    IscsiTargetListener l = b.start();
    listeners.add(l);
    return l;
  }

  static IscsiSettings settings() {
    return IscsiSettings.of(INITIATOR, ISIDS.incrementAndGet());
  }

  static IscsiEndpoint ep(IscsiTargetListener l, String user, String secret) {
    return new IscsiEndpoint("127.0.0.1", l.tcpPort(), NAME, 0, user, secret);
  }

  static IscsiLoginException loginFailure(DirectSession d) {
    CompletionException e = assertThrows(CompletionException.class, d::login);
    return assertInstanceOf(IscsiLoginException.class, e.getCause().getCause(), e.toString());
  }

  // ------------------------------------------------------------------ login

  @Test
  void plainLoginNegotiatesAndServesInquiryVpdAndReadCapacity() throws Exception {
    IscsiTargetListener l = listen(2);
    IscsiSettings s = settings();
    DirectSession d = direct(ep(l, null, null), s).login();
    Negotiated n = d.t.negotiated();
    assertNotNull(n);
    assertTrue(n.tsih() != 0);
    assertEquals(2, n.targetPortalGroupTag(), "TPGT = the port's group");
    assertEquals(262144, n.targetMaxRecvDataSegmentLength());
    assertEquals(1 << 20, n.maxBurstLength());
    assertEquals(65536, n.firstBurstLength());
    assertFalse(n.initialR2T());
    assertTrue(n.immediateData());
    assertFalse(n.headerDigest());

    ByteBuffer inq = ByteBuffer.allocate(96);
    ScsiResult r = d.good(InquiryCdb.standard(96).toBytes(), inq, 96);
    StandardInquiryData std = StandardInquiryData.decode(Arrays.copyOf(inq.array(), r.transferred()));
    assertTrue(std.tpgs() != 0, "TPGS bits");
    assertEquals(96 - r.transferred(), r.residual(), "underflow residual");

    ByteBuffer vpd = ByteBuffer.allocate(1024);
    ScsiResult v = d.good(InquiryCdb.vpd(0x83, 1024).toBytes(), vpd, 1024);
    DeviceIdentificationVpd ids = DeviceIdentificationVpd.decode(vpd.array(), 0, v.transferred());
    assertEquals(2, ids.relativeTargetPortId().getAsInt(), "seen through port 2");
    assertEquals(2, ids.targetPortGroupId().getAsInt());

    ByteBuffer cap = ByteBuffer.allocate(ReadCapacity16Data.LENGTH);
    d.good(ReadCapacity16Cdb.of(ReadCapacity16Data.LENGTH).toBytes(), cap, ReadCapacity16Data.LENGTH);
    ReadCapacity16Data c = ReadCapacity16Data.decode(cap.array());
    assertEquals(512, c.logicalBlockLength());
    assertEquals(65535, c.returnedLba());

    assertEquals(1, target.sessions().size());
    String port = target.sessions().get(0).nexus().initiatorPort();
    assertEquals(INITIATOR + ",i,0x" + s.isidHex(), port);
    assertNull(d.lost.get());
  }

  @Test
  void chapLoginRightSecretWorksWrongSecretAndNoCredentialsAreRefused() throws Exception {
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1).chap("mpathuser", "mpathsecret12"));
    DirectSession ok = direct(ep(l, "mpathuser", "mpathsecret12"), settings()).login();
    ok.good(new TestUnitReadyCdb().toBytes(), null, 0);

    IscsiLoginException wrong = loginFailure(direct(ep(l, "mpathuser", "not-the-secret"), settings()));
    assertTrue(wrong.authenticationFailure(), wrong.getMessage());
    IscsiLoginException user = loginFailure(direct(ep(l, "someone-else", "mpathsecret12"), settings()));
    assertTrue(user.authenticationFailure(), user.getMessage());
    IscsiLoginException none = loginFailure(direct(ep(l, null, null), settings()));
    assertTrue(none.authenticationFailure(), none.getMessage());
    assertEquals(1, target.sessions().size(), "only the good login made a nexus");
    Await.until("refused connections closed", () -> l.connectionCount() == 1);
  }

  @Test
  void unknownTargetNameIsNotFound() throws Exception {
    IscsiTargetListener l = listen(1);
    IscsiLoginException e = loginFailure(direct(
        new IscsiEndpoint("127.0.0.1", l.tcpPort(), "iqn.2024-01.dev.mpath:nobody", 0, null, null), settings()));
    assertEquals(2, e.statusClass());
    assertEquals(3, e.statusDetail());
  }

  @Test
  void sendTargetsListsEveryPortalOfTheTarget() throws Exception {
    IscsiTargetListener a = listen(1);
    IscsiTargetListener b = listen(IscsiTargetListener.builder(target, 2).bind(InetAddress.getByName("127.0.0.2")));
    Map<String, List<String>> m = IscsiTransport.sendTargets(ep(a, null, null), settings())
        .orTimeout(30, TimeUnit.SECONDS).join();
    assertEquals(List.of(NAME), List.copyOf(m.keySet()));
    assertEquals(2, m.get(NAME).size(), m.toString());
    assertTrue(m.get(NAME).contains("127.0.0.1:" + a.tcpPort() + ",1"), m.toString());
    assertTrue(m.get(NAME).contains("127.0.0.2:" + b.tcpPort() + ",2"), m.toString());
    assertEquals("iscsi://127.0.0.2:" + b.tcpPort() + "/" + NAME + "/0", b.uri(0).toString());
  }

  @Test
  void sameIsidReinstatesTheSessionAndDropsTheOldConnection() throws Exception {
    IscsiTargetListener l = listen(1);
    IscsiSettings s = settings();
    DirectSession first = direct(ep(l, null, null), s).login();
    first.good(new TestUnitReadyCdb().toBytes(), null, 0);
    int tsih = first.t.negotiated().tsih();
    DirectSession second = direct(ep(l, null, null), s).login();
    Await.until("the old connection dropped", () -> first.lost.get() != null);
    assertTrue(second.t.negotiated().tsih() != tsih, "a new TSIH");
    second.good(new TestUnitReadyCdb().toBytes(), null, 0);
    Await.until("one nexus left", () -> target.sessions().size() == 1);
    Await.until("one connection left", () -> l.connectionCount() == 1);
  }

  // ------------------------------------------------------------------ data

  void verifiedWriteRead(DirectSession d, long lbaBase) {
    long lba = lbaBase;
    Random rnd = new Random(lbaBase);
    for (int size : new int[] {512, 4096, 8192 + 512, 65536, 65536 + 4096, 262144 + 512, 1 << 20, 2 << 20}) {
      int blocks = size / 512;
      ByteBuffer src = ByteBuffer.allocate(size + 1024);
      rnd.nextBytes(src.array());
      src.position(512).limit(512 + size);
      ScsiResult w = d.good(ReadWriteCdb.write16(lba, blocks).toBytes(), src, size);
      assertEquals(size, w.transferred());
      assertEquals(0, w.residual());
      ByteBuffer dst = ByteBuffer.allocate(size + 1024);
      dst.position(256).limit(256 + size);
      ScsiResult r = d.good(ReadWriteCdb.read16(lba, blocks).toBytes(), dst, size);
      assertEquals(size, r.transferred(), "read " + size);
      assertEquals(0, r.residual());
      assertArrayEquals(Arrays.copyOfRange(src.array(), 512, 512 + size),
          Arrays.copyOfRange(dst.array(), 256, 256 + size), "data of " + size + " bytes");
      assertEquals(0, dst.array()[255]);
      assertEquals(0, dst.array()[256 + size]);
      lba += blocks;
    }
    assertNull(d.lost.get());
  }

  @Test
  void verifiedWriteReadWithDigestsImmediateAndUnsolicitedData() throws Exception {
    IscsiTargetListener l = listen(1);
    DirectSession d = direct(ep(l, null, null), settings().withDigests(true)).login();
    assertTrue(d.t.negotiated().headerDigest());
    assertTrue(d.t.negotiated().dataDigest());
    verifiedWriteRead(d, 100);
  }

  @Test
  void verifiedWriteReadThroughR2tOnlyWithSmallSegmentsWithoutDigests() throws Exception {
    // our side: 8 KiB segments, bursts of at most 32 KiB: a 2 MiB write takes 64 R2Ts of 4
    // Data-Out each; the initiator reads 8 KiB segments: a 2 MiB read is 256 Data-In PDUs
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1).digests(false)
        .maxRecvDataSegmentLength(8192).bursts(16384, 32768));
    IscsiSettings s = settings().withBursts(8192, 16384, 65536, true, false).withDigests(true);
    DirectSession d = direct(ep(l, null, null), s).login();
    Negotiated n = d.t.negotiated();
    assertFalse(n.headerDigest(), "the listener allows no digests");
    assertFalse(n.dataDigest());
    assertEquals(32768, n.maxBurstLength());
    assertEquals(16384, n.firstBurstLength());
    assertEquals(8192, n.targetMaxRecvDataSegmentLength());
    assertTrue(n.initialR2T());
    assertFalse(n.immediateData());
    verifiedWriteRead(d, 20000);
  }

  @Test
  void unsolicitedDataOutWithoutImmediateData() throws Exception {
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1).maxRecvDataSegmentLength(4096));
    DirectSession d = direct(ep(l, null, null), settings().withBursts(65536, 16384, 65536, false, false)).login();
    assertFalse(d.t.negotiated().initialR2T());
    assertFalse(d.t.negotiated().immediateData());
    verifiedWriteRead(d, 40000);
  }

  @Test
  void abortTaskOverTheWireStopsAHeldWriteForGood() throws Exception {
    // the initiator's timeout escalation against our own listener: an aborted write never
    // runs late, and its task never answers
    IscsiTargetListener l = listen(1);
    DirectSession d = direct(ep(l, null, null), settings()).login();
    d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    target.faults(1).hang(true);
    CompletableFuture<ScsiResult> w = d.submit(ReadWriteCdb.write16(100, 1).toBytes(),
        VerifiedLoad.pattern(100, 512, 7), 512);
    long tag = d.tags.get();
    assertEquals(true, d.t.abortTask(tag, 0).orTimeout(30, TimeUnit.SECONDS).join());
    target.faults(1).hang(false);
    ByteBuffer r = ByteBuffer.allocate(512);
    d.good(ReadWriteCdb.read16(100, 1).toBytes(), r, 512);
    assertEquals(ByteBuffer.allocate(512), r, "the aborted write never ran");
    assertFalse(w.isDone(), "an aborted task has no response");
    // LOGICAL UNIT RESET through the wire: held commands of the LU are gone too
    target.faults(1).hang(true);
    d.submit(ReadWriteCdb.write16(101, 1).toBytes(), VerifiedLoad.pattern(101, 512, 7), 512);
    assertEquals(true, d.t.lunReset(0).orTimeout(30, TimeUnit.SECONDS).join());
    target.faults(1).hang(false);
    ByteBuffer r2 = ByteBuffer.allocate(512);
    d.good(ReadWriteCdb.read16(101, 1).toBytes(), r2, 512);
    assertEquals(ByteBuffer.allocate(512), r2, "the reset write never ran");
  }

  @Test
  void nopTaskManagementLogoutAndTooLargeTransfer() throws Exception {
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1).maxTransfer(65536));
    DirectSession d = direct(ep(l, null, null), settings()).login();
    d.t.ping().orTimeout(30, TimeUnit.SECONDS).join();
    assertEquals(0, d.t.taskManagement(Pdus.TMF_LOGICAL_UNIT_RESET, 0, 0).orTimeout(30, TimeUnit.SECONDS).join());
    assertEquals(1, d.t.taskManagement(Pdus.TMF_ABORT_TASK, 0, 12345).orTimeout(30, TimeUnit.SECONDS).join(),
        "task does not exist");
    // beyond maxTransfer: refused with INVALID FIELD IN CDB, the connection goes on
    ScsiResult big = d.exec(ReadWriteCdb.write16(0, 256).toBytes(), ByteBuffer.allocate(131072), 131072);
    big = big.good() ? big : d.exec(ReadWriteCdb.write16(0, 256).toBytes(), ByteBuffer.allocate(131072), 131072);
    assertEquals(ScsiResult.CHECK_CONDITION, big.status());
    assertEquals(SenseKey.ILLEGAL_REQUEST, big.senseData().orElseThrow().senseKey());
    d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    assertEquals(1, l.connectionCount());
    d.close();
    Await.until("logout closed the connection", () -> l.connectionCount() == 0);
    // the listener logs the nexus out of the LU after it closes the socket
    Await.until("the target forgot the session", () -> target.sessions().isEmpty());
    assertNull(d.lost.get());
  }

  @Test
  void killedPortClosesTheConnectionAndRefusesLoginsUntilRevived() throws Exception {
    IscsiTargetListener l = listen(1);
    DirectSession d = direct(ep(l, null, null), settings()).login();
    d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    target.faults(1).kill();
    Await.until("connection dropped", () -> d.lost.get() != null);
    IscsiLoginException e = loginFailure(direct(ep(l, null, null), settings()));
    assertEquals(3, e.statusClass(), "service unavailable: " + e.getMessage());
    target.faults(1).revive();
    direct(ep(l, null, null), settings()).login().good(new TestUnitReadyCdb().toBytes(), null, 0);
  }

  // ------------------------------------------------------------------ through the head

  Multipath host(String initiator) {
    return host(initiator, new ScsiProvider());
  }

  Multipath host(String initiator, ScsiProvider provider) {
    Multipath mp = Multipath.builder()
        .provider(provider).discoverProviders(false).scheduler(scheduler).jmxDomain(null)
        .checkInterval(Duration.ofMillis(200))
        .ioPolicy(IoPolicy.roundRobin())
        .delayedRemoval(Duration.ofSeconds(30))
        .property("scsi.initiator", initiator)
        .property("scsi.reconnect_delay_ms", "100")
        .build();
    closeables.add(mp);
    return mp;
  }

  MultipathDevice connectBoth(Multipath mp, IscsiTargetListener a, IscsiTargetListener b) {
    mp.connect(a.uri(0)).orTimeout(60, TimeUnit.SECONDS).join();
    mp.connect(b.uri(0)).orTimeout(60, TimeUnit.SECONDS).join();
    assertEquals(1, mp.devices().size(), "one head for one LU");
    MultipathDevice d = mp.devices().get(0);
    assertEquals(2, d.paths().size());
    return d;
  }

  @Test
  void sameNexusConnectedTwiceIsMergedNotLoggedInAgain() throws Exception {
    // issue 9 defects 3 and 7 for iSCSI: one session per portal, target and LUN
    IscsiTargetListener a = listen(1);
    ScsiProvider provider = new ScsiProvider();
    Multipath mp = host(INITIATOR + "-dup", provider);
    mp.connect(a.uri(0)).orTimeout(60, TimeUnit.SECONDS).join();
    mp.connect(a.uri(0)).orTimeout(60, TimeUnit.SECONDS).join();
    // the same portal spelled otherwise, and the target name in another case
    mp.connect(URI.create("iscsi://127.0.0.1:" + a.tcpPort() + "/" + NAME.toUpperCase(java.util.Locale.ROOT) + "/0"))
        .orTimeout(60, TimeUnit.SECONDS).join();
    assertEquals(1, provider.sessions().size());
    assertEquals(1, a.connectionCount());
    assertEquals(1, mp.devices().size());
    assertEquals(1, mp.devices().get(0).paths().size());
    // a whole-target connect through the same portal finds LUN 0 taken: merged, no session kept
    URI whole = URI.create("iscsi://127.0.0.1:" + a.tcpPort() + "/" + NAME);
    assertEquals(mp.devices(), mp.connect(whole).orTimeout(60, TimeUnit.SECONDS).join());
    assertEquals(mp.devices(), mp.connect(whole).orTimeout(60, TimeUnit.SECONDS).join());
    assertEquals(1, provider.sessions().size(), "the whole-target session had nothing of its own");
    Await.until("the extra connection logged out", () -> a.connectionCount() == 1);
    assertEquals(1, mp.devices().get(0).paths().size());
  }

  @Test
  void headWithTwoListenersSurvivesAKilledPortUnderLoad() throws Exception {
    IscsiTargetListener a = listen(1);
    IscsiTargetListener b = listen(2);
    Multipath mp = host(INITIATOR + "-load");
    MultipathDevice d = connectBoth(mp, a, b);
    PathInfo p1 = d.paths().get(0);
    PathInfo p2 = d.paths().get(1);
    assertEquals(AccessState.OPTIMIZED, p1.accessState(), "RTPG through port 1");
    assertEquals(AccessState.NON_OPTIMIZED, p2.accessState(), "RTPG through port 2");
    VerifiedLoad.Result r = VerifiedLoad.run(d, 4, 40, new int[] {4096, 65536, 512}, 128,
        () -> target.faults(1).kill());
    assertNull(r.firstFailure(), () -> "error surfaced: " + r.firstFailure());
    assertEquals(-1, r.firstNotOnce(), "every request completed exactly once");
    assertTrue(p2.stats().ios() > 0, "port 2 carried the load after the kill");
    assertTrue(p1.state() != PathState.LIVE, "port 1 is down: " + p1.state());
    target.faults(1).revive();
    Await.until("port 1 back", () -> p1.state() == PathState.LIVE);
    ByteBuffer buf = ByteBuffer.allocate(4096);
    d.read(0, buf).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aluaStateChangesAreSeenThroughRtpg() throws Exception {
    IscsiTargetListener a = listen(1);
    IscsiTargetListener b = listen(2);
    Multipath mp = host(INITIATOR + "-alua");
    MultipathDevice d = connectBoth(mp, a, b);
    PathInfo p1 = d.paths().get(0);
    PathInfo p2 = d.paths().get(1);
    target.portGroups().transition(1, AluaState.STANDBY);
    target.portGroups().transition(2, AluaState.ACTIVE_OPTIMIZED);
    Await.until("the host follows the new states", () -> {
      d.read(0, ByteBuffer.allocate(512)).join();
      return p1.accessState() == AccessState.STANDBY && p2.accessState() == AccessState.OPTIMIZED;
    });
    // and straight through the wire
    DirectSession direct = direct(ep(a, null, null), settings()).login();
    ByteBuffer buf = ByteBuffer.allocate(1024);
    ScsiResult r = direct.good(ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 1024).encode(), buf, 1024);
    RtpgResponse rtpg = RtpgResponse.decode(Arrays.copyOf(buf.array(), r.transferred()));
    assertEquals(AluaState.STANDBY, rtpg.group(1).orElseThrow().state());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, rtpg.group(2).orElseThrow().state());
  }

  @Test
  void persistentReservationRegisterAndReadKeysThroughBothNexuses() throws Exception {
    IscsiTargetListener a = listen(1);
    IscsiTargetListener b = listen(2);
    Multipath mp = host(INITIATOR + "-pr");
    MultipathDevice d = connectBoth(mp, a, b);
    long key = 0x6d70617468_0001L;
    d.reservations().register(0, key, true, false).get(30, TimeUnit.SECONDS);
    RegisteredKeys keys = d.reservations().readKeys().get(30, TimeUnit.SECONDS);
    assertEquals(2, keys.keys().stream().filter(k -> k == key).count(), "one registration per I_T nexus: " + keys);
    assertEquals(2, target.lun(0).registrations().size(), target.lun(0).registrations().toString());
    d.reservations().register(key, 0, true, false).get(30, TimeUnit.SECONDS);
    assertFalse(d.reservations().readKeys().get(30, TimeUnit.SECONDS).contains(key));
  }

  // ------------------------------------------------------------------ bad input

  /** A raw TCP peer. */
  final class Raw implements AutoCloseable {
    final Socket s;
    final InputStream in;
    final OutputStream out;
    final PduEncoder enc = new PduEncoder(false, false);
    final PduDecoder dec = PduDecoder.fromTarget(1 << 20);
    final byte[] buf = new byte[1 << 21];
    int start;
    int end;

    Raw(IscsiTargetListener l) throws IOException {
      s = new Socket(l.address().getAddress(), l.tcpPort());
      s.setSoTimeout(30_000);
      in = s.getInputStream();
      out = s.getOutputStream();
      closeables.add(this);
    }

    void send(Pdu p) throws IOException {
      enc.encode(p, out);
      out.flush();
    }

    void sendRaw(byte[] b) throws IOException {
      out.write(b);
      out.flush();
    }

    Pdu read() throws IOException {
      while (true) {
        ByteBuffer v = ByteBuffer.wrap(buf, start, end - start);
        Pdu p = dec.decode(v);
        if (p != null) {
          start = v.position();
          return p;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
          return null;
        }
        end += n;
      }
    }

    /** Straight to the full feature phase: security stage, T=1, NSG=3. */
    Pdu login(String targetName) throws IOException {
      Map<String, String> k = new LinkedHashMap<>();
      k.put("InitiatorName", INITIATOR + "-raw");
      k.put("SessionType", "Normal");
      k.put("TargetName", targetName);
      k.put("AuthMethod", "None");
      send(Pdus.loginRequest(true, false, 0, 3, ISIDS.incrementAndGet(), 0, 1, 0, 1, 0, TextParameters.encode(k)));
      return read();
    }

    /** Waits (bounded by the socket timeout) for the listener to close the connection. */
    void awaitClosed() throws IOException {
      byte[] trash = new byte[65536];
      try {
        while (in.read(trash) >= 0) {
          // what the listener still sent
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the listener kept the connection open", e);
      } catch (IOException e) {
        // reset: closed too
      }
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }

  @Test
  void idleConnectionsAtTheCapGiveWayToALogin() throws Exception {
    // issue 9 defect 8: 255 connections that said nothing held the portal until the login
    // timeout; now the oldest one still logging in is closed to take a new connection
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1)
        .maxConnections(4).loginTimeout(Duration.ofMinutes(5)));
    List<Raw> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      idle.add(new Raw(l));
      int n = i + 1;
      Await.until("idle connection " + n + " taken", () -> l.connectionCount() == n);
    }
    // well inside the 5-minute login timeout: only eviction can make room
    DirectSession first = direct(ep(l, null, null), settings()).login();
    first.good(new TestUnitReadyCdb().toBytes(), null, 0);
    idle.get(0).awaitClosed(); // the oldest idle one gave way
    DirectSession second = direct(ep(l, null, null), settings()).login();
    second.good(new TestUnitReadyCdb().toBytes(), null, 0);
    idle.get(1).awaitClosed();
    // two logged in, two idle: two more logins take the idle slots, and then the portal is
    // full of established sessions and refuses the next connection instead of dropping one
    direct(ep(l, null, null), settings()).login();
    direct(ep(l, null, null), settings()).login();
    idle.get(2).awaitClosed();
    idle.get(3).awaitClosed();
    Await.until("four sessions", () -> l.connectionCount() == 4);
    try (Raw refused = new Raw(l)) {
      refused.awaitClosed();
    }
    first.good(new TestUnitReadyCdb().toBytes(), null, 0);
    assertEquals(4, l.connectionCount());
  }

  static byte[] bhs(int opcode, int dsl) {
    byte[] b = new byte[48];
    b[0] = (byte) opcode;
    b[5] = (byte) (dsl >>> 16);
    b[6] = (byte) (dsl >>> 8);
    b[7] = (byte) dsl;
    return b;
  }

  @Test
  void malformedInputCostsOnlyItsConnection() throws Exception {
    IscsiTargetListener l = listen(IscsiTargetListener.builder(target, 1).loginTimeout(Duration.ofSeconds(2)));
    DirectSession good = direct(ep(l, null, null), settings()).login();
    good.good(new TestUnitReadyCdb().toBytes(), null, 0);
    ByteBuffer pattern = VerifiedLoad.pattern(7, 65536, 1);
    good.good(ReadWriteCdb.write16(7, 128).toBytes(), pattern.duplicate(), 65536);

    // an opcode no initiator may send
    try (Raw r = new Raw(l)) {
      r.sendRaw(bhs(0x3E, 0));
      r.awaitClosed();
    }
    // a Login Request announcing a 16 MiB - 1 data segment: refused before any allocation
    try (Raw r = new Raw(l)) {
      r.sendRaw(bhs(Opcode.LOGIN_REQUEST | 0x40, 0xFFFFFF));
      r.awaitClosed();
    }
    // the same in the full feature phase, as a SCSI Command
    try (Raw r = new Raw(l)) {
      Pdu resp = r.login(NAME);
      assertEquals(0, resp.statusClass(), "raw login");
      assertEquals(Pdus.STAGE_FULL_FEATURE, resp.nsg());
      byte[] cmd = bhs(Opcode.SCSI_COMMAND, 0xFFFFFF);
      cmd[1] = (byte) 0xA1;
      r.sendRaw(cmd);
      r.awaitClosed();
    }
    // a Data-Out for a task that does not exist
    try (Raw r = new Raw(l)) {
      assertEquals(0, r.login(NAME).statusClass());
      r.send(Pdus.dataOut(true, 0, 77, 5, 0, 0, 0, ByteBuffer.allocate(512)));
      r.awaitClosed();
    }
    // garbage
    try (Raw r = new Raw(l)) {
      byte[] junk = new byte[8192];
      new Random(42).nextBytes(junk);
      junk[0] = Opcode.LOGIN_REQUEST;
      r.sendRaw(junk);
      r.awaitClosed();
    }
    // a bad key=value text in the login
    try (Raw r = new Raw(l)) {
      r.send(Pdus.loginRequest(true, false, 0, 3, ISIDS.incrementAndGet(), 0, 1, 0, 1, 0,
          "InitiatorName\0no-equals\0".getBytes()));
      Pdu resp = r.read();
      assertEquals(2, resp.statusClass(), "initiator error");
      r.awaitClosed();
    }
    // a peer that says nothing: dropped at the login timeout
    try (Raw r = new Raw(l)) {
      r.awaitClosed();
    }
    // the good session never noticed
    ByteBuffer back = ByteBuffer.allocate(65536);
    good.good(ReadWriteCdb.read16(7, 128).toBytes(), back, 65536);
    assertEquals(pattern, back);
    assertNull(good.lost.get());
    Await.until("only the good connection left", () -> l.connectionCount() == 1);
  }

  @Test
  void sendTargetsInTheFullFeaturePhaseAndNop() throws Exception {
    IscsiTargetListener l = listen(1);
    try (Raw r = new Raw(l)) {
      Pdu resp = r.login(NAME);
      assertEquals(0, resp.statusClass());
      int exp = resp.expCmdSn();
      r.send(Pdus.textRequest(false, true, 9, Pdu.RESERVED_TAG, exp, resp.statSn() + 1,
          "SendTargets=\0".getBytes()));
      Pdu t = r.read();
      assertEquals(Opcode.TEXT_RESPONSE, t.opcode());
      assertEquals(9, t.itt());
      assertTrue(t.finalBit());
      Map<String, String> m = TextParameters.parseUnique(t.dataBytes());
      assertEquals(NAME, m.get("TargetName"));
      assertEquals("127.0.0.1:" + l.tcpPort() + ",1", m.get("TargetAddress"));
      assertEquals(exp + 1, t.expCmdSn(), "a non-immediate Text Request takes a CmdSN");
      r.send(Pdus.nopOut(true, 0, 10, Pdu.RESERVED_TAG, exp + 1, t.statSn() + 1, "ping".getBytes()));
      Pdu nop = r.read();
      assertEquals(Opcode.NOP_IN, nop.opcode());
      assertEquals(10, nop.itt());
      assertEquals("ping", new String(nop.dataBytes()));
      r.send(Pdus.logoutRequest(true, Pdus.LOGOUT_CLOSE_SESSION, 11, 0, exp + 1, nop.statSn() + 1));
      Pdu bye = r.read();
      assertEquals(Opcode.LOGOUT_RESPONSE, bye.opcode());
      assertEquals(0, bye.response());
      r.awaitClosed();
    }
  }

  /**
   * RFC 7143 11.7.5 at ErrorRecoveryLevel 0: a Data-Out whose DataSN is out of order (here
   * the two of an R2T's burst swapped, as libiscsi's iSCSIDataSnInvalid sends them) fails its
   * task with CHECK CONDITION, ABORTED COMMAND / DATA PHASE ERROR, once the burst is in;
   * nothing is written and the session goes on.
   */
  @Test
  void aDataOutOutOfSequenceFailsItsTaskAndTheSessionGoesOn() throws Exception {
    IscsiTargetListener l = listen(1);
    try (Raw r = new Raw(l)) {
      Pdu resp = r.login(NAME); // RFC 7143 defaults: InitialR2T=Yes, 8 KiB segments
      assertEquals(0, resp.statusClass());
      int cmdSn = resp.expCmdSn();
      byte[] cdb = ReadWriteCdb.write10(40, 2).toBytes();
      r.send(Pdus.scsiCommand(false, true, 0, 21, 1024, cmdSn, resp.statSn() + 1, cdb, null, true));
      Pdu r2t = r.read();
      assertEquals(Opcode.R2T, r2t.opcode());
      assertEquals(1024, r2t.desiredDataTransferLength());
      ByteBuffer ones = ByteBuffer.allocate(512);
      while (ones.hasRemaining()) {
        ones.put((byte) 1);
      }
      r.send(Pdus.dataOut(false, 0, 21, r2t.ttt(), r2t.statSn(), 1, 0, ones.flip()));
      r.send(Pdus.dataOut(true, 0, 21, r2t.ttt(), r2t.statSn(), 0, 512, ones.rewind()));
      Pdu answer = r.read();
      assertEquals(Opcode.SCSI_RESPONSE, answer.opcode());
      assertEquals(21, answer.itt());
      assertEquals(ScsiStatus.CHECK_CONDITION.code(), answer.status());
      byte[] data = answer.dataBytes(); // SenseLength (2 bytes), then the sense data
      SenseData sense = SenseData.decode(Arrays.copyOfRange(data, 2, data.length));
      assertTrue(sense.is(SenseKey.ABORTED_COMMAND, Asc.DATA_PHASE_ERROR), sense.toString());
      ByteBuffer medium = ByteBuffer.allocate(1024);
      target.lun(0).store().read(40L * 512, medium);
      assertEquals(ByteBuffer.allocate(1024), medium.flip(), "nothing written");
      // the same connection serves the next commands: the new nexus's power-on unit
      // attention (the failed WRITE never reached the LU), then GOOD
      r.send(Pdus.scsiCommand(false, false, 0, 22, 0, cmdSn + 1, answer.statSn() + 1,
          new TestUnitReadyCdb().toBytes(), null, true));
      Pdu ua = r.read();
      assertEquals(22, ua.itt());
      assertEquals(ScsiStatus.CHECK_CONDITION.code(), ua.status());
      byte[] uaData = ua.dataBytes();
      assertEquals(SenseKey.UNIT_ATTENTION,
          SenseData.decode(Arrays.copyOfRange(uaData, 2, uaData.length)).senseKey());
      r.send(Pdus.scsiCommand(false, false, 0, 23, 0, cmdSn + 2, ua.statSn() + 1,
          new TestUnitReadyCdb().toBytes(), null, true));
      Pdu tur = r.read();
      assertEquals(23, tur.itt());
      assertEquals(ScsiStatus.GOOD.code(), tur.status());
    }
  }

  // ------------------------------------------------------------------ a number

  /** 4 KiB random reads at queue depth 32 through one listener: prints IOPS (bounded count). */
  @Test
  void fourKiBReadsThroughOneListener() throws Exception {
    IscsiTargetListener l = listen(1);
    DirectSession d = direct(ep(l, null, null), settings().withNop(Duration.ZERO, Duration.ofSeconds(10))).login();
    d.good(new TestUnitReadyCdb().toBytes(), null, 0);
    int qd = 32;
    int total = 40_000;
    Semaphore slots = new Semaphore(qd);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ByteBuffer[] bufs = new ByteBuffer[qd];
    for (int i = 0; i < qd; i++) {
      bufs[i] = ByteBuffer.allocate(4096);
    }
    Random rnd = new Random(1);
    long t0 = System.nanoTime();
    for (int i = 0; i < total; i++) {
      assertTrue(slots.tryAcquire(30, TimeUnit.SECONDS), "a read never completed");
      long lba = rnd.nextInt(65536 / 8) * 8L;
      d.submit(ReadWriteCdb.read10(lba, 8).toBytes(), bufs[i % qd], 4096).whenComplete((res, e) -> {
        if (e != null || !res.good()) {
          failure.compareAndSet(null, e != null ? e : new AssertionError("status " + res.status()));
        }
        slots.release();
      });
    }
    assertTrue(slots.tryAcquire(qd, 30, TimeUnit.SECONDS));
    double s = (System.nanoTime() - t0) / 1e9;
    assertNull(failure.get());
    System.out.printf("iSCSI listener: %d 4 KiB random reads at qd %d in %.2f s: %.0f IOPS%n", total, qd, s,
        total / s);
  }

  @Test
  void urisNameEveryLun() throws Exception {
    IscsiTargetListener l = listen(1);
    assertEquals(List.of(URI.create("iscsi://127.0.0.1:" + l.tcpPort() + "/" + NAME + "/0")), l.uris());
    assertThrows(IllegalArgumentException.class, () -> IscsiTargetListener.builder(target, 9));
  }

  @Test
  void sendTargetsReportsTheAdvertisedHostOfEveryPortal() throws Exception {
    // bound on loopback, reached by clients as array.example (NAT, port forwarding)
    IscsiTargetListener a = listen(IscsiTargetListener.builder(target, 1).advertise("array.example"));
    IscsiTargetListener b = listen(IscsiTargetListener.builder(target, 2).advertise("2001:db8::5"));
    assertEquals(URI.create("iscsi://array.example:" + a.tcpPort() + "/" + NAME + "/0"), a.uri(0));
    Map<String, List<String>> found = IscsiTransport.sendTargets(
        new IscsiEndpoint(dev.mpath.spi.NetAddress.of("127.0.0.1", a.tcpPort()), null, IscsiEndpoint.ALL_LUNS,
            null, null), settings()).get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(Map.of(NAME, List.of("array.example:" + a.tcpPort() + "," + a.portalGroupTag(),
        "[2001:db8::5]:" + b.tcpPort() + "," + b.portalGroupTag())), found);
  }

  /** A direct session to LUN 0, closed after the test. */
  DirectSession direct(IscsiEndpoint ep, IscsiSettings s) {
    DirectSession d = new DirectSession(ep, s, 0);
    closeables.add(d);
    return d;
  }
}
