package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.nvme.target.TargetController;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.Await;
import dev.mpath.testing.NoLookups;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import java.util.List;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The host transport against the listener, without the multipath head. */
class NvmeTcpTransportTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-unit";
  private final SystemScheduler sched = new SystemScheduler("tcp-test-timer");
  private final NvmeSubsystem subsys = NvmeSubsystem.builder(NQN, sched)
      .ports(2)
      .namespace(NamespaceSpec.of(1, 8192))
      .build();

  @AfterEach
  void stop() {
    subsys.close();
    sched.close();
  }

  /** Collects one queue's completions. */
  static final class Handler implements QueueHandler {
    final LinkedBlockingQueue<int[]> done = new LinkedBlockingQueue<>(); // cid, status, dw0
    final AtomicReference<String> gone = new AtomicReference<>();

    @Override
    public void completed(CompletionQueueEntry cqe) {
      done.add(new int[] {cqe.cid(), cqe.statusField(), cqe.dw0()});
    }

    @Override
    public void disconnected(String reason) {
      gone.compareAndSet(null, reason);
    }

    int[] next() throws InterruptedException {
      int[] c = done.poll(30, TimeUnit.SECONDS);
      assertNotNull(c, "completion within the bound");
      return c;
    }
  }

  private static ByteBuffer pattern(int bytes, int seed) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (seed * 31 + i * 7 + (i >> 9)));
    }
    return b;
  }

  private NvmeTcpTransport connected(NvmeTcpListener l, boolean hd, boolean dd, Handler admin,
      Handler io) {
    NvmeTcpTransport t = new NvmeTcpTransport(
        NvmeTcpTransport.Target.of(l.address(), NQN).withDigests(hd, dd));
    int cntlid = t.connectAdmin(NQN, "nqn.2014-08.org.nvmexpress:uuid:test", UUID.randomUUID(),
        0, admin).join();
    assertTrue(cntlid >= 1);
    long cap = t.propertyGet(TargetController.PROP_CAP, 8).join();
    assertEquals(1023, cap & 0xFFFF, "CAP.MQES");
    t.propertySet(TargetController.PROP_CC, 4, TargetController.CC_EN).join();
    assertEquals(1, t.propertyGet(TargetController.PROP_CSTS, 4).join() & 1, "CSTS.RDY");
    t.connectIo(1, 64, io).join();
    return t;
  }

  @ParameterizedTest(name = "header digest {0}, data digest {1}")
  @CsvSource({"false,false", "true,true", "true,false", "false,true"})
  void writesInCapsuleAndByR2tThenReadsAcrossSeveralC2hData(boolean hd, boolean dd)
      throws Exception {
    try (NvmeTcpListener l = NvmeTcpListener.builder(subsys, 1).c2hChunk(8192)
        .maxH2CData(16384).start()) {
      Handler admin = new Handler();
      Handler io = new Handler();
      NvmeTcpTransport t = connected(l, hd, dd, admin, io);
      SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
      int cid = 0;
      for (int size : new int[] {512, 8192, 8704, 65536, 1 << 20}) {
        ByteBuffer src = pattern(size, size);
        src.position(0);
        ReadWriteCommand.write(sqe, ++cid, 1, 16, size / 512, false);
        t.submit(1, sqe, src);
        int[] c = io.next();
        assertEquals(cid, c[0]);
        assertEquals(0, c[1], "write status, " + size + " bytes");
        // read it back into the middle of a bigger buffer: position/limit never move
        ByteBuffer dst = ByteBuffer.allocate(size + 100);
        dst.position(50).limit(50 + size);
        ReadWriteCommand.read(sqe, ++cid, 1, 16, size / 512);
        t.submit(1, sqe, dst);
        c = io.next();
        assertEquals(cid, c[0]);
        assertEquals(0, c[1], "read status");
        assertEquals(50, dst.position());
        assertEquals(50 + size, dst.limit());
        assertEquals(src, dst, "data of " + size + " bytes");
      }
      t.close();
      t.close(); // idempotent
      Await.until("the listener to drop the connections", () -> l.connectionCount() == 0);
      assertEquals(null, admin.gone.get(), "no disconnect report after close()");
      Await.until("the controller to leave", () -> subsys.controllers().isEmpty());
    }
  }

  @Test
  void droppingTheConnectionReportsDisconnected() throws Exception {
    try (NvmeTcpListener l = NvmeTcpListener.start(subsys, 2)) {
      Handler admin = new Handler();
      Handler io = new Handler();
      NvmeTcpTransport t = connected(l, false, false, admin, io);
      assertEquals(2, l.connectionCount());
      l.closeConnections();
      Await.until("disconnect reports", () -> admin.gone.get() != null && io.gone.get() != null);
      t.close();
    }
  }

  @Test
  void killedPortRefusesConnectWithAPathFailure() throws Exception {
    try (NvmeTcpListener l = NvmeTcpListener.start(subsys, 1)) {
      Handler admin = new Handler();
      Handler io = new Handler();
      NvmeTcpTransport t = connected(l, false, false, admin, io);
      subsys.faults(1).kill();
      Await.until("kill seen by the host", () -> admin.gone.get() != null);
      t.close();
      NvmeTcpTransport again = new NvmeTcpTransport(NvmeTcpTransport.Target.of(l.address(), NQN));
      CompletionException e = assertThrows(CompletionException.class, () -> again.connectAdmin(
          NQN, "nqn.2014-08.org.nvmexpress:uuid:x", UUID.randomUUID(), 0, new Handler()).join());
      assertInstanceOf(PathFailureException.class, e.getCause());
      again.close();
      // a wrong subsystem NQN is refused too
      NvmeTcpTransport wrong = new NvmeTcpTransport(
          NvmeTcpTransport.Target.of(l.address(), "nqn.2024-01.dev.mpath:nope"));
      assertThrows(CompletionException.class, () -> wrong.connectAdmin("nqn.2024-01.dev.mpath:nope",
          "nqn.2014-08.org.nvmexpress:uuid:x", UUID.randomUUID(), 0, new Handler()).join());
      wrong.close();
    }
  }

  @Test
  void uriParsing() {
    NvmeTcpTransport.Target t = NvmeTcpTransport.Target.parse(
        URI.create("nvme+tcp://127.0.0.1:4420/nqn.2024-01.dev.mpath:x?hdgst=1&ddgst=true"));
    assertEquals(4420, t.address().port());
    assertEquals("nqn.2024-01.dev.mpath:x", t.subsystemNqn());
    assertTrue(t.headerDigest() && t.dataDigest());
    assertFalse(t.isDiscovery());
    assertThrows(IllegalArgumentException.class, () -> NvmeTcpTransport.Target.parse(
        URI.create("nvme+tcp://127.0.0.1:4420/nqn.x?bogus=1")));
    assertThrows(IllegalArgumentException.class, () -> NvmeTcpTransport.Target.parse(
        URI.create("nvme+tcp://127.0.0.1:4420/nqn.x?host_traddr=eth0")));
    assertThrows(IllegalArgumentException.class, () -> NvmeTcpTransport.Target.parse(
        URI.create("nvme+tcp://127.0.0.1:4420/nqn.x?host_traddr=127.0.0.2&host_iface=lo")));
  }

  @Test
  void anyAddressParsesWithoutALookupAndDefaultsFollowNvmeCli() {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    NvmeTcpTransport.Target[] t = new NvmeTcpTransport.Target[4];
    List<String> lookups = NoLookups.run(() -> {
      t[0] = NvmeTcpTransport.Target.parse(URI.create("nvme+tcp://192.0.2.1/nqn.2024-01.io.example:a"));
      t[1] = NvmeTcpTransport.Target.parse(
          URI.create("nvme+tcp://[2001:db8::4]:4421/nqn.2024-01.io.example:a?host_traddr=2001:db8::99"));
      t[2] = NvmeTcpTransport.Target.parse(
          URI.create("nvme+tcp://array-a.example.com?host_iface=eth1"));
      t[3] = NvmeTcpTransport.Target.parse(URI.create("nvme+tcp://10.0.0.5:4420/"));
      // constructing the transport does not connect or resolve either
      new NvmeTcpTransport(t[2]).close();
    });
    assertEquals(List.of(), lookups);
    assertEquals("192.0.2.1:4420", t[0].address().hostPort());
    assertEquals("[2001:db8::4]:4421", t[1].address().hostPort());
    assertEquals("2001:db8::99", t[1].address().sourceAddress());
    assertEquals("array-a.example.com:8009", t[2].address().hostPort(), "discovery: port 8009");
    assertEquals("eth1", t[2].address().sourceInterface());
    assertTrue(t[2].isDiscovery());
    assertEquals(FabricsCommands.DISCOVERY_NQN, t[3].subsystemNqn());
    assertEquals(4420, t[3].address().port());
    assertEquals("nvme+tcp://[2001:db8::4]:4421/nqn.2024-01.io.example:a",
        new NvmeTcpTransport(t[1]).address());
  }

  // ------------------------------------------------------------------ misbehaving hosts

  private static ByteBuffer readTermReq(SocketChannel ch) throws IOException {
    NvmeTcpDecoder d = new NvmeTcpDecoder(NvmeTcpDecoder.Role.HOST, 4096);
    ByteBuffer in = ByteBuffer.allocate(4096);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      in.clear();
      if (ch.read(in) < 0) {
        return null;
      }
      in.flip();
      NvmeTcpPdu p;
      while ((p = d.next(in)) != null) {
        if (p instanceof NvmeTcpPdu.TermReq t) {
          ByteBuffer r = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
          r.putShort(0, (short) t.fes()).putInt(2, (int) t.fei());
          return r;
        }
      }
    }
    throw new AssertionError("no TermReq");
  }

  /** Whether the listener closed {@code ch} (read returns -1) within 30 s. */
  private static boolean closedByPeer(SocketChannel ch) throws IOException {
    ch.socket().setSoTimeout(30_000);
    java.io.InputStream in = ch.socket().getInputStream();
    try {
      return in.read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }

  @Test
  void idleConnectionsAtTheCapGiveWayToAController() throws Exception {
    // issue 9 defect 8 on NVMe/TCP: sockets that never send an ICReq held the port until
    // the setup timeout; the oldest of them now makes room for a new connection
    try (NvmeTcpListener l = NvmeTcpListener.builder(subsys, 1).maxConnections(3)
        .setupTimeout(java.time.Duration.ofMinutes(5)).start()) {
      List<SocketChannel> idle = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          idle.add(SocketChannel.open(l.address()));
          int n = i + 1;
          Await.until("idle connection " + n, () -> l.connectionCount() == n);
        }
        // admin and I/O queue: two connections, each evicting the oldest idle one
        Handler admin = new Handler();
        Handler io = new Handler();
        NvmeTcpTransport t = connected(l, false, false, admin, io);
        assertTrue(closedByPeer(idle.get(0)));
        assertTrue(closedByPeer(idle.get(1)));
        // full of one controller's queues and one idle socket: the idle one goes next
        try (SocketChannel extra = SocketChannel.open(l.address())) {
          assertTrue(closedByPeer(idle.get(2)));
          Await.until("three open", () -> l.connectionCount() == 3);
        }
        t.close();
      } finally {
        for (SocketChannel c : idle) {
          c.close();
        }
      }
    }
  }

  @Test
  void aHostSendingGarbageGetsTermReqAndOnlyItsConnectionCloses() throws Exception {
    try (NvmeTcpListener l = NvmeTcpListener.start(subsys, 1)) {
      Handler admin = new Handler();
      Handler io = new Handler();
      NvmeTcpTransport good = connected(l, false, false, admin, io);
      // PLEN of 4 GiB on a CapsuleCmd, right after a proper ICReq
      try (SocketChannel bad = SocketChannel.open(l.address())) {
        ByteBuffer ic = NvmeTcpCodec.encode(new NvmeTcpPdu.IcReq(0, 0, false, false, 0), false,
            false);
        while (ic.hasRemaining()) {
          bad.write(ic);
        }
        ByteBuffer evil = ByteBuffer.wrap(new byte[] {0x04, 0, 0x48, 0x48, -1, -1, -1, -1});
        bad.write(evil);
        // skip the ICResp, then expect C2HTermReq FES 05h
        ByteBuffer in = ByteBuffer.allocate(128);
        while (in.hasRemaining()) {
          assertTrue(bad.read(in) >= 0);
        }
        ByteBuffer term = readTermReq(bad);
        assertNotNull(term);
        assertEquals(NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, term.getShort(0));
        assertEquals(4, term.getInt(2));
      }
      // a host that skips ICReq
      try (SocketChannel bad = SocketChannel.open(l.address())) {
        ByteBuffer cmd = NvmeTcpCodec.encode(
            new NvmeTcpPdu.CapsuleCmd(new byte[64], null), false, false);
        while (cmd.hasRemaining()) {
          bad.write(cmd);
        }
        ByteBuffer term = readTermReq(bad);
        assertNotNull(term);
        assertEquals(NvmeTcpProtocolException.FES_PDU_SEQUENCE_ERROR, term.getShort(0));
      }
      // the good host is untouched
      SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
      ByteBuffer dst = ByteBuffer.allocate(4096);
      ReadWriteCommand.read(sqe, 7, 1, 0, 8);
      good.submit(1, sqe, dst);
      assertEquals(0, io.next()[1]);
      assertEquals(null, io.gone.get());
      good.close();
    }
  }

  @Test
  void listenerRefusesAPortTheSubsystemLacks() {
    assertThrows(IllegalArgumentException.class, () -> NvmeTcpListener.builder(subsys, 3));
  }
}
