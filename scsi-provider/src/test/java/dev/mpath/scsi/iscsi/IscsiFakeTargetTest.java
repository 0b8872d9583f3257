package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The initiator against a scripted in-process target on loopback: what tgt does not exercise
 * (CRC32C digests on the wire, a CmdSN window of one, target NOP-In pings, a dropped
 * connection with commands outstanding).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IscsiFakeTargetTest {
  private ServerSocket server;
  private Socket conn;
  private final PduEncoder enc = new PduEncoder(false, false);
  private final PduDecoder dec = PduDecoder.fromInitiator(1 << 20);
  private InputStream in;
  private OutputStream out;
  private byte[] buf = new byte[1 << 21];
  private int start;
  private int end;
  private int statSn = 100;
  private IscsiTransport transport;

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final BlockingQueue<long[]> responses = new LinkedBlockingQueue<>();
  private final AtomicInteger disconnects = new AtomicInteger();

  @AfterEach
  void close() throws IOException {
    if (transport != null) {
      transport.close();
    }
    if (conn != null) {
      conn.close();
    }
    if (server != null) {
      server.close();
    }
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

  void send(Pdu p) throws IOException {
    enc.encode(p, out);
    out.flush();
  }

  /** Starts a transport and plays the target side of a login with the given answers. */
  void login(boolean digests, int maxCmdSnAhead) throws Exception {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    IscsiEndpoint ep = new IscsiEndpoint("127.0.0.1", server.getLocalPort(), "iqn.test:fake", 0, null, null);
    transport = new IscsiTransport(ep, IscsiSettings.of("iqn.test:init", 0x1234).withDigests(digests)
        .withNop(java.time.Duration.ZERO, java.time.Duration.ofSeconds(5)));
    var done = transport.login(new ResponseHandler() {
      @Override
      public void response(long tag, int status, byte[] sense, int transferred, int residual) {
        responses.add(new long[] {tag, status, transferred, residual});
      }

      @Override
      public void disconnected(String reason) {
        events.add("disconnected: " + reason); // recorded before the count the tests wait on
        disconnects.incrementAndGet();
      }
    });
    conn = server.accept();
    in = conn.getInputStream();
    out = conn.getOutputStream();
    // security stage
    Pdu p = read();
    Map<String, String> k = TextParameters.parseUnique(p.dataBytes());
    assertEquals("iqn.test:init", k.get("InitiatorName"));
    assertEquals("iqn.test:fake", k.get("TargetName"));
    assertEquals("None", k.get("AuthMethod"));
    assertTrue(p.finalBit());
    int cmdSn = p.cmdSn();
    send(Pdus.loginResponse(true, false, 0, 1, p.isid(), 0, p.itt(), statSn++, cmdSn, cmdSn, 0, 0,
        "AuthMethod=None\0TargetPortalGroupTag=1\0".getBytes()));
    // operational stage
    p = read();
    k = TextParameters.parseUnique(p.dataBytes());
    assertEquals(digests ? "CRC32C,None" : "None", k.get("HeaderDigest"));
    assertEquals("0", k.get("ErrorRecoveryLevel"));
    assertEquals("1", k.get("MaxOutstandingR2T"));
    String d = digests ? "CRC32C" : "None";
    String answer = "HeaderDigest=" + d + "\0DataDigest=" + d + "\0MaxRecvDataSegmentLength=4096\0"
        + "InitialR2T=Yes\0ImmediateData=Yes\0MaxBurstLength=16384\0FirstBurstLength=8192\0"
        + "MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0";
    send(Pdus.loginResponse(true, false, 1, 3, p.isid(), 7, p.itt(), statSn++, cmdSn, cmdSn + maxCmdSnAhead, 0, 0,
        answer.getBytes()));
    enc.digests(digests, digests);
    dec.digests(digests, digests);
    done.get(10, TimeUnit.SECONDS);
    Negotiated n = transport.negotiated();
    assertEquals(digests, n.headerDigest());
    assertEquals(4096, n.targetMaxRecvDataSegmentLength());
    assertEquals(8192, n.firstBurstLength());
    assertEquals(7, n.tsih());
    assertEquals(1, n.targetPortalGroupTag());
  }

  @Test
  void writeThroughImmediateDataAndR2tAndReadThroughSeveralDataInWithDigests() throws Exception {
    login(true, 4);
    int size = 20480; // 4 KiB immediate (target MRDSL), then R2Ts for the rest
    ByteBuffer src = ByteBuffer.allocate(size);
    for (int i = 0; i < size; i++) {
      src.put(i, (byte) (i * 7));
    }
    transport.execute(1, 0, ReadWriteCdb.write10(0, size / 512).toBytes(), src, size);
    Pdu cmd = read();
    assertEquals(Opcode.SCSI_COMMAND, cmd.opcode());
    assertEquals(size, cmd.expectedDataTransferLength());
    assertEquals(4096, cmd.dataSegmentLength());
    assertTrue(cmd.finalBit(), "InitialR2T=Yes: no unsolicited Data-Out follows");
    byte[] got = new byte[size];
    System.arraycopy(cmd.dataBytes(), 0, got, 0, 4096);
    int off = 4096;
    int r2tSn = 0;
    while (off < size) {
      int want = Math.min(16384, size - off);
      send(Pdus.r2t(0, cmd.itt(), 0x500 + r2tSn, statSn, cmd.cmdSn() + 1, cmd.cmdSn() + 4, r2tSn++, off, want));
      int seq = 0;
      int dsn = 0;
      while (seq < want) {
        Pdu d = read();
        assertEquals(Opcode.DATA_OUT, d.opcode());
        assertEquals(0x500 + r2tSn - 1, d.ttt());
        assertEquals(dsn++, d.dataSn());
        assertEquals(off + seq, d.bufferOffset());
        assertTrue(d.dataSegmentLength() <= 4096);
        System.arraycopy(d.dataBytes(), 0, got, d.bufferOffset(), d.dataSegmentLength());
        seq += d.dataSegmentLength();
        assertEquals(seq == want, d.finalBit());
      }
      off += want;
    }
    assertArrayEquals(src.array(), got);
    send(Pdus.scsiResponse(cmd.itt(), 0, 0, statSn++, cmd.cmdSn() + 1, cmd.cmdSn() + 4, 0, false, false, 0, null));
    long[] r = responses.poll(10, TimeUnit.SECONDS);
    assertNotNull(r);
    assertEquals(1, r[0]);
    assertEquals(0, r[1]);
    assertEquals(size, r[2]);

    // read: three Data-In PDUs, status in the last (S), underflow residual
    ByteBuffer dst = ByteBuffer.allocate(12288 + 100);
    dst.position(100);
    transport.execute(2, 0, ReadWriteCdb.read10(0, 24).toBytes(), dst, 12288);
    cmd = read();
    assertEquals(12288, cmd.expectedDataTransferLength());
    for (int i = 0; i < 2; i++) {
      byte[] part = new byte[4096];
      java.util.Arrays.fill(part, (byte) (i + 1));
      boolean last = i == 1;
      send(Pdus.dataIn(last ? 0x83 : 0, 0, 0, cmd.itt(), -1, last ? statSn++ : 0, cmd.cmdSn() + 1,
          cmd.cmdSn() + 4, i, i * 4096, last ? 4096 : 0, ByteBuffer.wrap(part)));
    }
    r = responses.poll(10, TimeUnit.SECONDS);
    assertNotNull(r);
    assertEquals(2, r[0]);
    assertEquals(8192, r[2]);
    assertEquals(4096, r[3]);
    assertEquals(100, dst.position());
    assertEquals(1, dst.get(100));
    assertEquals(2, dst.get(100 + 8191));
    assertEquals(0, dst.get(100 + 8192));
    assertEquals(0, disconnects.get());
  }

  @Test
  void commandsWaitForTheCmdSnWindowAndTargetPingsAreAnswered() throws Exception {
    login(false, 0); // MaxCmdSN = ExpCmdSN: a window of one command
    for (int i = 1; i <= 3; i++) {
      transport.execute(i, 0, new byte[6], null, 0); // TEST UNIT READY
    }
    Pdu first = read();
    assertEquals(Opcode.SCSI_COMMAND, first.opcode());
    // a target ping before answering: must be echoed with the TTT, ITT ffffffff
    send(Pdus.nopIn(0, Pdu.RESERVED_TAG, 0x77, statSn, first.cmdSn(), first.cmdSn(), new byte[] {9, 8, 7, 6}));
    Pdu echo = read();
    assertEquals(Opcode.NOP_OUT, echo.opcode());
    assertEquals(0x77, echo.ttt());
    assertEquals(Pdu.RESERVED_TAG, echo.itt());
    assertTrue(echo.immediate());
    assertArrayEquals(new byte[] {9, 8, 7, 6}, echo.dataBytes());
    // the window stays closed: only when the response opens it does the second command come
    send(Pdus.scsiResponse(first.itt(), 0, 0, statSn++, first.cmdSn() + 1, first.cmdSn() + 1, 0, false, false, 0,
        null));
    Pdu second = read();
    assertEquals(Opcode.SCSI_COMMAND, second.opcode());
    assertEquals(first.cmdSn() + 1, second.cmdSn());
    assertEquals(statSn, second.expStatSn());
    send(Pdus.scsiResponse(second.itt(), 0, 0, statSn++, second.cmdSn() + 1, second.cmdSn() + 5, 0, false, false, 0,
        null));
    Pdu third = read();
    assertEquals(second.cmdSn() + 1, third.cmdSn());
    send(Pdus.scsiResponse(third.itt(), 0, 2, statSn++, third.cmdSn() + 1, third.cmdSn() + 5, 0, false, false, 0,
        new byte[] {0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0, 0, 0, 0, 0}));
    for (int i = 1; i <= 3; i++) {
      long[] r = responses.poll(10, TimeUnit.SECONDS);
      assertNotNull(r);
      assertEquals(i, r[0]);
      assertEquals(i == 3 ? 2 : 0, r[1]);
    }
    // our own ping
    var ping = transport.ping();
    Pdu nop = read();
    assertEquals(Opcode.NOP_OUT, nop.opcode());
    assertEquals(Pdu.RESERVED_TAG, nop.ttt());
    send(Pdus.nopIn(0, nop.itt(), Pdu.RESERVED_TAG, statSn++, third.cmdSn() + 1, third.cmdSn() + 5, null));
    ping.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDroppedConnectionIsReportedOnceAndNothingFollows() throws Exception {
    login(false, 8);
    transport.execute(1, 0, new byte[6], null, 0);
    transport.execute(2, 0, new byte[6], null, 0);
    Pdu a = read();
    read();
    send(Pdus.scsiResponse(a.itt(), 0, 0, statSn++, a.cmdSn() + 2, a.cmdSn() + 8, 0, false, false, 0, null));
    conn.close();
    Await.until("disconnected", () -> disconnects.get() == 1);
    transport.execute(3, 0, new byte[6], null, 0); // after the loss: dropped silently
    long[] r = responses.poll(10, TimeUnit.SECONDS);
    assertEquals(1, r[0]);
    transport.close();
    assertEquals(1, disconnects.get());
    assertTrue(responses.isEmpty(), "no response after the loss");
  }

  @Test
  void aMalformedPduFromTheTargetCostsTheConnection() throws Exception {
    login(false, 8);
    transport.execute(1, 0, new byte[6], null, 0);
    read();
    byte[] bad = new byte[48];
    bad[0] = 0x21;
    bad[5] = (byte) 0xFF; // DataSegmentLength 16 MiB - 1
    out.write(bad);
    out.flush();
    Await.until("disconnected", () -> disconnects.get() == 1);
    assertTrue(events.get(0).contains("MaxRecvDataSegmentLength"), events.toString());
    assertTrue(responses.isEmpty());
  }

  @Test
  void aRefusedLoginNamesTheReason() throws Exception {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    IscsiEndpoint ep = new IscsiEndpoint("127.0.0.1", server.getLocalPort(), "iqn.test:nope", 0, null, null);
    transport = new IscsiTransport(ep, IscsiSettings.of("iqn.test:init", 1));
    var done = transport.login(new ResponseHandler() {
      @Override
      public void response(long tag, int status, byte[] sense, int transferred, int residual) {}

      @Override
      public void disconnected(String reason) {
        disconnects.incrementAndGet();
      }
    });
    conn = server.accept();
    in = conn.getInputStream();
    out = conn.getOutputStream();
    Pdu p = read();
    send(Pdus.loginResponse(false, false, 0, 0, p.isid(), 0, p.itt(), 0, p.cmdSn(), p.cmdSn(), 2, 3, null));
    var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> done.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("target not found"), e.getCause().getMessage());
    assertEquals(0, disconnects.get());
  }
}
