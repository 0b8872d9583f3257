package dev.mpath.scsi.iscsi;

import java.nio.ByteBuffer;

/**
 * A stream decoder for PDUs in wire form, in the Netty style: {@link #decode(ByteBuffer)} is
 * handed the bytes received so far and either consumes exactly one PDU or, when the PDU is
 * not complete yet, consumes nothing and returns null.
 *
 * <p>Bounds before allocation: the opcode must be one the peer may send, DataSegmentLength
 * may not exceed {@link #maxDataSegmentLength()} (our MaxRecvDataSegmentLength; never more
 * than {@link #ABSOLUTE_MAX_DATA_SEGMENT}), and digests are checked. Any violation throws
 * {@link IscsiProtocolException} and leaves the decoder BAD: every later call throws too
 * (ErrorRecoveryLevel 0: the connection is lost). Not thread-safe.
 */
public final class PduDecoder {
  /** No data segment is ever accepted beyond 16 MiB, whatever was negotiated. */
  public static final int ABSOLUTE_MAX_DATA_SEGMENT = 16 * 1024 * 1024;

  /** Which side's PDUs this decoder reads. */
  public enum Peer { TARGET, INITIATOR }

  private final Peer peer;
  private int maxDataSegmentLength;
  private boolean headerDigest;
  private boolean dataDigest;
  private String bad;

  public PduDecoder(Peer peer, int maxDataSegmentLength) {
    this.peer = peer;
    maxDataSegmentLength(maxDataSegmentLength);
  }

  /** Decodes PDUs from a target (what an initiator reads). */
  public static PduDecoder fromTarget(int maxDataSegmentLength) {
    return new PduDecoder(Peer.TARGET, maxDataSegmentLength);
  }

  /** Decodes PDUs from an initiator (what a target reads). */
  public static PduDecoder fromInitiator(int maxDataSegmentLength) {
    return new PduDecoder(Peer.INITIATOR, maxDataSegmentLength);
  }

  public int maxDataSegmentLength() {
    return maxDataSegmentLength;
  }

  public void maxDataSegmentLength(int max) {
    if (max < 512 || max > ABSOLUTE_MAX_DATA_SEGMENT) {
      throw new IllegalArgumentException("MaxRecvDataSegmentLength " + max + " outside 512.."
          + ABSOLUTE_MAX_DATA_SEGMENT);
    }
    this.maxDataSegmentLength = max;
  }

  public void digests(boolean header, boolean data) {
    this.headerDigest = header;
    this.dataDigest = data;
  }

  /** Whether an earlier error left the decoder unusable. */
  public boolean isBad() {
    return bad != null;
  }

  /**
   * Bytes still needed before the PDU at {@code in}'s position can be decoded: 0 when it is
   * complete (or when the header is already invalid, so that {@link #decode} reports it).
   */
  public int missing(ByteBuffer in) {
    int r = in.remaining();
    int hdr = Pdu.BHS_LENGTH;
    if (r < hdr) {
      return hdr - r;
    }
    int total = totalLength(in, in.position());
    return total < 0 ? 0 : Math.max(0, total - r);
  }

  private int totalLength(ByteBuffer in, int p) {
    int ahs = (in.get(p + 4) & 0xFF) * 4;
    int dsl = ((in.get(p + 5) & 0xFF) << 16) | ((in.get(p + 6) & 0xFF) << 8) | (in.get(p + 7) & 0xFF);
    if (dsl > maxDataSegmentLength) {
      return -1;
    }
    return Pdu.BHS_LENGTH + ahs + (headerDigest ? 4 : 0) + dsl + Digests.pad(dsl)
        + (dsl > 0 && dataDigest ? 4 : 0);
  }

  /**
   * One PDU from {@code in}, or null (nothing consumed) when more bytes are needed.
   *
   * @throws IscsiProtocolException on a malformed PDU; the decoder is BAD afterwards
   */
  public Pdu decode(ByteBuffer in) throws IscsiProtocolException {
    if (bad != null) {
      throw new IscsiProtocolException("decoder unusable after an earlier error: " + bad);
    }
    try {
      return decode0(in);
    } catch (IscsiProtocolException e) {
      bad = e.getMessage();
      throw e;
    }
  }

  private Pdu decode0(ByteBuffer in) throws IscsiProtocolException {
    if (in.remaining() < Pdu.BHS_LENGTH) {
      return null;
    }
    int p = in.position();
    int opcode = in.get(p) & 0x3F;
    boolean ok = peer == Peer.TARGET ? Opcode.isTargetOpcode(opcode) : Opcode.isInitiatorOpcode(opcode);
    if (!ok) {
      throw new IscsiProtocolException(String.format("%s sent unknown opcode %02Xh",
          peer == Peer.TARGET ? "target" : "initiator", opcode));
    }
    int ahsLen = (in.get(p + 4) & 0xFF) * 4;
    int dsl = ((in.get(p + 5) & 0xFF) << 16) | ((in.get(p + 6) & 0xFF) << 8) | (in.get(p + 7) & 0xFF);
    if (dsl > maxDataSegmentLength) {
      throw new IscsiProtocolException(Opcode.name(opcode) + ": DataSegmentLength " + dsl
          + " exceeds MaxRecvDataSegmentLength " + maxDataSegmentLength);
    }
    int total = totalLength(in, p);
    if (in.remaining() < total) {
      return null;
    }
    // Complete: consume it.
    byte[] hdr = new byte[Pdu.BHS_LENGTH + ahsLen];
    in.get(hdr);
    if (headerDigest) {
      int want = Digests.getWire(in);
      int got = Digests.crc32c(hdr, 0, hdr.length);
      if (want != got) {
        throw new IscsiProtocolException(String.format("%s: header digest mismatch (got %08x, computed %08x)",
            Opcode.name(opcode), want, got));
      }
    }
    byte[] bhs = new byte[Pdu.BHS_LENGTH];
    System.arraycopy(hdr, 0, bhs, 0, Pdu.BHS_LENGTH);
    byte[] ahs = new byte[ahsLen];
    System.arraycopy(hdr, Pdu.BHS_LENGTH, ahs, 0, ahsLen);
    byte[] data = null;
    if (dsl > 0) {
      data = new byte[dsl];
      in.get(data);
      byte[] pad = new byte[Digests.pad(dsl)];
      in.get(pad); // the digest covers the pad bytes as sent
      if (dataDigest) {
        int want = Digests.getWire(in);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(data, 0, dsl);
        c.update(pad, 0, pad.length);
        int got = (int) c.getValue();
        if (want != got) {
          throw new IscsiProtocolException(String.format("%s: data digest mismatch (got %08x, computed %08x)",
              Opcode.name(opcode), want, got));
        }
      }
    }
    return new Pdu(bhs, ahs, data == null ? null : ByteBuffer.wrap(data));
  }
}
