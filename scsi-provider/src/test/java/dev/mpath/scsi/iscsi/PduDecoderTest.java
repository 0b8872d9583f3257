package dev.mpath.scsi.iscsi;

import static dev.mpath.scsi.iscsi.PduCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Digests, the stream decoder's bounds and states, key=value text, URIs. */
class PduDecoderTest {

  // ---- CRC32C (RFC 3720 Appendix B.4 test vectors, wire byte order)

  @Test
  void crc32cVectorsOfRfc3720() {
    byte[] zeros = new byte[32];
    byte[] ones = new byte[32];
    byte[] up = new byte[32];
    byte[] down = new byte[32];
    for (int i = 0; i < 32; i++) {
      ones[i] = (byte) 0xFF;
      up[i] = (byte) i;
      down[i] = (byte) (31 - i);
    }
    assertArrayEquals(hex("aa36918a"), wire(Digests.crc32c(zeros, 0, 32)));
    assertArrayEquals(hex("43aba862"), wire(Digests.crc32c(ones, 0, 32)));
    assertArrayEquals(hex("4e79dd46"), wire(Digests.crc32c(up, 0, 32)));
    assertArrayEquals(hex("5cdb3f11"), wire(Digests.crc32c(down, 0, 32)));
  }

  static byte[] wire(int crc) {
    byte[] b = new byte[4];
    Digests.putWire(b, 0, crc);
    assertEquals(crc, Digests.getWire(b, 0));
    return b;
  }

  static Pdu sample() {
    return Pdus.dataIn(0x81, 0, 1L << 48, 3, -1, 1, 2, 3, 0, 0, 0, ByteBuffer.wrap(hex("0102030405")));
  }

  @Test
  void digestsRoundTripAndSitWhereRfc7143PutsThem() throws Exception {
    PduEncoder enc = new PduEncoder(true, true);
    byte[] w = enc.encode(sample());
    assertEquals(48 + 4 + 5 + 3 + 4, w.length); // BHS, header digest, data, pad, data digest
    assertEquals(Digests.crc32c(w, 0, 48), Digests.getWire(w, 48));
    assertEquals(Digests.crc32c(w, 52, 8), Digests.getWire(w, 60)); // data + pad
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.digests(true, true);
    Pdu p = d.decode(ByteBuffer.wrap(w));
    assertArrayEquals(hex("0102030405"), p.dataBytes());
    // no data segment: no data digest
    assertEquals(48 + 4, enc.encode(Pdus.nopIn(0, 1, -1, 1, 1, 1, null)).length);
  }

