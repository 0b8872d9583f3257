package dev.mpath.nvme.tcp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The NVMe/TCP PDUs (NVMe/TCP Transport Specification 1.0, 3.6.2), as decoded by
 * {@link NvmeTcpDecoder} and encoded by {@link NvmeTcpCodec#encode}. Data fields are read
 * from position to limit with absolute access (never moved); decoded data is a fresh buffer.
 */
public sealed interface NvmeTcpPdu {

  /** PDU-Type (common header byte 0). */
  int type();

  /** ICReq (type 00h, HLEN 128): PFV, HPDA, DGST (HDGST_ENABLE, DDGST_ENABLE), MAXR2T. */
  record IcReq(int pfv, int hpda, boolean hdgst, boolean ddgst, long maxr2t) implements NvmeTcpPdu {
    @Override
    public int type() {
      return NvmeTcpCodec.ICREQ;
    }
  }

  /** ICResp (type 01h, HLEN 128): PFV, CPDA, DGST, MAXH2CDATA. */
  record IcResp(int pfv, int cpda, boolean hdgst, boolean ddgst, long maxh2cdata)
      implements NvmeTcpPdu {
    @Override
    public int type() {
      return NvmeTcpCodec.ICRESP;
    }
  }

  /**
   * H2CTermReq (02h) or C2HTermReq (03h), HLEN 24: FES, FEI, then up to 128 bytes of the
   * PDU header in error.
   */
  record TermReq(boolean hostToController, int fes, long fei, byte[] errorData)
      implements NvmeTcpPdu {
    public TermReq {
      errorData = errorData == null ? new byte[0] : errorData;
    }

    @Override
    public int type() {
      return hostToController ? NvmeTcpCodec.H2C_TERM_REQ : NvmeTcpCodec.C2H_TERM_REQ;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TermReq t && t.hostToController == hostToController && t.fes == fes
          && t.fei == fei && Arrays.equals(t.errorData, errorData);
    }

    @Override
    public int hashCode() {
      return Integer.hashCode(fes) * 31 + Long.hashCode(fei);
    }
  }

  /** CapsuleCmd (04h, HLEN 72): the 64-byte SQE and optional in-capsule data. */
  record CapsuleCmd(byte[] sqe, ByteBuffer data) implements NvmeTcpPdu {
    public CapsuleCmd {
      if (sqe.length != 64) {
        throw new IllegalArgumentException("an SQE is 64 bytes: " + sqe.length);
      }
    }

    /** In-capsule data bytes. */
    public int dataLength() {
      return data == null ? 0 : data.remaining();
    }

    @Override
    public int type() {
      return NvmeTcpCodec.CAPSULE_CMD;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CapsuleCmd c && Arrays.equals(c.sqe, sqe)
          && dataLength() == c.dataLength() && (dataLength() == 0 || data.equals(c.data));
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(sqe);
    }
  }

  /** CapsuleResp (05h, HLEN 24): the 16-byte CQE. */
  record CapsuleResp(byte[] cqe) implements NvmeTcpPdu {
    public CapsuleResp {
      if (cqe.length != 16) {
        throw new IllegalArgumentException("a CQE is 16 bytes: " + cqe.length);
      }
    }

    @Override
    public int type() {
      return NvmeTcpCodec.CAPSULE_RESP;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CapsuleResp c && Arrays.equals(c.cqe, cqe);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(cqe);
    }
  }

  /** H2CData (06h, HLEN 24): CCCID, TTAG, DATAO, DATAL (= data length), LAST_PDU. */
  record H2CData(int cccid, int ttag, long datao, boolean last, ByteBuffer data)
      implements NvmeTcpPdu {
    @Override
    public int type() {
      return NvmeTcpCodec.H2C_DATA;
    }
  }

  /** C2HData (07h, HLEN 24): CCCID, DATAO, DATAL (= data length), LAST_PDU, SUCCESS. */
  record C2HData(int cccid, long datao, boolean last, boolean success, ByteBuffer data)
      implements NvmeTcpPdu {
    @Override
    public int type() {
      return NvmeTcpCodec.C2H_DATA;
    }
  }

  /** R2T (09h, HLEN 24): CCCID, TTAG, R2TO, R2TL. */
  record R2T(int cccid, int ttag, long r2to, long r2tl) implements NvmeTcpPdu {
    @Override
    public int type() {
      return NvmeTcpCodec.R2T;
    }
  }
}
