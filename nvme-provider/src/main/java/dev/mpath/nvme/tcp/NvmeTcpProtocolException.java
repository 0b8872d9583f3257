package dev.mpath.nvme.tcp;

import dev.mpath.nvme.proto.NvmeProtocolException;

/**
 * An NVMe/TCP PDU stream broke the transport's rules: a bad common header, a PDU the
 * receiver does not expect, a length beyond what was negotiated, a digest mismatch. All of
 * them are fatal for the connection: the receiver sends a TermReq carrying {@link #fes()} and
 * {@link #fei()} (NVMe/TCP 1.0, 3.6.2.9 and 3.6.2.10) and closes it.
 */
public final class NvmeTcpProtocolException extends NvmeProtocolException {
  private static final long serialVersionUID = 1L;

  /** FES 01h: Invalid PDU Header Field (FEI: byte offset of the field). */
  public static final int FES_INVALID_PDU_HEADER_FIELD = 0x01;
  /** FES 02h: PDU Sequence Error. */
  public static final int FES_PDU_SEQUENCE_ERROR = 0x02;
  /** FES 03h: Header Digest Error (FEI: the digest received). */
  public static final int FES_HEADER_DIGEST_ERROR = 0x03;
  /** FES 04h: Data Transfer Out of Range. */
  public static final int FES_DATA_TRANSFER_OUT_OF_RANGE = 0x04;
  /** FES 05h: Data Transfer Limit Exceeded. */
  public static final int FES_DATA_TRANSFER_LIMIT_EXCEEDED = 0x05;
  /** FES 06h: Unsupported Parameter (FEI: byte offset of the field). */
  public static final int FES_UNSUPPORTED_PARAMETER = 0x06;
  /**
   * Not a FES of the specification: a data digest mismatch. This implementation treats it
   * as fatal like a header digest error (the command is retried on another path by the
   * head); it is reported to the peer as FES 03h.
   */
  public static final int DATA_DIGEST_ERROR = 0x100;

  private final int fes;
  private final long fei;

  public NvmeTcpProtocolException(int fes, long fei, String detail) {
    super("NVMe/TCP PDU", detail);
    this.fes = fes;
    this.fei = fei;
  }

  /** Fatal Error Status (or {@link #DATA_DIGEST_ERROR}). */
  public int fes() {
    return fes;
  }

  /** Fatal Error Information: a byte offset or the bad digest, per FES. */
  public long fei() {
    return fei;
  }

  /** The FES to put into a TermReq (a data digest error is sent as a digest error). */
  public int wireFes() {
    return fes == DATA_DIGEST_ERROR ? FES_HEADER_DIGEST_ERROR : fes;
  }
}
