package dev.mpath.nvme.tcp;

import static dev.mpath.nvme.tcp.NvmeTcpCodec.DIGEST_LENGTH;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Writes NVMe/TCP PDUs (TCP transport spec 3.6.2) into Netty buffers with one connection's
 * negotiated digests and data alignment: the header is built in a buffer of the writer's
 * own, the data copied once from the caller's buffer (absolute indexes: its position and
 * limit never move). Nothing is allocated. Not thread-safe: one event loop owns it.
 */
public final class NvmeTcpPduWriter {
  private final ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private boolean hdgst;
  private boolean ddgst;
  private int pda;
  private int type;
  private int hlen;
  private int dlen;

  /**
   * Digests negotiated by ICReq/ICResp, and the peer's data alignment ((xPDA + 1) * 4 bytes;
   * 0 or 4: none).
   */
  public void settings(boolean headerDigest, boolean dataDigest, int alignment) {
    this.hdgst = headerDigest;
    this.ddgst = dataDigest;
    this.pda = alignment;
  }

  /** PLEN of a PDU of {@code type} with {@code dataLength} data bytes under these settings. */
  public int plen(int type, int dataLength) {
    boolean digests = NvmeTcpCodec.takesDigests(type);
    int headerEnd = NvmeTcpCodec.hlen(type) + (digests && hdgst ? DIGEST_LENGTH : 0);
    return pdo(type, dataLength, headerEnd) + dataLength
        + (digests && ddgst && dataLength > 0 ? DIGEST_LENGTH : 0);
  }

  private int pdo(int type, int dataLength, int headerEnd) {
    if (dataLength == 0) {
      return headerEnd;
    }
    if (!NvmeTcpCodec.takesDigests(type)) {
      return headerEnd; // TermReq: the error data follows the header; PDO stays 0
    }
    return pda > 4 ? (headerEnd + pda - 1) / pda * pda : headerEnd;
  }

  /** ICReq (00h). */
  public void icReq(ByteBuf out, int pfv, int hpda, boolean hd, boolean dd, long maxr2t) {
    begin(NvmeTcpCodec.ICREQ, 0);
    h.putShort(8, (short) pfv).put(10, (byte) hpda).put(11, dgst(hd, dd)).putInt(12, (int) maxr2t);
    end(out, 0, null, 0);
  }

  /** ICResp (01h). */
  public void icResp(ByteBuf out, int pfv, int cpda, boolean hd, boolean dd, long maxh2cdata) {
    begin(NvmeTcpCodec.ICRESP, 0);
    h.putShort(8, (short) pfv).put(10, (byte) cpda).put(11, dgst(hd, dd))
        .putInt(12, (int) maxh2cdata);
    end(out, 0, null, 0);
  }

  /** H2CTermReq (02h) or C2HTermReq (03h) with up to 128 bytes of the header in error. */
  public void termReq(ByteBuf out, boolean hostToController, int fes, long fei, byte[] error) {
    int n = Math.min(error.length, NvmeTcpCodec.TERM_MAX_PLEN - NvmeTcpCodec.TERM_HLEN);
    begin(hostToController ? NvmeTcpCodec.H2C_TERM_REQ : NvmeTcpCodec.C2H_TERM_REQ, n);
    h.putShort(8, (short) fes).putInt(10, (int) fei);
    end(out, 0, ByteBuffer.wrap(error), 0);
  }

  /**
   * CapsuleCmd (04h): the 64-byte SQE at {@code sqeIndex} of {@code sqe}, and in-capsule
   * data from {@code data}'s position to its limit (null or empty: none).
   */
  public void capsuleCmd(ByteBuf out, ByteBuffer sqe, int sqeIndex, ByteBuffer data) {
    int n = data == null ? 0 : data.remaining();
    begin(NvmeTcpCodec.CAPSULE_CMD, n);
    h.put(8, sqe, sqeIndex, 64);
    end(out, 0, data, n == 0 ? 0 : data.position());
  }

  /** CapsuleResp (05h): the 16-byte CQE at {@code index} of {@code cqe}. */
  public void capsuleResp(ByteBuf out, ByteBuffer cqe, int index) {
    begin(NvmeTcpCodec.CAPSULE_RESP, 0);
    h.put(8, cqe, index, 16);
    end(out, 0, null, 0);
  }

