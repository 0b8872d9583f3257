package dev.mpath.scsi.iscsi;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

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
  private static final byte[] NO_AHS = new byte[0];

  /** Which side's PDUs this decoder reads. */
  public enum Peer { TARGET, INITIATOR }

  private final Peer peer;
  private int maxDataSegmentLength;
  private boolean headerDigest;
  private boolean dataDigest;
  private String bad;
  private DataPlacement placement;
  private final CRC32C crc = new CRC32C();
  private boolean reuse;
  private final byte[] reusedBhs = new byte[Pdu.BHS_LENGTH];
  private final Pdu reused = new Pdu(reusedBhs, NO_AHS, null);

  /**
   * Puts a PDU's data segment where it belongs as it is decoded, straight from the received
   * bytes, so that it is neither copied into the PDU nor copied again by its consumer: a
   * Data-In's (from a target), or a SCSI Command's immediate data and a Data-Out's (from an
   * initiator).
   */
  public interface DataPlacement {
    /**
     * Copies the {@code length} data bytes at {@code in}'s position (which must not move) to
     * their destination, or declines (false): the PDU then carries its data as usual.
     * Called before the data digest is checked; a digest error loses the connection, so the
     * destination's contents then do not matter.
     *
     * @throws IscsiProtocolException the PDU is not acceptable (the decoder turns BAD)
     */
    boolean place(Pdu header, ByteBuffer in, int length) throws IscsiProtocolException;
  }

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

  /** Where data goes as it is decoded (null: into the PDU); see {@link DataPlacement}. */
  public void dataPlacement(DataPlacement p) {
    this.placement = p;
  }

  /**
   * Whether PDUs that carry neither AHS nor data (or whose data was {@linkplain
   * DataPlacement placed}) come in one reused instance, valid only until the next call of
   * {@link #decode}: a consumer that keeps such a PDU keeps a {@link Pdu#copy()}. Off by
   * default; an initiator turns it on for the full feature phase, where it keeps none.
   */
  public void reuseHeaders(boolean on) {
    this.reuse = on;
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
    boolean placeable = dsl > 0 && placement != null && (peer == Peer.TARGET
        ? opcode == Opcode.DATA_IN
        : opcode == Opcode.SCSI_COMMAND || opcode == Opcode.DATA_OUT);
    boolean reusable = reuse && ahsLen == 0 && (dsl == 0 || placeable);
    byte[] bhs = reusable ? reusedBhs : new byte[Pdu.BHS_LENGTH];
    in.get(bhs);
    byte[] ahs = ahsLen == 0 ? NO_AHS : new byte[ahsLen];
    in.get(ahs);
    if (headerDigest) {
      crc.reset();
      crc.update(bhs);
      crc.update(ahs);
      check("header", opcode, in);
    }
    int padded = dsl + Digests.pad(dsl);
    if (placeable) {
      Pdu header = reusable ? reused : new Pdu(bhs, ahs, null);
      if (placement.place(header, in, dsl)) {
        skipData(in, padded, opcode);
        return header;
      }
      if (reusable) {
        bhs = bhs.clone(); // declined: the PDU carries its data, so it is one of its own
      }
    }
    if (dsl == 0 && reusable) {
      return reused;
    }
    ByteBuffer data = null;
    if (dsl > 0) {
      byte[] d = new byte[dsl];
      in.get(in.position(), d);
      skipData(in, padded, opcode);
      data = ByteBuffer.wrap(d);
    }
    return new Pdu(bhs, ahs, data);
  }

  /** Steps over the data segment and its padding, checking the data digest when on. */
  private void skipData(ByteBuffer in, int padded, int opcode) throws IscsiProtocolException {
    int end = in.position() + padded;
    if (dataDigest) {
      int limit = in.limit();
      crc.reset();
      in.limit(end);
      crc.update(in); // the digest covers the pad bytes as sent
      in.limit(limit);
      check("data", opcode, in);
    } else {
      in.position(end);
    }
  }

  /** Compares the digest at {@code in} (consumed) with what {@link #crc} computed. */
  private void check(String what, int opcode, ByteBuffer in) throws IscsiProtocolException {
    int want = Digests.getWire(in);
    int got = (int) crc.getValue();
    if (want != got) {
      throw new IscsiProtocolException(String.format("%s: %s digest mismatch (got %08x, computed %08x)",
          Opcode.name(opcode), what, want, got));
    }
  }
}
