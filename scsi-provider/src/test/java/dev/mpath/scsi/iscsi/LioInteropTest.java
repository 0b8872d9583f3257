package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.ReportTargetPortGroupsCdb;
import dev.mpath.alua.RtpgFormat;
import dev.mpath.alua.RtpgResponse;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.QemuGuest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Interop with the Linux kernel's own iSCSI target (LIO), in a QEMU guest booted by the
 * workplace's {@code qemu-nvme-client.sh} with {@code qemu-nvme-guest/lio-target.sh}: one
 * 64 MiB fileio LU behind {@code tpgt_1} (guest port 3260, ALUA group A = default_tg_pt_gp,
 * id 0, active/optimized) and {@code tpgt_2} (guest port 3261, group B = grpB, id 2,
 * active/non-optimized), ALUA type 3 (implicit and explicit), and a control shell on guest
 * port 9999. The guest ports are forwarded to host loopback 43360, 43361 and 43369 (a set no
 * other kernel test uses), so the test only talks to 127.0.0.1.
 *
 * <p>Opt-in: skipped unless {@code MPATH_QEMU} names the script ({@link QemuGuest#require()}).
 * Everything is bounded: the guest's own limit ({@code -t}), each wait, and each test.
 */
@EnabledIfEnvironmentVariable(named = "MPATH_QEMU", matches = ".+",
    disabledReason = "no Linux guest: set MPATH_QEMU to ../shared/tools/qemu-nvme-client.sh")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LioInteropTest {
  static final String IQN = "iqn.2003-01.org.linux-iscsi.qnc:lio0";
  static final int PORT_A = 43360;
  static final int PORT_B = 43361;
  static final int CONTROL = 43369;
  /** The guest's wall-clock limit: it powers off by itself even if close() never runs. */
  static final Duration GUEST_LIMIT = Duration.ofSeconds(290);
  static final Duration BOOT_BOUND = Duration.ofSeconds(150);
  /** Bound for each wait on the target or on the head's view of it. */
  static final Duration BOUND = Duration.ofSeconds(60);
  static final String INITIATOR =
      "iqn.2024-01.dev.mpath:lio-interop-" + ProcessHandle.current().pid();
  /** LIO's configfs, as lio-target.sh sets it up. */
  static final String D = "/sys/kernel/config/target/core/fileio_0/disk0";
  static final String GROUP_A = D + "/alua/default_tg_pt_gp";
  static final String GROUP_B = D + "/alua/grpB";
  static final int BLOCK = 512;

  static QemuGuest guest;
  static SystemScheduler scheduler;
  static long bootMillis;

  @BeforeAll
  static void boot() throws Exception {
    QemuGuest.require();
    long t0 = System.nanoTime();
    guest = QemuGuest.start("lio", GUEST_LIMIT,
        "-L", PORT_A + "=3260", "-L", PORT_B + "=3261", "-L", CONTROL + "=9999",
        "-e", "HOLD=" + (GUEST_LIMIT.toSeconds() - 30),
        "-f", QemuGuest.guestScript("lio-target.sh").toString());
    guest.await("TARGET-READY iqn=", BOOT_BOUND);
    bootMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.println("LIO guest ready after " + bootMillis + " ms");
    scheduler = new SystemScheduler("lio-interop");
  }

  @AfterAll
  static void shutdown() {
    if (scheduler != null) {
      scheduler.close();
    }
    if (guest != null) {
      guest.close();
    }
  }

  // ------------------------------------------------------------------ the target's side

  /** Runs shell lines in the guest's control shell and returns what they printed. */
  static String control(String lines) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), CONTROL), 10_000);
      s.setSoTimeout(30_000);
      s.getOutputStream().write((lines + "\nexit\n").getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** A group's {@code alua_access_state} (0 AO, 1 AN, 2 S, ...) as LIO reports it. */
  static int targetState(String group) throws IOException {
    String out = control("cat " + group + "/alua_access_state").strip();
    return Integer.parseInt(out);
  }

  static String targetStatus(String group) throws IOException {
    return control("cat " + group + "/alua_access_status").strip();
  }

  // ------------------------------------------------------------------ straight on the transport

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
  }

  /**
   * What LIO sends for REPORT TARGET PORT GROUPS (SPC-4 6.37), byte for byte, in both formats:
   * the shape the alua module's unit tests are written for. RETURN DATA LENGTH is 24 either
   * way: right for the length-only header, 4 short for the extended one (LIO leaves bytes
   * 4-7 out of it), so the extended answer ends before group B's target port descriptor.
   */
  @Test
  @Order(1)
  void reportTargetPortGroupsAsLioSendsIt() {
    try (DirectSession a = direct(PORT_A)) {
      byte[] inquiry = a.good(InquiryCdb.standard(96).toBytes(), 96);
      assertEquals(3, StandardInquiryData.decode(inquiry).tpgs(), "TPGS 11b: both");

      byte[] ext = a.good(ReportTargetPortGroupsCdb.of(RtpgFormat.EXTENDED, 256).encode(), 256);
      byte[] lo = a.good(ReportTargetPortGroupsCdb.of(RtpgFormat.LENGTH_ONLY, 256).encode(), 256);
      System.out.println("LIO RTPG extended:    " + HexFormat.of().formatHex(ext));
      System.out.println("LIO RTPG length-only: " + HexFormat.of().formatHex(lo));
      // descriptors: state, supported states (T O U S AN AO), TARGET PORT GROUP, reserved,
      // STATUS CODE, vendor specific, TARGET PORT COUNT, then one target port descriptor each
      int portA = ((lo[4 + 8 + 2] & 0xFF) << 8) | (lo[4 + 8 + 3] & 0xFF);
      int portB = ((lo[4 + 12 + 8 + 2] & 0xFF) << 8) | (lo[4 + 12 + 8 + 3] & 0xFF);
      assertNotEquals(portA, portB);
      byte[] groupA = hex("00 CF 0000 00 00 00 01"); // STATUS CODE 00h: not altered yet
      byte[] groupB = hex("01 CF 0002 00 02 00 01"); // 02h: lio-target.sh set it
      byte[] expectedLo = new byte[28];
      System.arraycopy(hex("00000018"), 0, expectedLo, 0, 4);
      System.arraycopy(groupA, 0, expectedLo, 4, 8);
      expectedLo[4 + 8 + 3] = (byte) portA;
      expectedLo[4 + 8 + 2] = (byte) (portA >>> 8);
      System.arraycopy(groupB, 0, expectedLo, 16, 8);
      expectedLo[16 + 8 + 3] = (byte) portB;
      expectedLo[16 + 8 + 2] = (byte) (portB >>> 8);
      assertArrayEquals(expectedLo, lo, "length-only answer");

      byte[] expectedExt = new byte[28];
      System.arraycopy(hex("00000018 10 00 0000"), 0, expectedExt, 0, 8);
      System.arraycopy(expectedLo, 4, expectedExt, 8, 20); // group A whole, group B's header
      assertArrayEquals(expectedExt, ext, "extended answer: RETURN DATA LENGTH 24, 28 bytes sent");

      RtpgResponse r = RtpgResponse.decode(ext);
      assertTrue(r.truncated());
      assertEquals(List.of(portA), r.group(0).orElseThrow().relativeTargetPorts());
      assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, r.group(2).orElseThrow().state());
      assertFalse(RtpgResponse.decode(lo).truncated());
    }
  }

  // ------------------------------------------------------------------ through the head

  static PathInfo path(MultipathDevice d, int port) {
    for (PathInfo p : d.paths()) {
      if (p.transport().contains(":" + port + "/")) {
        return p;
      }
    }
    throw new AssertionError("no path through port " + port + " in " + d.paths());
  }

  static String states(MultipathDevice d) {
    StringBuilder sb = new StringBuilder();
    for (PathInfo p : d.paths()) {
      sb.append(p.name()).append(' ').append(p.transport()).append(' ').append(p.state())
          .append(' ').append(p.accessState()).append(" prio=").append(p.priority())
          .append(" ios=").append(p.stats().ios()).append(" errors=").append(p.stats().errors())
          .append("; ");
    }
    return sb.toString();
  }

  /** Verified 4 KiB writes and reads; every one must succeed and read back what was written. */
  static void verifiedIo(MultipathDevice d, int pairs, long base) throws Exception {
    for (int i = 0; i < pairs; i++) {
      long lba = base + (i % 512) * 8L;
      byte[] data = new byte[4096];
      ThreadLocalRandom.current().nextBytes(data);
      d.write(lba, ByteBuffer.wrap(data)).get(60, TimeUnit.SECONDS);
      ByteBuffer back = ByteBuffer.allocate(4096);
      d.read(lba, back).get(60, TimeUnit.SECONDS);
      assertArrayEquals(data, back.array(), "data at LBA " + lba);
    }
  }

  static long ios(MultipathDevice d, int port) {
    return path(d, port).stats().ios();
  }

  /** Whether the path through {@code port} carries I/O now in {@code state}. */
  static boolean usableAs(MultipathDevice d, int port, AccessState state) {
    PathInfo p = path(d, port);
    return p.usable() && p.accessState() == state;
  }

  /**
   * Keeps verified I/O going until {@code condition} holds (the unit attentions that tell of
   * an ALUA change arrive with commands, and the path checker reinstates a path between
   * them); bounded by {@link #BOUND}. Returns the next free LBA.
   */
  static long ioUntil(MultipathDevice d, String what, long lba, Check condition) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.holds()) {
      assertTrue(System.nanoTime() - deadline < 0,
          () -> "timed out after " + BOUND + " waiting for " + what + ": " + states(d));
      verifiedIo(d, 4, lba);
      lba += 32;
    }
    return lba;
  }

  /** A condition that may ask the target. */
  interface Check {
    boolean holds() throws Exception;
  }

  @Test
  @Order(2)
  void headFollowsLioAluaImplicitAndExplicit() throws Exception {
    try (Multipath mp = Multipath.builder()
        .provider(new ScsiProvider()).discoverProviders(false).scheduler(scheduler).jmxDomain(null)
        .checkInterval(Duration.ofSeconds(1))
        .ioPolicy(IoPolicy.roundRobin())
        .property("scsi.initiator", INITIATOR)
        .property("scsi.reconnect_delay_ms", "200")
        .build()) {
      long t0 = System.nanoTime();
      for (int port : new int[] {PORT_A, PORT_B}) {
        mp.connect(URI.create("iscsi://127.0.0.1:" + port + "/" + IQN + "/0"))
            .get(60, TimeUnit.SECONDS);
      }
      assertEquals(1, mp.devices().size(), "one head for one LU");
      MultipathDevice d = mp.devices().get(0);
      assertEquals(2, d.paths().size(), states(d));
      assertEquals(64L << 20, (long) d.blockSize() * d.capacityBlocks());
      assertTrue(d.id().toString().startsWith("naa.6001405"), d.id().toString());
      for (PathInfo p : d.paths()) {
        assertEquals(PathState.LIVE, p.state(), states(d));
      }
      // the states LIO serves: A optimized, B non-optimized (no waiting: connect completes
      // after each path's first ALUA check)
      assertEquals(AccessState.OPTIMIZED, path(d, PORT_A).accessState(), states(d));
      assertEquals(AccessState.NON_OPTIMIZED, path(d, PORT_B).accessState(), states(d));
      assertEquals(50, path(d, PORT_A).priority());
      assertEquals(10, path(d, PORT_B).priority());
      System.out.printf("connected in %d ms: %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), states(d));

      // I/O on the optimized path only
      long a0 = ios(d, PORT_A);
      long b0 = ios(d, PORT_B);
      verifiedIo(d, 64, 0);
      long a1 = ios(d, PORT_A);
      long b1 = ios(d, PORT_B);
      assertEquals(128, a1 - a0, states(d));
      assertEquals(0, b1 - b0, states(d));
      System.out.println("before the swap: " + states(d));

      // implicit ALUA swap on the target: B optimized first, then A non-optimized, so that
      // the target never reports a LU without an optimized group (which would make mpath ask
      // for one with STPG in the middle of the swap)
      long t1 = System.nanoTime();
      control("echo 0 > " + GROUP_B + "/alua_access_state; echo 1 > " + GROUP_A
          + "/alua_access_state");
      assertEquals(1, targetState(GROUP_A));
      assertEquals(0, targetState(GROUP_B));
      long lba = ioUntil(d, "the swap seen by the head", 8192,
          () -> usableAs(d, PORT_A, AccessState.NON_OPTIMIZED)
              && usableAs(d, PORT_B, AccessState.OPTIMIZED));
      System.out.printf("swap seen in %d ms: %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1), states(d));
      long a2 = ios(d, PORT_A);
      long b2 = ios(d, PORT_B);
      verifiedIo(d, 64, 16384);
      assertEquals(0, ios(d, PORT_A) - a2, states(d));
      assertEquals(128, ios(d, PORT_B) - b2, states(d));
      assertEquals(0, d.stats().errors(), states(d));

      // the optimized group (now B) goes standby: nothing is optimized, the target allows
      // explicit ALUA, so mpath asks for active/optimized with SET TARGET PORT GROUPS
      long t2 = System.nanoTime();
      control("echo 2 > " + GROUP_B + "/alua_access_state");
      assertEquals(2, targetState(GROUP_B));
      lba = ioUntil(d, "a group made optimized on the target", lba,
          () -> targetState(GROUP_A) == 0 || targetState(GROUP_B) == 0);
      String madeOptimized = targetState(GROUP_A) == 0 ? GROUP_A : GROUP_B;
      int optimizedPort = madeOptimized.equals(GROUP_A) ? PORT_A : PORT_B;
      int otherPort = optimizedPort == PORT_A ? PORT_B : PORT_A;
      String status = targetStatus(madeOptimized);
      System.out.printf("STPG seen on the target after %d ms: %s state 0, %s; %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t2), madeOptimized, status,
          control("sh /tmp/st.sh | head -2").replace('\n', ' '));
      assertEquals("Altered by Explicit STPG", status);
      // mpath asks for the active/non-optimized group A, as dm-multipath + scsi_dh_alua do,
      // rather than undo the standby of B
      assertEquals(GROUP_A, madeOptimized);
      assertEquals(2, targetState(GROUP_B));
      ioUntil(d, "the STPG's outcome seen by the head", lba,
          () -> usableAs(d, optimizedPort, AccessState.OPTIMIZED));
      assertEquals(AccessState.STANDBY, path(d, otherPort).accessState(), states(d));
      long o3 = ios(d, optimizedPort);
      long n3 = ios(d, otherPort);
      verifiedIo(d, 64, 32768);
      assertEquals(128, ios(d, optimizedPort) - o3, states(d));
      assertEquals(0, ios(d, otherPort) - n3, states(d));
      assertEquals(0, d.stats().errors(), states(d));
      System.out.printf("after STPG: %s (whole scenario %d ms)%n", states(d),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
  }

  /** A logged-in direct session to LUN 0 through the guest port forwarded to {@code port}. */
  static DirectSession direct(int port) {
    return new DirectSession(new IscsiEndpoint("127.0.0.1", port, IQN, 0, null, null),
        IscsiSettings.of(INITIATOR + "-direct", 0x80_3d_00_00_20_00L + port), 0).login();
  }
}