  /** H2CData (06h): {@code len} bytes of {@code data} from absolute {@code index}. */
  public void h2cData(ByteBuf out, int cccid, int ttag, long datao, boolean last,
      ByteBuffer data, int index, int len) {
    begin(NvmeTcpCodec.H2C_DATA, len);
    h.putShort(8, (short) cccid).putShort(10, (short) ttag).putInt(12, (int) datao)
        .putInt(16, len);
    end(out, last ? NvmeTcpCodec.FLAG_LAST_PDU : 0, data, index);
  }

  /** C2HData (07h): {@code len} bytes of {@code data} from absolute {@code index}. */
  public void c2hData(ByteBuf out, int cccid, long datao, boolean last, boolean success,
      ByteBuffer data, int index, int len) {
    begin(NvmeTcpCodec.C2H_DATA, len);
    h.putShort(8, (short) cccid).putInt(12, (int) datao).putInt(16, len);
    end(out, (last ? NvmeTcpCodec.FLAG_LAST_PDU : 0) | (success ? NvmeTcpCodec.FLAG_SUCCESS : 0),
        data, index);
  }

  /**
   * C2HData (07h) without its data: the header (and padding) go to {@code out}, the caller
   * sends the {@code len} data bytes itself, zero-copy, and then calls {@link #dataDigest}
   * when {@link #dataDigestOn() data digests} are on.
   */
  public void c2hDataHeader(ByteBuf out, int cccid, long datao, boolean last, boolean success,
      int len) {
    begin(NvmeTcpCodec.C2H_DATA, len);
    h.putShort(8, (short) cccid).putInt(12, (int) datao).putInt(16, len);
    end(out, (last ? NvmeTcpCodec.FLAG_LAST_PDU : 0) | (success ? NvmeTcpCodec.FLAG_SUCCESS : 0),
        null, 0);
  }

  /** Whether data PDUs carry a DDGST (TCP transport 3.6.1.4, negotiated in ICReq/ICResp). */
  public boolean dataDigestOn() {
    return ddgst;
  }

  /** The DDGST (CRC32C) of {@code data}'s remaining bytes, to be written little-endian. */
  public int dataDigest(ByteBuffer data) {
    crc.reset();
    crc.update(data);
    return (int) crc.getValue();
  }

  /** R2T (09h). */
  public void r2t(ByteBuf out, int cccid, int ttag, long r2to, long r2tl) {
    begin(NvmeTcpCodec.R2T, 0);
    h.putShort(8, (short) cccid).putShort(10, (short) ttag).putInt(12, (int) r2to)
        .putInt(16, (int) r2tl);
    end(out, 0, null, 0);
  }

  private static byte dgst(boolean hd, boolean dd) {
    return (byte) ((hd ? NvmeTcpCodec.DGST_HDGST : 0) | (dd ? NvmeTcpCodec.DGST_DDGST : 0));
  }

  private void begin(int pduType, int dataLength) {
    this.type = pduType;
    this.hlen = NvmeTcpCodec.hlen(pduType);
    this.dlen = dataLength;
    for (int i = 0; i < hlen; i += 8) {
      h.putLong(i, 0);
    }
  }

  private void end(ByteBuf out, int extraFlags, ByteBuffer data, int index) {
    boolean digests = NvmeTcpCodec.takesDigests(type);
    boolean hd = digests && hdgst;
    boolean dd = digests && ddgst && dlen > 0;
    int headerEnd = hlen + (hd ? DIGEST_LENGTH : 0);
    int pdo = pdo(type, dlen, headerEnd);
    int plen = pdo + dlen + (dd ? DIGEST_LENGTH : 0);
    h.put(0, (byte) type);
    h.put(1, (byte) (extraFlags | (hd ? NvmeTcpCodec.FLAG_HDGSTF : 0)
        | (dd ? NvmeTcpCodec.FLAG_DDGSTF : 0)));
    h.put(2, (byte) hlen);
    h.put(3, (byte) (digests && dlen > 0 ? pdo : 0));
    h.putInt(4, plen);
    // without data, the caller sends the data (and its digest) itself
    out.ensureWritable(dlen > 0 && data == null ? pdo : plen);
    out.writeBytes(h.array(), 0, hlen);
    if (hd) {
      crc.reset();
      crc.update(h.array(), 0, hlen);
      out.writeIntLE((int) crc.getValue());
    }
    out.writeZero(pdo - headerEnd);
    if (dlen > 0 && data != null) {
      int at = out.writerIndex();
      ByteBuffer to = out.internalNioBuffer(at, dlen);
      to.put(to.position(), data, index, dlen);
      out.writerIndex(at + dlen);
      if (dd) {
        crc.reset();
        crc.update(out.internalNioBuffer(at, dlen));
        out.writeIntLE((int) crc.getValue());
      }
    }
  }
}
