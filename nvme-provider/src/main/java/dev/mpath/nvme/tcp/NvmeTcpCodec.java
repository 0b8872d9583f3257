package dev.mpath.nvme.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * NVMe/TCP 1.0 PDU layouts and the encoder. Every PDU starts with the 8-byte common header
 * (CH): byte 0 PDU-Type, byte 1 FLAGS, byte 2 HLEN, byte 3 PDO, bytes 7:4 PLEN (little
 * endian, like every multi-byte field). With header digests on, a CRC32C of the HLEN header
 * bytes follows the header; with data digests on, a CRC32C of the data follows the data (both
 * little endian). ICReq, ICResp and the TermReqs never carry digests.
 *
 * <p>The encoder puts data right after the header (and its digest): PDO = HLEN (+4), which
 * satisfies any CPDA/HPDA of 0, the only value this implementation asks for.
 */
public final class NvmeTcpCodec {
  private NvmeTcpCodec() {}

  /** PDU types (CH byte 0). */
  public static final int ICREQ = 0x00;
  public static final int ICRESP = 0x01;
  public static final int H2C_TERM_REQ = 0x02;
  public static final int C2H_TERM_REQ = 0x03;
  public static final int CAPSULE_CMD = 0x04;
  public static final int CAPSULE_RESP = 0x05;
  public static final int H2C_DATA = 0x06;
  public static final int C2H_DATA = 0x07;
  public static final int R2T = 0x09;

  /** FLAGS (CH byte 1). */
  public static final int FLAG_HDGSTF = 0x01;
  public static final int FLAG_DDGSTF = 0x02;
  public static final int FLAG_LAST_PDU = 0x04;
  public static final int FLAG_SUCCESS = 0x08;

  /** Common header length. */
  public static final int CH_LENGTH = 8;
  /** Digest length. */
  public static final int DIGEST_LENGTH = 4;
  /** HLEN of ICReq/ICResp. */
  public static final int IC_HLEN = 128;
  /** HLEN of the TermReqs. */
  public static final int TERM_HLEN = 24;
  /** Longest TermReq: the header and 128 bytes of the PDU header in error. */
  public static final int TERM_MAX_PLEN = 152;
  /** HLEN of CapsuleCmd: CH + SQE. */
  public static final int CAPSULE_CMD_HLEN = 72;
  /** HLEN of CapsuleResp: CH + CQE. */
  public static final int CAPSULE_RESP_HLEN = 24;
  /** HLEN of H2CData, C2HData and R2T. */
  public static final int DATA_HLEN = 24;

  /** DGST bits of ICReq/ICResp byte 11. */
  public static final int DGST_HDGST = 0x01;
  public static final int DGST_DDGST = 0x02;

  /** The header length of a PDU type, or -1 for types this implementation does not know. */
  public static int hlen(int type) {
    switch (type) {
      case ICREQ:
      case ICRESP:
        return IC_HLEN;
      case H2C_TERM_REQ:
      case C2H_TERM_REQ:
        return TERM_HLEN;
      case CAPSULE_CMD:
        return CAPSULE_CMD_HLEN;
      case CAPSULE_RESP:
        return CAPSULE_RESP_HLEN;
      case H2C_DATA:
      case C2H_DATA:
      case R2T:
        return DATA_HLEN;
      default:
        return -1;
    }
  }

  /** Whether PDUs of the type take the negotiated digests (all but IC and TermReq PDUs). */
  public static boolean takesDigests(int type) {
    return type >= CAPSULE_CMD;
  }

  /** CRC32C of {@code len} bytes of {@code b} at absolute index {@code off}. */
  public static int crc32c(ByteBuffer b, int off, int len) {
    CRC32C c = new CRC32C();
    ByteBuffer d = b.duplicate();
    d.limit(off + len).position(off);
    c.update(d);
    return (int) c.getValue();
  }

  /**
   * Encodes one PDU into a fresh little-endian buffer, flipped for writing.
   *
   * @param hdgst header digest negotiated (ignored for IC and TermReq PDUs)
   * @param ddgst data digest negotiated (applies to PDUs that carry data)
   */
  public static ByteBuffer encode(NvmeTcpPdu pdu, boolean hdgst, boolean ddgst) {
    return encode(pdu, hdgst, ddgst, 0);
  }

  /**
   * Encodes one PDU, padding the data to PDO alignment {@code pda} (the peer's CPDA/HPDA:
   * (xPDA + 1) * 4 bytes; 0 means none).
   */
  public static ByteBuffer encode(NvmeTcpPdu pdu, boolean hdgst, boolean ddgst, int pda) {
    NvmeTcpPduWriter w = new NvmeTcpPduWriter();
    w.settings(hdgst, ddgst, pda);
    ByteBuf out = Unpooled.buffer(256);
    if (pdu instanceof NvmeTcpPdu.IcReq r) {
      w.icReq(out, r.pfv(), r.hpda(), r.hdgst(), r.ddgst(), r.maxr2t());
    } else if (pdu instanceof NvmeTcpPdu.IcResp r) {
      w.icResp(out, r.pfv(), r.cpda(), r.hdgst(), r.ddgst(), r.maxh2cdata());
    } else if (pdu instanceof NvmeTcpPdu.TermReq t) {
      w.termReq(out, t.hostToController(), t.fes(), t.fei(), t.errorData());
    } else if (pdu instanceof NvmeTcpPdu.CapsuleCmd c) {
      w.capsuleCmd(out, ByteBuffer.wrap(c.sqe()), 0, c.data());
    } else if (pdu instanceof NvmeTcpPdu.CapsuleResp r) {
      w.capsuleResp(out, ByteBuffer.wrap(r.cqe()), 0);
    } else if (pdu instanceof NvmeTcpPdu.H2CData d) {
      w.h2cData(out, d.cccid(), d.ttag(), d.datao(), d.last(), d.data(), d.data().position(),
          d.data().remaining());
    } else if (pdu instanceof NvmeTcpPdu.C2HData d) {
      w.c2hData(out, d.cccid(), d.datao(), d.last(), d.success(), d.data(),
          d.data().position(), d.data().remaining());
    } else if (pdu instanceof NvmeTcpPdu.R2T r) {
      w.r2t(out, r.cccid(), r.ttag(), r.r2to(), r.r2tl());
    } else {
      throw new AssertionError(pdu);
    }
    return ByteBuffer.wrap(out.array(), out.arrayOffset(), out.readableBytes()).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }
}
