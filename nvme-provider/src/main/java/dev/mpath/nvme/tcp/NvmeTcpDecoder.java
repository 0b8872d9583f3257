package dev.mpath.nvme.tcp;

import static dev.mpath.nvme.tcp.NvmeTcpCodec.CH_LENGTH;
import static dev.mpath.nvme.tcp.NvmeTcpCodec.DIGEST_LENGTH;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_HEADER_DIGEST_ERROR;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A stream decoder for one direction of an NVMe/TCP connection, in the style of Netty's
 * ByteToMessageDecoder: feed it whatever bytes arrived ({@link #next} consumes what it can),
 * take one PDU at a time.
 *
 * <p>Safety: the 8-byte common header is checked (PDU type known and valid for this
 * direction, HLEN as the type fixes it, digest flags as negotiated, PLEN at least HLEN and at
 * most the cap, PDO inside the PDU) before anything is allocated; the only allocation is the
 * PDU itself, at most {@link #maxPduLength()} bytes. After the first error the decoder is BAD
 * and discards everything it is given.
 *
 * <p>Not thread-safe: one reader thread owns it.
 */
public final class NvmeTcpDecoder {

  /** Which side this decoder is on (it accepts the PDUs the other side sends). */
  public enum Role {
    /** Decodes what a host sends: ICReq, H2CTermReq, CapsuleCmd, H2CData. */
    CONTROLLER,
    /** Decodes what a controller sends: ICResp, C2HTermReq, CapsuleResp, C2HData, R2T. */
    HOST
  }

  /** Room for the longest header, its digest and padding up to a 128-byte PDO. */
  private static final int HEADER_ALLOWANCE = 256;

  private final Role role;
  private final int maxData;
  private boolean hdgst;
  private boolean ddgst;

  private final ByteBuffer ch = ByteBuffer.allocate(CH_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
  private ByteBuffer pdu; // null while reading the common header
  private boolean bad;

  /**
   * @param maxData the most data bytes one PDU may carry (in-capsule data size, MAXH2CDATA or
   *     the largest C2HData accepted); PLEN beyond it plus header room is refused
   */
  public NvmeTcpDecoder(Role role, int maxData) {
    if (maxData < 0 || maxData > (1 << 30)) {
      throw new IllegalArgumentException("maxData " + maxData);
    }
    this.role = role;
    this.maxData = maxData;
  }

  /** Enables the digests negotiated by ICReq/ICResp (takes effect for the next PDU). */
  public void digests(boolean header, boolean data) {
    this.hdgst = header;
    this.ddgst = data;
  }

  /** Largest PLEN accepted. */
  public int maxPduLength() {
    return HEADER_ALLOWANCE + maxData + DIGEST_LENGTH;
  }

  /** Whether an error put the decoder in its BAD state. */
  public boolean isBad() {
    return bad;
  }

  /**
   * Consumes bytes of {@code in} and returns the next complete PDU, or null when more bytes
   * are needed (then all of {@code in} was consumed). Stops right after a PDU, so settings
   * changed in answer to it (digests after ICReq/ICResp) apply to the following one.
   *
   * @throws NvmeTcpProtocolException the stream is malformed; the decoder is BAD from now on
   */
  public NvmeTcpPdu next(ByteBuffer in) throws NvmeTcpProtocolException {
    if (bad) {
      in.position(in.limit());
      return null;
    }
    try {
      return decode(in);
    } catch (NvmeTcpProtocolException e) {
      bad = true;
      pdu = null;
      in.position(in.limit());
      throw e;
    }
  }

  /** The common header (and, once read, more) of the PDU in progress, for a TermReq. */
  public byte[] headerInError() {
    ByteBuffer src = pdu != null ? pdu : ch;
    int n = Math.min(src.position(), NvmeTcpCodec.TERM_MAX_PLEN - NvmeTcpCodec.TERM_HLEN);
    byte[] out = new byte[n];
    src.get(0, out, 0, n);
    return out;
  }

  private NvmeTcpPdu decode(ByteBuffer in) throws NvmeTcpProtocolException {
    if (pdu == null) {
      transfer(in, ch);
      if (ch.hasRemaining()) {
        return null;
      }
      int plen = checkCommonHeader();
      pdu = ByteBuffer.allocate(plen).order(ByteOrder.LITTLE_ENDIAN);
      pdu.put(ch.array(), 0, CH_LENGTH);
      ch.clear();
    }
    transfer(in, pdu);
    if (pdu.hasRemaining()) {
      return null;
    }
    ByteBuffer b = pdu;
    pdu = null;
    return parse(b);
  }

  private static void transfer(ByteBuffer in, ByteBuffer dst) {
    int n = Math.min(in.remaining(), dst.remaining());
    if (n > 0) {
      dst.put(dst.position(), in, in.position(), n);
      dst.position(dst.position() + n);
      in.position(in.position() + n);
    }
  }

  private boolean accepts(int type) {
    switch (type) {
      case NvmeTcpCodec.ICREQ:
      case NvmeTcpCodec.H2C_TERM_REQ:
      case NvmeTcpCodec.CAPSULE_CMD:
      case NvmeTcpCodec.H2C_DATA:
        return role == Role.CONTROLLER;
      case NvmeTcpCodec.ICRESP:
      case NvmeTcpCodec.C2H_TERM_REQ:
      case NvmeTcpCodec.CAPSULE_RESP:
      case NvmeTcpCodec.C2H_DATA:
      case NvmeTcpCodec.R2T:
        return role == Role.HOST;
      default:
        return false;
    }
  }

  /** Checks the common header; returns PLEN. */
  private int checkCommonHeader() throws NvmeTcpProtocolException {
    int type = ch.get(0) & 0xFF;
    int flags = ch.get(1) & 0xFF;
    int hlen = ch.get(2) & 0xFF;
    int pdo = ch.get(3) & 0xFF;
    long plen = ch.getInt(4) & 0xFFFF_FFFFL;
    if (!accepts(type)) {
      throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 0,
          String.format("unexpected PDU type 0x%02x for a %s", type, role));
    }
    if (hlen != NvmeTcpCodec.hlen(type)) {
      throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 2,
          "HLEN " + hlen + " for PDU type " + type + " (expected " + NvmeTcpCodec.hlen(type) + ")");
    }
    boolean digests = NvmeTcpCodec.takesDigests(type);
    boolean hd = (flags & NvmeTcpCodec.FLAG_HDGSTF) != 0;
    boolean dd = (flags & NvmeTcpCodec.FLAG_DDGSTF) != 0;
    if (hd != (digests && hdgst) || (dd && !(digests && ddgst))) {
      throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 1,
          String.format("FLAGS 0x%02x disagree with the negotiated digests (header %b, data %b)",
              flags, digests && hdgst, digests && ddgst));
    }
    int headerEnd = hlen + (hd ? DIGEST_LENGTH : 0);
    if (plen < headerEnd) {
      throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 4,
          "PLEN " + plen + " is shorter than the header (" + headerEnd + ")");
    }
    long max;
    switch (type) {
      case NvmeTcpCodec.ICREQ:
      case NvmeTcpCodec.ICRESP:
        max = NvmeTcpCodec.IC_HLEN;
        break;
      case NvmeTcpCodec.H2C_TERM_REQ:
      case NvmeTcpCodec.C2H_TERM_REQ:
        max = NvmeTcpCodec.TERM_MAX_PLEN;
        break;
      case NvmeTcpCodec.CAPSULE_RESP:
      case NvmeTcpCodec.R2T:
        max = headerEnd;
        break;
      default:
        max = maxPduLength();
    }
    if (plen > max) {
      throw new NvmeTcpProtocolException(
          max < maxPduLength() ? FES_INVALID_PDU_HEADER_FIELD : FES_DATA_TRANSFER_LIMIT_EXCEEDED, 4,
          "PLEN " + plen + " exceeds " + max + " for PDU type " + type);
    }
    if (digests && plen > headerEnd) {
      // data present: PDO must point past the header and leave room for data (and digest)
      int ddLen = dd ? DIGEST_LENGTH : 0;
      if (pdo < headerEnd || pdo + ddLen >= plen) {
        throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 3,
            "PDO " + pdo + " outside " + headerEnd + ".." + (plen - ddLen - 1));
      }
      if (dd != ddgst) {
        throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 1,
            String.format("FLAGS 0x%02x: DDGSTF must be %b on a PDU with data", flags, ddgst));
      }
    } else if (dd) {
      throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 1,
          "DDGSTF set on a PDU without data");
    }
    return (int) plen;
  }

  private NvmeTcpPdu parse(ByteBuffer b) throws NvmeTcpProtocolException {
    int type = b.get(0) & 0xFF;
    int flags = b.get(1) & 0xFF;
    int hlen = b.get(2) & 0xFF;
    int pdo = b.get(3) & 0xFF;
    int plen = b.limit();
    boolean hd = (flags & NvmeTcpCodec.FLAG_HDGSTF) != 0;
    boolean dd = (flags & NvmeTcpCodec.FLAG_DDGSTF) != 0;
    if (hd) {
      int got = b.getInt(hlen);
      int want = NvmeTcpCodec.crc32c(b, 0, hlen);
      if (got != want) {
        throw new NvmeTcpProtocolException(FES_HEADER_DIGEST_ERROR, got & 0xFFFF_FFFFL,
            String.format("header digest 0x%08x, computed 0x%08x", got, want));
      }
    }
    ByteBuffer data = null;
    if (NvmeTcpCodec.takesDigests(type) && plen > hlen + (hd ? DIGEST_LENGTH : 0)) {
      int dlen = plen - pdo - (dd ? DIGEST_LENGTH : 0);
      if (dd) {
        int got = b.getInt(pdo + dlen);
        int want = NvmeTcpCodec.crc32c(b, pdo, dlen);
        if (got != want) {
          throw new NvmeTcpProtocolException(NvmeTcpProtocolException.DATA_DIGEST_ERROR,
              got & 0xFFFF_FFFFL, String.format("data digest 0x%08x, computed 0x%08x", got, want));
        }
      }
      data = b.duplicate().position(pdo).limit(pdo + dlen).slice();
    }
    switch (type) {
      case NvmeTcpCodec.ICREQ:
      case NvmeTcpCodec.ICRESP: {
        int pfv = b.getShort(8) & 0xFFFF;
        int pda = b.get(10) & 0xFF;
        int dgst = b.get(11) & 0xFF;
        long v = b.getInt(12) & 0xFFFF_FFFFL;
        boolean h = (dgst & NvmeTcpCodec.DGST_HDGST) != 0;
        boolean d = (dgst & NvmeTcpCodec.DGST_DDGST) != 0;
        return type == NvmeTcpCodec.ICREQ
            ? new NvmeTcpPdu.IcReq(pfv, pda, h, d, v)
            : new NvmeTcpPdu.IcResp(pfv, pda, h, d, v);
      }
      case NvmeTcpCodec.H2C_TERM_REQ:
      case NvmeTcpCodec.C2H_TERM_REQ: {
        byte[] err = new byte[plen - hlen];
        b.get(hlen, err);
        return new NvmeTcpPdu.TermReq(type == NvmeTcpCodec.H2C_TERM_REQ,
            b.getShort(8) & 0xFFFF, b.getInt(10) & 0xFFFF_FFFFL, err);
      }
      case NvmeTcpCodec.CAPSULE_CMD: {
        byte[] sqe = new byte[64];
        b.get(8, sqe);
        return new NvmeTcpPdu.CapsuleCmd(sqe, data);
      }
      case NvmeTcpCodec.CAPSULE_RESP: {
        byte[] cqe = new byte[16];
        b.get(8, cqe);
        return new NvmeTcpPdu.CapsuleResp(cqe);
      }
      case NvmeTcpCodec.R2T:
        return new NvmeTcpPdu.R2T(b.getShort(8) & 0xFFFF, b.getShort(10) & 0xFFFF,
            b.getInt(12) & 0xFFFF_FFFFL, b.getInt(16) & 0xFFFF_FFFFL);
      case NvmeTcpCodec.H2C_DATA:
      case NvmeTcpCodec.C2H_DATA: {
        long datal = b.getInt(16) & 0xFFFF_FFFFL;
        int have = data == null ? 0 : data.remaining();
        if (datal != have || have == 0) {
          throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 16,
              "DATAL " + datal + " but the PDU carries " + have + " data bytes");
        }
        boolean last = (flags & NvmeTcpCodec.FLAG_LAST_PDU) != 0;
        long datao = b.getInt(12) & 0xFFFF_FFFFL;
        int cccid = b.getShort(8) & 0xFFFF;
        if (type == NvmeTcpCodec.H2C_DATA) {
          return new NvmeTcpPdu.H2CData(cccid, b.getShort(10) & 0xFFFF, datao, last, data);
        }
        boolean success = (flags & NvmeTcpCodec.FLAG_SUCCESS) != 0;
        if (success && !last) {
          throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 1,
              "SUCCESS without LAST_PDU");
        }
        return new NvmeTcpPdu.C2HData(cccid, datao, last, success, data);
      }
      default:
        throw new AssertionError(type);
    }
  }
}