  @Test
  void headerDigestMismatchIsAProtocolErrorAndTheDecoderStaysBad() {
    byte[] w = new PduEncoder(true, true).encode(sample());
    w[20] ^= 1; // a TTT bit
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.digests(true, true);
    IscsiProtocolException e = assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(w)));
    assertTrue(e.getMessage().contains("header digest"), e.getMessage());
    assertTrue(d.isBad());
    byte[] good = new PduEncoder(true, true).encode(sample());
    assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(good)));
  }

  @Test
  void dataDigestMismatch() {
    byte[] w = new PduEncoder(true, true).encode(sample());
    w[53] ^= 0x40; // a data byte
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.digests(true, true);
    IscsiProtocolException e = assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(w)));
    assertTrue(e.getMessage().contains("data digest"), e.getMessage());
  }

  @Test
  void dataInPlacementTakesTheDataStraightFromTheStreamAndStillChecksItsDigest() throws Exception {
    for (boolean digests : new boolean[] {false, true}) {
      PduEncoder enc = new PduEncoder(digests, digests);
      byte[] one = enc.encode(sample());
      byte[] two = enc.encode(Pdus.r2t(0, 3, 9, 1, 2, 3, 0, 0, 512));
      ByteBuffer stream = ByteBuffer.allocateDirect(one.length + two.length);
      stream.put(one).put(two).flip();
      PduDecoder d = PduDecoder.fromTarget(8192);
      d.digests(digests, digests);
      ByteBuffer dst = ByteBuffer.allocate(16);
      int[] calls = {0};
      d.dataPlacement((h, in, len) -> {
        calls[0]++;
        assertEquals(3, h.itt());
        assertEquals(5, len);
        dst.put(7, in, in.position(), len); // at the PDU's own place, say offset 7
        return true;
      });
      Pdu p = d.decode(stream);
      assertEquals(1, calls[0]);
      assertTrue(p.dataPlaced(), "data went to its place, not into the PDU");
      assertEquals(5, p.dataSegmentLength());
      assertEquals(0, p.data().remaining());
      byte[] placed = new byte[5];
      dst.get(7, placed);
      assertArrayEquals(hex("0102030405"), placed);
      assertEquals(one.length, stream.position(), "data, pad and digest consumed: " + digests);
      assertEquals(Opcode.R2T, d.decode(stream).opcode(), "the next PDU follows");
    }
    // a damaged data byte in a placed Data-In is still a data digest error
    byte[] w = new PduEncoder(true, true).encode(sample());
    w[53] ^= 0x40;
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.digests(true, true);
    d.dataPlacement((h, in, len) -> true);
    IscsiProtocolException e = assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(w)));
    assertTrue(e.getMessage().contains("data digest"), e.getMessage());
    // declined: the PDU carries its data
    PduDecoder plain = PduDecoder.fromTarget(8192);
    plain.dataPlacement((h, in, len) -> false);
    Pdu p = plain.decode(ByteBuffer.wrap(new PduEncoder(false, false).encode(sample())));
    assertArrayEquals(hex("0102030405"), p.dataBytes());
    assertTrue(!p.dataPlaced());
  }

  // ---- bounds

  @Test
  void dataSegmentLengthBeyondMaxRecvIsRefusedBeforeAllocation() {
    byte[] bhs = new PduEncoder(false, false).encode(Pdus.nopIn(0, 1, -1, 1, 1, 1, null));
    bhs[5] = (byte) 0xFF; // DSL 0xFFFFFF: 16 MiB - 1, the field's maximum
    bhs[6] = (byte) 0xFF;
    bhs[7] = (byte) 0xFF;
    PduDecoder d = PduDecoder.fromTarget(262144);
    // only the 48 header bytes are there: the decoder must not wait for (or allocate) 16 MiB
    IscsiProtocolException e = assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(bhs)));
    assertTrue(e.getMessage().contains("exceeds MaxRecvDataSegmentLength 262144"), e.getMessage());
    assertTrue(d.isBad());
    // 16 MiB is the absolute ceiling whatever is negotiated
    assertThrows(IllegalArgumentException.class, () -> PduDecoder.fromTarget(PduDecoder.ABSOLUTE_MAX_DATA_SEGMENT + 1));
    PduDecoder max = PduDecoder.fromTarget(PduDecoder.ABSOLUTE_MAX_DATA_SEGMENT);
    bhs[5] = 0x01; // DSL 0x01FFFF fits the ceiling: the decoder waits, allocating nothing yet
    assertNull(assertDoesNotThrow(max, bhs));
    assertTrue(max.missing(ByteBuffer.wrap(bhs)) > 0);
  }

  private static Pdu assertDoesNotThrow(PduDecoder d, byte[] b) {
    try {
      return d.decode(ByteBuffer.wrap(b));
    } catch (IscsiProtocolException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void truncatedStreamByteByByte() throws Exception {
    PduEncoder enc = new PduEncoder(true, true);
    byte[] one = enc.encode(sample());
    byte[] two = enc.encode(Pdus.r2t(0, 3, 9, 1, 2, 3, 0, 0, 512));
    byte[] stream = new byte[one.length + two.length];
    System.arraycopy(one, 0, stream, 0, one.length);
    System.arraycopy(two, 0, stream, one.length, two.length);
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.digests(true, true);
    ByteBuffer acc = ByteBuffer.allocate(stream.length);
    int got = 0;
    for (int i = 0; i < stream.length; i++) {
      acc.put(stream[i]);
      acc.flip();
      int before = acc.position();
      Pdu p = d.decode(acc);
      if (p == null) {
        assertEquals(before, acc.position(), "nothing consumed at byte " + i);
        assertTrue(d.missing(acc) > 0);
      } else {
        got++;
        assertEquals(got == 1 ? one.length - 1 : stream.length - 1, i, "PDU " + got + " complete at its last byte");
      }
      acc.compact();
    }
    assertEquals(2, got);
  }

  @Test
  void reusedHeadersServePdusWithoutDataAndACopyOutlivesTheNextDecode() throws Exception {
    PduEncoder enc = new PduEncoder(false, false);
    byte[] r2t1 = enc.encode(Pdus.r2t(0, 3, 9, 1, 2, 3, 0, 0, 512));
    byte[] r2t2 = enc.encode(Pdus.r2t(0, 4, 10, 2, 3, 4, 1, 512, 512));
    byte[] withData = enc.encode(sample());
    ByteBuffer in = ByteBuffer.allocate(r2t1.length + r2t2.length + withData.length)
        .put(r2t1).put(r2t2).put(withData).flip();
    PduDecoder d = PduDecoder.fromTarget(8192);
    d.reuseHeaders(true);
    Pdu first = d.decode(in);
    assertEquals(3, first.itt());
    Pdu kept = first.copy();
    Pdu second = d.decode(in);
    assertSame(first, second, "a PDU without data comes in the one reused header");
    assertEquals(4, second.itt());
    assertEquals(3, kept.itt(), "the copy keeps the first PDU's fields");
    assertEquals(9, kept.ttt());
    Pdu third = d.decode(in);
    assertNotSame(second, third, "a PDU that carries data is one of its own");
    assertEquals(4, second.itt(), "and leaves the reused header alone");
    assertArrayEquals(sample().dataBytes(), third.dataBytes());
    PduDecoder fresh = PduDecoder.fromTarget(8192);
    in.rewind();
    assertNotSame(fresh.decode(in), fresh.decode(in), "off by default");
  }

  @Test
  void opcodesTheTargetMayNotSend() {
    for (int op : new int[] {0x01, 0x05, 0x07, 0x1f, 0x27, 0x30, 0x3e}) {
      byte[] b = new byte[48];
      b[0] = (byte) op;
      PduDecoder d = PduDecoder.fromTarget(8192);
      IscsiProtocolException e = assertThrows(IscsiProtocolException.class, () -> d.decode(ByteBuffer.wrap(b)));
      assertTrue(e.getMessage().contains("opcode"), e.getMessage());
    }
    byte[] b = new byte[48];
    b[0] = 0x21; // a target opcode arriving at a target
    assertThrows(IscsiProtocolException.class, () -> PduDecoder.fromInitiator(8192).decode(ByteBuffer.wrap(b)));
  }

  @Test
  void headerOnlyPartialReturnsNull() throws Exception {
    PduDecoder d = PduDecoder.fromTarget(8192);
    assertNull(d.decode(ByteBuffer.allocate(47)));
    assertEquals(1, d.missing(ByteBuffer.allocate(47)));
  }

  // ---- key=value text

  static byte[] t(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void textParsesInOrderKeepingRepeatedKeys() throws Exception {
    List<Map.Entry<String, String>> l = TextParameters.parse(
        t("TargetName=iqn.a\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=127.0.0.2:3260,1\0\0\0"));
    assertEquals(3, l.size());
    assertEquals("127.0.0.2:3260,1", l.get(2).getValue());
    assertEquals(Map.of("A", "", "B", "x=y"), TextParameters.parseUnique(t("A=\0B=x=y\0")));
    assertTrue(TextParameters.parse(new byte[0]).isEmpty());
    assertTrue(TextParameters.parse(new byte[4]).isEmpty());
    assertArrayEquals(t("a=1\0b=2\0"), TextParameters.encode(new java.util.LinkedHashMap<>(
        Map.of("a", "1")) {{ put("b", "2"); }}));
  }

  @Test
  void oddTextIsRefused() {
    String[] bad = {
      "NoEquals\0",
      "A=1",                        // not NUL-terminated
      "A=1\0\0B=2\0",               // empty pair in the middle
      "=value\0",                   // empty key
      "Bad Key=1\0",                // space in a key
      "K\u00e9y=1\0",               // non-ASCII key
      "K".repeat(64) + "=1\0",      // key too long
      "A=" + "v".repeat(TextParameters.MAX_VALUE + 1) + "\0",
    };
    for (String s : bad) {
      assertThrows(IscsiProtocolException.class, () -> TextParameters.parse(t(s)), s.length() > 40 ? s.substring(0, 40) : s);
    }
    assertThrows(IscsiProtocolException.class, () -> TextParameters.parseUnique(t("A=1\0A=2\0")));
    assertThrows(IscsiProtocolException.class, () -> TextParameters.parse(new byte[TextParameters.MAX_TEXT + 1]));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= TextParameters.MAX_PAIRS; i++) {
      many.append("k=v\0");
    }
    assertThrows(IscsiProtocolException.class, () -> TextParameters.parse(t(many.toString())));
  }

  // ---- URIs

  @Test
  void uriForms() {
    IscsiEndpoint e = IscsiEndpoint.parse(URI.create("iscsi://127.0.0.2:3261/iqn.2024-01.test.tgtpeer:disk1/1"));
    assertEquals("127.0.0.2", e.host());
    assertEquals(3261, e.port());
    assertEquals("iqn.2024-01.test.tgtpeer:disk1", e.targetName());
    assertEquals(1, e.lun());
    assertNull(e.user());
    assertEquals(3260, IscsiEndpoint.parse(URI.create("iscsi://localhost/iqn.x/0")).port());
    IscsiEndpoint c = IscsiEndpoint.parse(URI.create("iscsi://tgtpeer%25tgtpeersecret1@127.0.0.1:3260/iqn.x/1"));
    assertEquals("tgtpeer", c.user());
    assertEquals("tgtpeersecret1", c.secret());
    assertTrue(!c.toString().contains("secret1") && !c.address().contains("secret1"));
    IscsiEndpoint colon = IscsiEndpoint.parse(URI.create("iscsi://u:p%3Aq@127.0.0.1/iqn.x/1"));
    assertEquals("p:q", colon.secret());
    assertNotNull(IscsiEndpoint.parse(URI.create("iscsi://[::1]:3260/iqn.x/1")));
  }

  @Test
  void badUrisAreRefused() {
    for (String u : new String[] {
        "iscsi://127.0.0.1:3260/iqn.x/one", "iscsi://127.0.0.1/iqn.x/1/2",
        "iscsi:///iqn.x/1", "iscsi://127.0.0.1//1", "iscsi://127.0.0.1/iqn.x/99999", "iscsi://user@127.0.0.1/iqn.x/1",
        "iscsi://127.0.0.1/iqn.x/-1", "iscsi://127.0.0.1/iqn.x/0?iface.bogus=1",
        "iscsi://127.0.0.1/iqn.x/0?iface.ipaddress=eth0"}) {
      assertThrows(IllegalArgumentException.class, () -> IscsiEndpoint.parse(URI.create(u)), u);
    }
  }

  @Test
  void anyPortalParsesWithoutALookup() {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.mpath.testing.NoLookups.supported(),
        "this JVM forbids a security manager");
    IscsiEndpoint[] e = new IscsiEndpoint[5];
    java.util.List<String> lookups = dev.mpath.testing.NoLookups.run(() -> {
      e[0] = IscsiEndpoint.parse(URI.create("iscsi://192.0.2.10:3260/iqn.x/1"));
      e[1] = IscsiEndpoint.parse(URI.create("iscsi://[2001:db8::1]/iqn.x/1?iface.ipaddress=2001:db8::2"));
      e[2] = IscsiEndpoint.parse(URI.create("iscsi://array-b.example.com:3261/iqn.x?iface.net_ifacename=eth1"));
      e[3] = IscsiEndpoint.parse(URI.create("iscsi://u%25s@array-b.example.com"));
      e[4] = IscsiEndpoint.parse(URI.create("iscsi://10.0.0.7/"));
      new IscsiTransport(e[2].withLun(0), IscsiSettings.of("iqn.2024-01.dev.mpath:t", 0x80_3d_00_00_00_01L)).close();
    });
    assertEquals(java.util.List.of(), lookups);
    assertEquals("iscsi://192.0.2.10:3260/iqn.x/1", e[0].address());
    assertEquals("iscsi://[2001:db8::1]:3260/iqn.x/1", e[1].address());
    assertEquals("2001:db8::2", e[1].portal().sourceAddress());
    assertEquals(IscsiEndpoint.ALL_LUNS, e[2].lun());
    assertEquals("eth1", e[2].portal().sourceInterface());
    assertEquals("iscsi://array-b.example.com:3261/iqn.x", e[2].address());
    assertTrue(e[3].isDiscovery());
    assertEquals("u", e[3].user());
    assertTrue(e[4].isDiscovery());
    assertEquals("iscsi://10.0.0.7:3260", e[4].address());
  }

  @Test
  void targetAddressValues() {
    // RFC 7143 13.8: domainname[:port][,portal-group-tag]
    assertEquals(new TargetAddress(dev.mpath.spi.NetAddress.of("10.0.0.1", 3260), 1),
        TargetAddress.parse("10.0.0.1:3260,1"));
    assertEquals(new TargetAddress(dev.mpath.spi.NetAddress.of("fe80::1", 3261), 2),
        TargetAddress.parse("[fe80::1]:3261,2"));
    assertEquals(new TargetAddress(dev.mpath.spi.NetAddress.of("array.example", 3260), -1),
        TargetAddress.parse("array.example"));
    assertEquals("[2001:db8::1]:3260,7", TargetAddress.parse("[2001:db8::1],7").format());
    for (String bad : new String[] {"10.0.0.1:3260,x", "[::1:3260,1", "10.0.0.1:0,1", "host:3260,70000"}) {
      assertThrows(IllegalArgumentException.class, () -> TargetAddress.parse(bad), bad);
    }
  }

  @Test
  void isidQualifierPerNexus() {
    assertEquals(0x00023d000001L, IscsiSettings.isid("00023d000001", 0));
    assertEquals(0x00023d000003L, IscsiSettings.isid("00023d000001", 2));
    assertEquals(0x00023d000000L, IscsiSettings.isid("00023d00ffff", 1));
    assertThrows(IllegalArgumentException.class, () -> IscsiSettings.isid("123", 0));
  }
}
