package dev.mpath.nvme.tcp;

import static dev.mpath.nvme.tcp.NvmeTcpCodec.CH_LENGTH;
import static dev.mpath.nvme.tcp.NvmeTcpCodec.DIGEST_LENGTH;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_DATA_TRANSFER_LIMIT_EXCEEDED;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_HEADER_DIGEST_ERROR;
import static dev.mpath.nvme.tcp.NvmeTcpProtocolException.FES_INVALID_PDU_HEADER_FIELD;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A stream decoder for one direction of an NVMe/TCP connection, in the style of Netty's
 * codecs: feed it whatever bytes arrived and it calls its {@link Handler} once per PDU.
 * Headers are collected in a small buffer of the decoder's own; a PDU's data goes straight
 * where the handler says ({@link #dataTo}), typically the caller's buffer at the right
 * offset, so read data is copied once, from the socket's buffer to its destination.
 *
 * <p>Safety: the 8-byte common header is checked (PDU type known and valid for this
 * direction, HLEN as the type fixes it, digest flags as negotiated, PLEN at least HLEN and at
 * most the cap, PDO inside the PDU) before anything else is read; then the header digest,
 * DATAL against what the PDU carries, and after the data its digest. After the first error
 * the decoder is BAD and discards everything it is given.
 *
 * <p>Not thread-safe: one event loop owns it.
 */
public final class NvmeTcpDecoder {

  /** Which side this decoder is on (it accepts the PDUs the other side sends). */
  public enum Role {
    /** Decodes what a host sends: ICReq, H2CTermReq, CapsuleCmd, H2CData. */
    CONTROLLER,
    /** Decodes what a controller sends: ICResp, C2HTermReq, CapsuleResp, C2HData, R2T. */
    HOST
  }

  /**
   * What a decoded PDU is given to. The header buffer {@code hdr} is little-endian and holds
   * the PDU from byte 0 (common header, PDU-specific header) at absolute indexes; it is valid
   * only during the call.
   */
  public interface Handler {
    /**
     * The header of a PDU that carries {@code datal} data bytes (CapsuleCmd with in-capsule
     * data, H2CData, C2HData): call {@link #dataTo} to say where they go (else the PDU is
     * refused), or throw to refuse the PDU.
     */
    void header(int type, ByteBuffer hdr, int datal) throws NvmeTcpProtocolException;

    /** A whole PDU (its data, if any, is where {@link #dataTo} put it, digest checked). */
    void pdu(int type, ByteBuffer hdr) throws NvmeTcpProtocolException;
  }

  /** Room for the longest header, its digest and padding up to a 255-byte PDO. */
  private static final int HEADER_ALLOWANCE = 256;
  private static final int CH = 0;
  private static final int HEADER = 1;
  private static final int DATA = 2;
  private static final int DDGST = 3;

  private final Role role;
  private final int maxData;
  private boolean hdgst;
  private boolean ddgst;

  private final ByteBuffer hdr =
      ByteBuffer.allocate(HEADER_ALLOWANCE).order(ByteOrder.LITTLE_ENDIAN);
  private final byte[] digest = new byte[DIGEST_LENGTH];
  private final CRC32C crc = new CRC32C();
  private int state = CH;
  private int type;
  private int headerBytes; // bytes of hdr this PDU fills (CH, PSH, HDGST, PAD)
  private int datal;
  private int got; // data bytes or digest bytes received so far
  private boolean pduDdgst;
  private ByteBuffer dst; // where the data goes, from dstIndex
  private int dstIndex;
  private boolean bad;
  private Records records; // the record facade's handler, made on first use

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

  /**
   * Discards the rest of the input, and all later input, without an error: the connection
   * is going away (for a handler that must take nothing more, even from the read under way).
   * Once called from {@link Handler#header}, that PDU's data need no place.
   */
  public void stop() {
    bad = true;
  }

  /** Whether an error put the decoder in its BAD state. */
  public boolean isBad() {
    return bad;
  }

  /**
   * From {@link Handler#header}: this PDU's data goes to {@code to} from absolute index
   * {@code index} on ({@code datal} bytes, which must fit below its limit). The buffer's
   * position and limit are never moved.
   */
  public void dataTo(ByteBuffer to, int index) {
    if (state != HEADER || datal == 0) {
      throw new IllegalStateException("dataTo outside Handler.header");
    }
    if (index < 0 || index + datal > to.limit()) {
      throw new IndexOutOfBoundsException(datal + " bytes at " + index + " of " + to);
    }
    this.dst = to;
    this.dstIndex = index;
  }

  /**
   * Consumes every readable byte of {@code in}, calling {@code handler} for each PDU.
   *
   * @throws NvmeTcpProtocolException the stream is malformed, or the handler refused a PDU;
   *     the decoder is BAD from now on (and {@code in} is consumed)
   */
  public void decode(ByteBuf in, Handler handler) throws NvmeTcpProtocolException {
    if (bad) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      while (in.isReadable() && !bad) {
        step(in, handler);
      }
      if (bad) {
        in.skipBytes(in.readableBytes()); // stopped by the handler
      }
    } catch (NvmeTcpProtocolException | RuntimeException e) {
      bad = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private void step(ByteBuf in, Handler handler) throws NvmeTcpProtocolException {
    switch (state) {
      case CH:
        if (fill(in, CH_LENGTH)) {
          int plen = checkCommonHeader();
          type = hdr.get(0) & 0xFF;
          int hlen = hdr.get(2) & 0xFF;
          boolean hd = (hdr.get(1) & NvmeTcpCodec.FLAG_HDGSTF) != 0;
          pduDdgst = (hdr.get(1) & NvmeTcpCodec.FLAG_DDGSTF) != 0;
          int headerEnd = hlen + (hd ? DIGEST_LENGTH : 0);
          if (!NvmeTcpCodec.takesDigests(type)) {
            headerBytes = plen; // IC PDUs and TermReqs (at most 152 bytes) are all header
            datal = 0;
          } else if (plen > headerEnd) {
            headerBytes = hdr.get(3) & 0xFF;
            datal = plen - headerBytes - (pduDdgst ? DIGEST_LENGTH : 0);
          } else {
            headerBytes = headerEnd;
            datal = 0;
          }
          state = HEADER;
        }
        return;
      case HEADER:
        if (fill(in, headerBytes)) {
          headerDone(handler);
        }
        return;
      case DATA: {
        int n = Math.min(in.readableBytes(), datal - got);
        int ri = in.readerIndex();
        ByteBuffer src = in.nioBufferCount() == 1 ? in.internalNioBuffer(ri, n)
            : in.nioBuffer(ri, n);
        int off = src.position();
        dst.put(dstIndex + got, src, off, n);
        if (pduDdgst) {
          crc.update(src);
        }
        in.skipBytes(n);
        got += n;
        if (got == datal) {
          got = 0;
          if (pduDdgst) {
            state = DDGST;
          } else {
            finish(handler);
          }
        }
        return;
      }
      case DDGST: {
        int n = Math.min(in.readableBytes(), DIGEST_LENGTH - got);
        in.readBytes(digest, got, n);
        got += n;
        if (got == DIGEST_LENGTH) {
          int have = (digest[0] & 0xFF) | (digest[1] & 0xFF) << 8 | (digest[2] & 0xFF) << 16
              | (digest[3] & 0xFF) << 24;
          int want = (int) crc.getValue();
          if (have != want) {
            throw new NvmeTcpProtocolException(NvmeTcpProtocolException.DATA_DIGEST_ERROR,
                have & 0xFFFF_FFFFL,
                String.format("data digest 0x%08x, computed 0x%08x", have, want));
          }
          finish(handler);
        }
        return;
      }
      default:
        throw new AssertionError(state);
    }
  }

  /** Reads into {@code hdr} up to absolute index {@code end}; true when it is there. */
  private boolean fill(ByteBuf in, int end) {
    int n = Math.min(in.readableBytes(), end - hdr.position());
    if (n > 0) {
      in.readBytes(hdr.array(), hdr.position(), n);
      hdr.position(hdr.position() + n);
    }
    return hdr.position() == end;
  }

  private void headerDone(Handler handler) throws NvmeTcpProtocolException {
    int hlen = hdr.get(2) & 0xFF;
    int flags = hdr.get(1) & 0xFF;
    if ((flags & NvmeTcpCodec.FLAG_HDGSTF) != 0) {
      int have = hdr.getInt(hlen);
      crc.reset();
      crc.update(hdr.array(), 0, hlen);
      int want = (int) crc.getValue();
      if (have != want) {
        throw new NvmeTcpProtocolException(FES_HEADER_DIGEST_ERROR, have & 0xFFFF_FFFFL,
            String.format("header digest 0x%08x, computed 0x%08x", have, want));
      }
    }
    if (type == NvmeTcpCodec.H2C_DATA || type == NvmeTcpCodec.C2H_DATA) {
      long field = hdr.getInt(16) & 0xFFFF_FFFFL;
      if (field != datal || datal == 0) {
        throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 16,
            "DATAL " + field + " but the PDU carries " + datal + " data bytes");
      }
      if (type == NvmeTcpCodec.C2H_DATA && (flags & NvmeTcpCodec.FLAG_SUCCESS) != 0
          && (flags & NvmeTcpCodec.FLAG_LAST_PDU) == 0) {
        throw new NvmeTcpProtocolException(FES_INVALID_PDU_HEADER_FIELD, 1,
            "SUCCESS without LAST_PDU");
      }
    }
    hdr.limit(headerBytes);
    if (datal == 0) {
      finish(handler);
      return;
    }
    dst = null;
    handler.header(type, hdr, datal);
    if (bad) {
      return; // stopped
    }
    if (dst == null) {
      throw new IllegalStateException("the handler gave no place for " + datal + " data bytes");
    }
    crc.reset();
    got = 0;
    state = DATA;
  }

  private void finish(Handler handler) throws NvmeTcpProtocolException {
    hdr.limit(headerBytes);
    ByteBuffer h = hdr;
    int t = type;
    dst = null;
    state = CH;
    try {
      handler.pdu(t, h);
    } finally {
      hdr.clear();
    }
  }

  /** The common header (and, once read, more) of the PDU in progress, for a TermReq. */
  public byte[] headerInError() {
    int n = Math.min(hdr.position(), NvmeTcpCodec.TERM_MAX_PLEN - NvmeTcpCodec.TERM_HLEN);
    byte[] out = new byte[n];
    hdr.get(0, out, 0, n);
    return out;
  }

  // ------------------------------------------------------------------ record facade

  /**
   * Consumes bytes of {@code in} and returns the next complete PDU as a record, or null when
   * more bytes are needed (then all of {@code in} was consumed). Stops right after a PDU, so
   * settings changed in answer to it (digests after ICReq/ICResp) apply to the following
   * one. For tools and tests; the transports use {@link #decode}. Allocates the record and
   * its data.
   *
   * @throws NvmeTcpProtocolException the stream is malformed; the decoder is BAD from now on
   */
  public NvmeTcpPdu next(ByteBuffer in) throws NvmeTcpProtocolException {
    if (records == null) {
      records = new Records();
    }
    if (bad) {
      in.position(in.limit());
      return null;
    }
    ByteBuf b = Unpooled.wrappedBuffer(in.duplicate());
    records.out = null;
    try {
      while (b.isReadable() && records.out == null && !bad) {
        step(b, records);
      }
    } catch (NvmeTcpProtocolException | RuntimeException e) {
      bad = true;
      in.position(in.limit());
      throw e;
    }
    in.position(in.position() + b.readerIndex());
    NvmeTcpPdu p = records.out;
    records.out = null;
    return p;
  }

  /** Builds records: the data of each PDU in a fresh buffer. */
  private final class Records implements Handler {
    NvmeTcpPdu out;
    ByteBuffer data;

    @Override
    public void header(int type, ByteBuffer hdr, int datal) {
      data = ByteBuffer.allocate(datal);
      dataTo(data, 0);
    }

    @Override
    public void pdu(int type, ByteBuffer hdr) {
      ByteBuffer d = data;
      data = null;
      out = parse(hdr, d);
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
    int type = hdr.get(0) & 0xFF;
    int flags = hdr.get(1) & 0xFF;
    int hlen = hdr.get(2) & 0xFF;
    int pdo = hdr.get(3) & 0xFF;
    long plen = hdr.getInt(4) & 0xFFFF_FFFFL;
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

  /** The record of a checked PDU: its header bytes in {@code b}, its data (or null). */
  private static NvmeTcpPdu parse(ByteBuffer b, ByteBuffer data) {
    int type = b.get(0) & 0xFF;
    int flags = b.get(1) & 0xFF;
    int hlen = b.get(2) & 0xFF;
    int plen = b.limit();
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
        boolean last = (flags & NvmeTcpCodec.FLAG_LAST_PDU) != 0;
        long datao = b.getInt(12) & 0xFFFF_FFFFL;
        int cccid = b.getShort(8) & 0xFFFF;
        if (type == NvmeTcpCodec.H2C_DATA) {
          return new NvmeTcpPdu.H2CData(cccid, b.getShort(10) & 0xFFFF, datao, last, data);
        }
        boolean success = (flags & NvmeTcpCodec.FLAG_SUCCESS) != 0;
        return new NvmeTcpPdu.C2HData(cccid, datao, last, success, data);
      }
      default:
        throw new AssertionError(type);
    }
  }
}
