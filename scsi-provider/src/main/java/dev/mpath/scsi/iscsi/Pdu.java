package dev.mpath.scsi.iscsi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One iSCSI PDU (RFC 7143 11.2): the 48-byte Basic Header Segment, the Additional Header
 * Segments (rarely used) and the data segment (without padding or digests, which belong to
 * the wire form: see {@link PduEncoder} and {@link PduDecoder}).
 *
 * <p>Accessors read the BHS at the offsets of RFC 7143 section 11; the ones shared by
 * several PDU types are named after their field. Instances are immutable once built (the
 * data segment is a read-only view; for a Data-Out it may share the caller's buffer until
 * encoded), except the one header a decoder reuses when asked to ({@link
 * PduDecoder#reuseHeaders}), which is valid only until the next PDU is decoded.
 */
public final class Pdu {
  /** Length of the Basic Header Segment. */
  public static final int BHS_LENGTH = 48;
  /** The reserved tag value 0xffffffff (ITT of unsolicited PDUs, TTT "none"). */
  public static final int RESERVED_TAG = 0xFFFFFFFF;
  /** Largest DataSegmentLength the 24-bit field can carry. */
  public static final int MAX_DSL_FIELD = 0xFFFFFF;
  /** Where a SCSI Command's CDB starts in the BHS, 16 bytes (RFC 7143 11.3). */
  static final int CDB_OFFSET = 32;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  private final byte[] bhs;
  private final byte[] ahs;
  private final ByteBuffer data;

  Pdu(byte[] bhs, byte[] ahs, ByteBuffer data) {
    if (bhs.length != BHS_LENGTH) {
      throw new IllegalArgumentException("BHS must be 48 bytes, got " + bhs.length);
    }
    this.bhs = bhs;
    this.ahs = ahs == null ? new byte[0] : ahs;
    this.data = data == null ? EMPTY : data.slice();
  }

  /** A builder for a PDU with {@code opcode}; length fields are filled in by {@link Builder#build()}. */
  public static Builder builder(int opcode) {
    return new Builder(opcode);
  }

  /**
   * A PDU of its own with the same contents: what a consumer keeps of a PDU that may be the
   * decoder's reused header ({@link PduDecoder#reuseHeaders}).
   */
  public Pdu copy() {
    return new Pdu(bhs.clone(), ahs, data);
  }

  /** A copy of the 48 BHS bytes. */
  public byte[] bhs() {
    return bhs.clone();
  }

  /** A copy of the AHS bytes (empty when none). */
  public byte[] ahs() {
    return ahs.clone();
  }

  byte[] bhsRaw() {
    return bhs;
  }

  byte[] ahsRaw() {
    return ahs;
  }

  /** The data segment (without padding), as a read-only view positioned at 0. */
  public ByteBuffer data() {
    return data.asReadOnlyBuffer();
  }

  /** The data segment, writable view sharing the source (for the encoder and the transport). */
  ByteBuffer dataRaw() {
    return data.duplicate();
  }

  /**
   * Whether the decoder put this PDU's data segment where it belongs instead of into the
   * PDU ({@link PduDecoder.DataPlacement}): DataSegmentLength says how much, and the PDU
   * itself carries none.
   */
  boolean dataPlaced() {
    return dataSegmentLength() > 0 && data.remaining() == 0;
  }

  /** A copy of the data segment. */
  public byte[] dataBytes() {
    byte[] b = new byte[data.remaining()];
    data.duplicate().get(b);
    return b;
  }

  // ---- Fields common to every PDU (RFC 7143 11.2.1) ----

  /** Byte 0 bits 5:0. */
  public int opcode() {
    return bhs[0] & 0x3F;
  }

  /** Byte 0 bit 6: the I (immediate delivery) bit. */
  public boolean immediate() {
    return (bhs[0] & 0x40) != 0;
  }

  /** Byte 1: the F bit and the opcode-specific flags. */
  public int flags() {
    return bhs[1] & 0xFF;
  }

  /** Byte 1 bit 7: F (final); T (transit) in Login PDUs. */
  public boolean finalBit() {
    return (bhs[1] & 0x80) != 0;
  }

  /** Byte 4: TotalAHSLength in 4-byte words. */
  public int totalAhsLength() {
    return bhs[4] & 0xFF;
  }

  /** Bytes 5-7: DataSegmentLength (without padding). */
  public int dataSegmentLength() {
    return int24(bhs, 5);
  }

  /** Bytes 8-15: LUN (or opcode-specific). */
  public long lun() {
    return int64(8);
  }

  /** Bytes 16-19: Initiator Task Tag. */
  public int itt() {
    return int32(16);
  }

  // ---- Raw accessors ----

  public int byteAt(int off) {
    return bhs[off] & 0xFF;
  }

  public int int16(int off) {
    return ((bhs[off] & 0xFF) << 8) | (bhs[off + 1] & 0xFF);
  }

  public int int32(int off) {
    return ((bhs[off] & 0xFF) << 24) | ((bhs[off + 1] & 0xFF) << 16)
        | ((bhs[off + 2] & 0xFF) << 8) | (bhs[off + 3] & 0xFF);
  }

  public long int64(int off) {
    return ((long) int32(off) << 32) | (int32(off + 4) & 0xFFFFFFFFL);
  }

  // ---- Shared opcode-specific fields ----

  /** Byte 2: Response (SCSI Response, Task Management Response, Logout Response), Reject reason. */
  public int response() {
    return byteAt(2);
  }

  /** Byte 3: Status (SCSI Response, final Data-In with S). */
  public int status() {
    return byteAt(3);
  }

  /** Bytes 20-23: Target Transfer Tag (NOP, Text, Data, R2T); EDTL in a SCSI Command. */
  public int ttt() {
    return int32(20);
  }

  /** Bytes 20-23 of a SCSI Command: Expected Data Transfer Length. */
  public int expectedDataTransferLength() {
    return int32(20);
  }

  /** Bytes 24-27 of an initiator PDU: CmdSN. */
  public int cmdSn() {
    return int32(24);
  }

  /** Bytes 28-31 of an initiator PDU: ExpStatSN. */
  public int expStatSn() {
    return int32(28);
  }

  /** Bytes 24-27 of a target PDU: StatSN. */
  public int statSn() {
    return int32(24);
  }

  /** Bytes 28-31 of a target PDU: ExpCmdSN. */
  public int expCmdSn() {
    return int32(28);
  }

  /** Bytes 32-35 of a target PDU: MaxCmdSN. */
  public int maxCmdSn() {
    return int32(32);
  }

  /** Bytes 36-39: DataSN (Data-In/Out), R2TSN (R2T), ExpDataSN (SCSI Response). */
  public int dataSn() {
    return int32(36);
  }

  /** Bytes 40-43: Buffer Offset (Data-In/Out, R2T). */
  public int bufferOffset() {
    return int32(40);
  }

  /** Bytes 44-47: Residual Count (SCSI Response, Data-In). */
  public int residualCount() {
    return int32(44);
  }

  /** Bytes 44-47 of an R2T: Desired Data Transfer Length. */
  public int desiredDataTransferLength() {
    return int32(44);
  }

  /** Bytes 32-47 of a SCSI Command: the CDB (16 bytes, zero padded). */
  public byte[] cdb() {
    return Arrays.copyOfRange(bhs, CDB_OFFSET, CDB_OFFSET + 16);
  }

  // Login (11.12 / 11.13)

  /** Login byte 1 bit 6: C (continue); also the C bit of Text PDUs. */
  public boolean continueBit() {
    return (bhs[1] & 0x40) != 0;
  }

  /** Login byte 1 bits 3:2: CSG. */
  public int csg() {
    return (bhs[1] >> 2) & 3;
  }

  /** Login byte 1 bits 1:0: NSG. */
  public int nsg() {
    return bhs[1] & 3;
  }

  /** Login bytes 8-13: ISID (6 bytes) as a long. */
  public long isid() {
    return int64(8) >>> 16;
  }

  /** Login bytes 14-15: TSIH. */
  public int tsih() {
    return int16(14);
  }

  /** Login Response byte 36: Status-Class. */
  public int statusClass() {
    return byteAt(36);
  }

  /** Login Response byte 37: Status-Detail. */
  public int statusDetail() {
    return byteAt(37);
  }

  // SCSI Response / Data-In flag bits (byte 1)

  /** SCSI Response / Data-In byte 1 bit 2: O (residual overflow). */
  public boolean residualOverflow() {
    return (bhs[1] & 0x04) != 0;
  }

  /** SCSI Response / Data-In byte 1 bit 1: U (residual underflow). */
  public boolean residualUnderflow() {
    return (bhs[1] & 0x02) != 0;
  }

  /** Data-In byte 1 bit 0: S (status present). */
  public boolean statusPresent() {
    return (bhs[1] & 0x01) != 0;
  }

  /** Data-In byte 1 bit 6: A (acknowledge). */
  public boolean acknowledge() {
    return (bhs[1] & 0x40) != 0;
  }

  @Override
  public String toString() {
    return Opcode.name(opcode()) + "[itt=" + Integer.toHexString(itt()) + " flags="
        + Integer.toHexString(flags()) + " dsl=" + dataSegmentLength() + "]";
  }

  /** Puts {@code v} big-endian at {@code b[off..off+4)} (the BHS's byte order). */
  static void put32(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  /** Puts {@code v} big-endian at {@code b[off..off+8)}. */
  static void put64(byte[] b, int off, long v) {
    put32(b, off, (int) (v >>> 32));
    put32(b, off + 4, (int) v);
  }

  static int int24(byte[] b, int off) {
    return ((b[off] & 0xFF) << 16) | ((b[off + 1] & 0xFF) << 8) | (b[off + 2] & 0xFF);
  }

  /** Fills a BHS field by field; {@link #build()} writes TotalAHSLength and DataSegmentLength. */
  public static final class Builder {
    private final byte[] bhs = new byte[BHS_LENGTH];
    private byte[] ahs = new byte[0];
    private ByteBuffer data;

    Builder(int opcode) {
      if (opcode < 0 || opcode > 0x3F) {
        throw new IllegalArgumentException("opcode " + opcode);
      }
      bhs[0] = (byte) opcode;
    }

    /** Byte 0 bit 6. */
    public Builder immediate(boolean i) {
      bhs[0] = (byte) (i ? bhs[0] | 0x40 : bhs[0] & ~0x40);
      return this;
    }

    public Builder byteAt(int off, int v) {
      bhs[off] = (byte) v;
      return this;
    }

    public Builder int16(int off, int v) {
      bhs[off] = (byte) (v >>> 8);
      bhs[off + 1] = (byte) v;
      return this;
    }

    public Builder int32(int off, int v) {
      put32(bhs, off, v);
      return this;
    }

    public Builder int64(int off, long v) {
      put64(bhs, off, v);
      return this;
    }

    public Builder bytes(int off, byte[] b) {
      System.arraycopy(b, 0, bhs, off, b.length);
      return this;
    }

    /** Byte 1. */
    public Builder flags(int f) {
      return byteAt(1, f);
    }

    public Builder lun(long lun) {
      return int64(8, lun);
    }

    public Builder itt(int itt) {
      return int32(16, itt);
    }

    public Builder ahs(byte[] a) {
      if (a.length % 4 != 0 || a.length > 255 * 4) {
        throw new IllegalArgumentException("AHS length " + a.length);
      }
      this.ahs = a.clone();
      return this;
    }

    /** The data segment: {@code d} from its position to its limit (shared, not copied). */
    public Builder data(ByteBuffer d) {
      if (d != null && d.remaining() > MAX_DSL_FIELD) {
        throw new IllegalArgumentException("data segment of " + d.remaining() + " bytes");
      }
      this.data = d;
      return this;
    }

    public Builder data(byte[] d) {
      return data(d == null ? null : ByteBuffer.wrap(d));
    }

    public Pdu build() {
      int dsl = data == null ? 0 : data.remaining();
      bhs[4] = (byte) (ahs.length / 4);
      bhs[5] = (byte) (dsl >>> 16);
      bhs[6] = (byte) (dsl >>> 8);
      bhs[7] = (byte) dsl;
      return new Pdu(bhs.clone(), ahs, data);
    }
  }
}
