package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.tcp.NvmeTcpDecoder.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden bytes written by hand from the NVMe/TCP 1.0 PDU layouts (3.6.2). */
class NvmeTcpCodecTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  private static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(b.position(), out);
    return out;
  }

  private static NvmeTcpPdu decodeAll(Role role, boolean hd, boolean dd, byte[] wire)
      throws NvmeTcpProtocolException {
    NvmeTcpDecoder d = new NvmeTcpDecoder(role, 1 << 20);
    d.digests(hd, dd);
    ByteBuffer in = ByteBuffer.wrap(wire);
    NvmeTcpPdu p = d.next(in);
    assertFalse(in.hasRemaining(), "whole PDU consumed");
    return p;
  }

  // ------------------------------------------------------------------ golden bytes

  @Test
  void icReqGolden() throws Exception {
    byte[] wire = concat(
        bytes(0x00,                    // 0: PDU-Type ICReq
            0x00,                      // 1: FLAGS
            0x80,                      // 2: HLEN 128
            0x00,                      // 3: PDO 0
            0x80, 0x00, 0x00, 0x00,    // 4-7: PLEN 128
            0x00, 0x00,                // 8-9: PFV 0
            0x00,                      // 10: HPDA 0
            0x03,                      // 11: DGST: HDGST_ENABLE | DDGST_ENABLE
            0x0F, 0x00, 0x00, 0x00),   // 12-15: MAXR2T 15 (0's based: 16)
        new byte[112]);                // 16-127: reserved
    NvmeTcpPdu.IcReq req = new NvmeTcpPdu.IcReq(0, 0, true, true, 15);
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(req, true, true)), "no digests on ICReq");
    assertEquals(req, decodeAll(Role.CONTROLLER, false, false, wire));
  }

  @Test
  void icRespGolden() throws Exception {
    byte[] wire = concat(
        bytes(0x01, 0x00, 0x80, 0x00,  // 0-3: ICResp, FLAGS 0, HLEN 128, PDO 0
            0x80, 0x00, 0x00, 0x00,    // 4-7: PLEN 128
            0x00, 0x00,                // 8-9: PFV 0
            0x00,                      // 10: CPDA 0
            0x01,                      // 11: DGST: header digest only
            0x00, 0x00, 0x02, 0x00),   // 12-15: MAXH2CDATA 131072
        new byte[112]);
    NvmeTcpPdu.IcResp resp = new NvmeTcpPdu.IcResp(0, 0, true, false, 131072);
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(resp, false, false)));
    assertEquals(resp, decodeAll(Role.HOST, false, false, wire));
  }

  @Test
  void capsuleCmdWithInCapsuleDataGolden() throws Exception {
    byte[] sqe = new byte[64];
    sqe[0] = 0x01;          // SQE byte 0: opcode Write
    sqe[2] = 0x34;          // SQE bytes 2-3: CID 0x1234
    sqe[3] = 0x12;
    byte[] data = "ABCDEFGH".getBytes(StandardCharsets.US_ASCII);
    byte[] wire = concat(
        bytes(0x04,                    // 0: CapsuleCmd
            0x00,                      // 1: FLAGS (no digests)
            0x48,                      // 2: HLEN 72
            0x48,                      // 3: PDO 72: data right after the SQE
            0x50, 0x00, 0x00, 0x00),   // 4-7: PLEN 80 = 72 + 8
        sqe,                           // 8-71: SQE
        data);                         // 72-79: in-capsule data
    NvmeTcpPdu.CapsuleCmd cmd = new NvmeTcpPdu.CapsuleCmd(sqe, ByteBuffer.wrap(data));
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(cmd, false, false)));
    assertEquals(cmd, decodeAll(Role.CONTROLLER, false, false, wire));
  }

  @Test
  void capsuleCmdWithoutDataHasPdoZero() throws Exception {
    byte[] sqe = new byte[64];
    sqe[0] = 0x18; // Keep Alive
    byte[] wire = concat(bytes(0x04, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00, 0x00), sqe);
    NvmeTcpPdu.CapsuleCmd cmd = new NvmeTcpPdu.CapsuleCmd(sqe, null);
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(cmd, false, false)));
    assertEquals(cmd, decodeAll(Role.CONTROLLER, false, false, wire));
  }

  @Test
  void capsuleRespGolden() throws Exception {
    byte[] cqe = bytes(
        0x01, 0x00, 0x00, 0x00,        // CQE 0-3: DW0 = 1 (e.g. a Connect's CNTLID)
        0x00, 0x00, 0x00, 0x00,        // CQE 4-7: DW1
        0x05, 0x00,                    // CQE 8-9: SQHD 5
        0x00, 0x00,                    // CQE 10-11: SQID 0
        0x34, 0x12,                    // CQE 12-13: CID 0x1234
        0x00, 0x00);                   // CQE 14-15: status 0, phase 0
    byte[] wire = concat(
        bytes(0x05, 0x00, 0x18, 0x00,  // CapsuleResp, FLAGS 0, HLEN 24, PDO 0
            0x18, 0x00, 0x00, 0x00),   // PLEN 24
        cqe);
    NvmeTcpPdu.CapsuleResp resp = new NvmeTcpPdu.CapsuleResp(cqe);
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(resp, false, false)));
    assertEquals(resp, decodeAll(Role.HOST, false, false, wire));
  }

  @Test
  void h2cDataGolden() throws Exception {
    byte[] wire = bytes(
        0x06,                          // 0: H2CData
        0x04,                          // 1: FLAGS LAST_PDU
        0x18, 0x18,                    // 2: HLEN 24, 3: PDO 24
        0x1C, 0x00, 0x00, 0x00,        // 4-7: PLEN 28
        0x07, 0x00,                    // 8-9: CCCID 7
        0x02, 0x00,                    // 10-11: TTAG 2
        0x00, 0x10, 0x00, 0x00,        // 12-15: DATAO 4096
        0x04, 0x00, 0x00, 0x00,        // 16-19: DATAL 4
        0x00, 0x00, 0x00, 0x00,        // 20-23: reserved
        0xDE, 0xAD, 0xBE, 0xEF);       // 24-27: data
    NvmeTcpPdu.H2CData h = new NvmeTcpPdu.H2CData(7, 2, 4096, true,
        ByteBuffer.wrap(bytes(0xDE, 0xAD, 0xBE, 0xEF)));
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(h, false, false)));
    assertEquals(h, decodeAll(Role.CONTROLLER, false, false, wire));
  }

  @Test
  void r2tGolden() throws Exception {
    byte[] wire = bytes(
        0x09, 0x00, 0x18, 0x00,        // 0-3: R2T, FLAGS 0, HLEN 24, PDO 0
        0x18, 0x00, 0x00, 0x00,        // 4-7: PLEN 24
        0x03, 0x00,                    // 8-9: CCCID 3
        0x01, 0x00,                    // 10-11: TTAG 1
        0x00, 0x00, 0x00, 0x00,        // 12-15: R2TO 0
        0x00, 0x00, 0x01, 0x00,        // 16-19: R2TL 65536
        0x00, 0x00, 0x00, 0x00);       // 20-23: reserved
    NvmeTcpPdu.R2T r = new NvmeTcpPdu.R2T(3, 1, 0, 65536);
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(r, false, false)));
    assertEquals(r, decodeAll(Role.HOST, false, false, wire));
  }

  @Test
  void termReqGolden() throws Exception {
    byte[] wire = bytes(
        0x03, 0x00, 0x18, 0x00,        // 0-3: C2HTermReq, FLAGS 0, HLEN 24, PDO 0
        0x1C, 0x00, 0x00, 0x00,        // 4-7: PLEN 28 (24 + 4 bytes of the bad header)
        0x01, 0x00,                    // 8-9: FES 01h Invalid PDU Header Field
        0x04, 0x00, 0x00, 0x00,        // 10-13: FEI: byte 4 (PLEN) was wrong
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 14-23: reserved
        0x04, 0x00, 0x48, 0x00);       // 24-27: the header in error
    NvmeTcpPdu.TermReq t = new NvmeTcpPdu.TermReq(false, 1, 4, bytes(0x04, 0x00, 0x48, 0x00));
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(t, true, true)), "no digests on TermReq");
    assertEquals(t, decodeAll(Role.HOST, true, true, wire));
  }

  // ------------------------------------------------------------------ digests

  @Test
  void crc32cTestVectors() {
    // RFC 3720 B.4: 32 bytes of zeros -> aa 36 91 8a on the wire (little endian)
    assertEquals(0x8A9136AA, NvmeTcpCodec.crc32c(ByteBuffer.allocate(32), 0, 32));
    assertEquals(0xE3069283, NvmeTcpCodec.crc32c(
        ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII)), 0, 9));
  }

  @Test
  void c2hDataWithBothDigestsGolden() throws Exception {
    byte[] header = bytes(
        0x07,                          // 0: C2HData
        0x0F,                          // 1: HDGSTF | DDGSTF | LAST_PDU | SUCCESS
        0x18,                          // 2: HLEN 24
        0x1C,                          // 3: PDO 28 = HLEN + header digest
        0x40, 0x00, 0x00, 0x00,        // 4-7: PLEN 64 = 24 + 4 + 32 + 4
        0x05, 0x00,                    // 8-9: CCCID 5
        0x00, 0x00,                    // 10-11: reserved
        0x00, 0x00, 0x00, 0x00,        // 12-15: DATAO 0
        0x20, 0x00, 0x00, 0x00,        // 16-19: DATAL 32
        0x00, 0x00, 0x00, 0x00);       // 20-23: reserved
    int hcrc = NvmeTcpCodec.crc32c(ByteBuffer.wrap(header), 0, 24);
    byte[] wire = concat(header,
        bytes(hcrc, hcrc >>> 8, hcrc >>> 16, hcrc >>> 24), // 24-27: HDGST, little endian
        new byte[32],                                      // 28-59: data (zeros)
        bytes(0xAA, 0x36, 0x91, 0x8A));                    // 60-63: DDGST of 32 zeros
    assertEquals(64, wire.length);
    NvmeTcpPdu.C2HData c = new NvmeTcpPdu.C2HData(5, 0, true, true, ByteBuffer.allocate(32));
    assertArrayEquals(wire, array(NvmeTcpCodec.encode(c, true, true)));
    NvmeTcpPdu back = decodeAll(Role.HOST, true, true, wire);
    assertEquals(c, back);
  }

  @Test
  void badHeaderDigestIsFatal() {
    ByteBuffer wire = NvmeTcpCodec.encode(new NvmeTcpPdu.R2T(1, 1, 0, 512), true, false);
    wire.put(24, (byte) (wire.get(24) ^ 1));
    NvmeTcpDecoder d = new NvmeTcpDecoder(Role.HOST, 4096);
    d.digests(true, false);
    NvmeTcpProtocolException e = assertThrows(NvmeTcpProtocolException.class, () -> d.next(wire));
    assertEquals(NvmeTcpProtocolException.FES_HEADER_DIGEST_ERROR, e.fes());
    assertTrue(d.isBad());
  }

  @Test
  void badDataDigestIsFatal() {
    ByteBuffer wire = NvmeTcpCodec.encode(
        new NvmeTcpPdu.C2HData(1, 0, true, false, ByteBuffer.allocate(64)), false, true);
    wire.put(30, (byte) 1); // a data byte
    NvmeTcpDecoder d = new NvmeTcpDecoder(Role.HOST, 4096);
    d.digests(false, true);
    NvmeTcpProtocolException e = assertThrows(NvmeTcpProtocolException.class, () -> d.next(wire));
    assertEquals(NvmeTcpProtocolException.DATA_DIGEST_ERROR, e.fes());
    assertEquals(NvmeTcpProtocolException.FES_HEADER_DIGEST_ERROR, e.wireFes());
  }

  @Test
  void digestFlagsMustMatchNegotiation() {
    ByteBuffer wire = NvmeTcpCodec.encode(new NvmeTcpPdu.R2T(1, 1, 0, 512), false, false);
    NvmeTcpDecoder d = new NvmeTcpDecoder(Role.HOST, 4096);
    d.digests(true, false);
    NvmeTcpProtocolException e = assertThrows(NvmeTcpProtocolException.class, () -> d.next(wire));
    assertEquals(1, e.fei());
  }

  // ------------------------------------------------------------------ malformed input

  private static NvmeTcpProtocolException refuse(Role role, byte[] wire) {
    NvmeTcpDecoder d = new NvmeTcpDecoder(role, 1 << 20);
    NvmeTcpProtocolException e =
        assertThrows(NvmeTcpProtocolException.class, () -> d.next(ByteBuffer.wrap(wire)));
    assertTrue(d.isBad());
    return e;
  }

  @Test
  void plenSmallerThanHlen() {
    NvmeTcpProtocolException e = refuse(Role.HOST,
        bytes(0x05, 0x00, 0x18, 0x00, 0x10, 0x00, 0x00, 0x00)); // CapsuleResp with PLEN 16
    assertEquals(NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD, e.fes());
    assertEquals(4, e.fei());
  }

  @Test
  void plenOfFourGibIsRefusedBeforeAllocation() {
    NvmeTcpProtocolException e = refuse(Role.CONTROLLER,
        bytes(0x06, 0x00, 0x18, 0x18, 0xFF, 0xFF, 0xFF, 0xFF)); // H2CData, PLEN 4 GiB - 1
    assertEquals(NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, e.fes());
    assertEquals(4, e.fei());
    e = refuse(Role.HOST, bytes(0x07, 0x00, 0x18, 0x18, 0x00, 0x00, 0x00, 0x80)); // 2 GiB
    assertEquals(NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED, e.fes());
  }

  @Test
  void unknownOrWrongDirectionPduType() {
    assertEquals(0, refuse(Role.HOST, bytes(0x08, 0, 0x18, 0, 0x18, 0, 0, 0)).fei());
    assertEquals(0, refuse(Role.HOST, bytes(0x7F, 0, 0x18, 0, 0x18, 0, 0, 0)).fei());
    // a CapsuleCmd sent to a host
    assertEquals(0, refuse(Role.HOST, bytes(0x04, 0, 0x48, 0, 0x48, 0, 0, 0)).fei());
    // an R2T sent to a controller
    assertEquals(0, refuse(Role.CONTROLLER, bytes(0x09, 0, 0x18, 0, 0x18, 0, 0, 0)).fei());
  }

  @Test
  void wrongHlenAndPdo() {
    assertEquals(2, refuse(Role.CONTROLLER, bytes(0x04, 0, 0x40, 0, 0x48, 0, 0, 0)).fei());
    // CapsuleCmd with data but PDO inside the SQE
    assertEquals(3, refuse(Role.CONTROLLER, bytes(0x04, 0, 0x48, 0x20, 0x50, 0, 0, 0)).fei());
    // ICReq longer than 128
    assertEquals(4, refuse(Role.CONTROLLER, bytes(0x00, 0, 0x80, 0, 0x84, 0, 0, 0)).fei());
    // CapsuleResp with data
    assertEquals(4, refuse(Role.HOST, bytes(0x05, 0, 0x18, 0x18, 0x20, 0, 0, 0)).fei());
  }

  @Test
  void datalDisagreeingWithPlen() {
    ByteBuffer wire = NvmeTcpCodec.encode(
        new NvmeTcpPdu.H2CData(1, 1, 0, true, ByteBuffer.allocate(16)), false, false);
    wire.putInt(16, 17);
    NvmeTcpDecoder d = new NvmeTcpDecoder(Role.CONTROLLER, 4096);
    NvmeTcpProtocolException e = assertThrows(NvmeTcpProtocolException.class, () -> d.next(wire));
    assertEquals(16, e.fei());
  }

  @Test
  void badStateDiscardsEverythingAfterAnError() throws Exception {
    NvmeTcpDecoder d = new NvmeTcpDecoder(Role.HOST, 4096);
    ByteBuffer junk = ByteBuffer.wrap(bytes(0x42, 0, 0, 0, 0, 0, 0, 0));
    assertThrows(NvmeTcpProtocolException.class, () -> d.next(junk));
    ByteBuffer good = NvmeTcpCodec.encode(new NvmeTcpPdu.R2T(1, 1, 0, 512), false, false);
    assertNull(d.next(good));
    assertFalse(good.hasRemaining(), "discarded");
    assertTrue(d.isBad());
  }

  @Test
  void truncatedStreamDeliveredByteByByte() throws Exception {
    List<NvmeTcpPdu> sent = List.of(
        new NvmeTcpPdu.CapsuleResp(new byte[16]),
        new NvmeTcpPdu.C2HData(9, 0, false, false, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})),
        new NvmeTcpPdu.R2T(2, 3, 0, 8192),
        new NvmeTcpPdu.C2HData(9, 5, true, true, ByteBuffer.wrap(new byte[] {6, 7, 8})));
    for (boolean digests : new boolean[] {false, true}) {
      ByteBuffer all = ByteBuffer.allocate(4096);
      for (NvmeTcpPdu p : sent) {
        all.put(NvmeTcpCodec.encode(p, digests, digests));
      }
      all.flip();
      // and a truncated fifth PDU: a header that promises more than arrives
      byte[] partial = array(NvmeTcpCodec.encode(sent.get(1), digests, digests));
      NvmeTcpDecoder d = new NvmeTcpDecoder(Role.HOST, 4096);
      d.digests(digests, digests);
      List<NvmeTcpPdu> got = new ArrayList<>();
      while (all.hasRemaining()) {
        ByteBuffer one = ByteBuffer.wrap(new byte[] {all.get()});
        NvmeTcpPdu p = d.next(one);
        assertFalse(one.hasRemaining());
        if (p != null) {
          got.add(p);
        }
      }
      assertEquals(sent.size(), got.size());
      for (int i = 0; i < sent.size(); i++) {
        assertEquals(sent.get(i).type(), got.get(i).type());
      }
      assertEquals(sent.get(1), got.get(1));
      assertEquals(sent.get(3), got.get(3));
      for (int i = 0; i < partial.length - 1; i++) {
        assertNull(d.next(ByteBuffer.wrap(new byte[] {partial[i]})), "incomplete PDU at " + i);
      }
      assertInstanceOf(NvmeTcpPdu.C2HData.class, d.next(ByteBuffer.wrap(new byte[] {partial[partial.length - 1]})));
      assertFalse(d.isBad());
    }
  }
}
