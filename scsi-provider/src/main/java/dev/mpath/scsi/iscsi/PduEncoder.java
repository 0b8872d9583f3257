package dev.mpath.scsi.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Writes PDUs in wire form (RFC 7143 11.2): BHS, AHS, optional header digest, data segment,
 * padding to 4 bytes, optional data digest (only when there is a data segment), straight
 * into an output buffer. The digest settings change after the login, so they are mutable;
 * not thread-safe (one writer at a time).
 *
 * <p>The hot path is {@link #encode(byte[], ByteBuffer, int, int, ByteBuf)}: a BHS laid out
 * by the caller in a reused array ({@link Pdus#scsiCommandBhs} and friends) and data taken
 * from the caller's buffer by absolute index, so a command or a Data-Out allocates nothing.
 */
public final class PduEncoder {
  private static final byte[] ZERO_PAD = new byte[3];
  private boolean headerDigest;
  private boolean dataDigest;
  private final CRC32C crc = new CRC32C();

  public PduEncoder(boolean headerDigest, boolean dataDigest) {
    this.headerDigest = headerDigest;
    this.dataDigest = dataDigest;
  }

  public void digests(boolean header, boolean data) {
    this.headerDigest = header;
    this.dataDigest = data;
  }

  /** Bytes {@code p} takes on the wire. */
  public int encodedLength(Pdu p) {
    return encodedLength(p.ahsRaw().length, p.dataSegmentLength());
  }

  private int encodedLength(int ahs, int dsl) {
    return Pdu.BHS_LENGTH + ahs + (headerDigest ? 4 : 0)
        + dsl + Digests.pad(dsl) + (dsl > 0 && dataDigest ? 4 : 0);
  }

  /** Appends {@code p} to {@code dst}. */
  public void encode(Pdu p, ByteBuf dst) {
    byte[] ahs = p.ahsRaw();
    ByteBuffer d = p.dataRaw();
    dst.ensureWritable(encodedLength(ahs.length, d.remaining()));
    header(p.bhsRaw(), ahs, dst);
    data(d, d.position(), d.remaining(), dst);
  }

  /**
   * Appends a PDU without AHS: {@code bhs} (48 bytes, DataSegmentLength already set to
   * {@code len}), then {@code len} data bytes of {@code src} from absolute index
   * {@code index}. {@code src}'s position and limit are moved while its bytes are copied
   * and restored before this returns; its contents are not changed.
   */
  public void encode(byte[] bhs, ByteBuffer src, int index, int len, ByteBuf dst) {
    if (Pdu.int24(bhs, 5) != len || bhs[4] != 0) {
      throw new IllegalArgumentException("BHS lengths do not match a " + len + "-byte data segment");
    }
    dst.ensureWritable(encodedLength(0, len));
    header(bhs, null, dst);
    if (len > 0) {
      data(src, index, len, dst);
    }
  }

  private void header(byte[] bhs, byte[] ahs, ByteBuf dst) {
    dst.writeBytes(bhs, 0, Pdu.BHS_LENGTH);
    boolean hasAhs = ahs != null && ahs.length > 0;
    if (hasAhs) {
      dst.writeBytes(ahs);
    }
    if (headerDigest) {
      crc.reset();
      crc.update(bhs, 0, Pdu.BHS_LENGTH);
      if (hasAhs) {
        crc.update(ahs, 0, ahs.length);
      }
      dst.writeIntLE((int) crc.getValue());
    }
  }

  private void data(ByteBuffer src, int index, int len, ByteBuf dst) {
    if (len == 0) {
      return;
    }
    int pad = Digests.pad(len);
    if (src.hasArray()) {
      byte[] a = src.array();
      int off = src.arrayOffset() + index;
      dst.writeBytes(a, off, len);
      if (dataDigest) {
        crc.reset();
        crc.update(a, off, len);
      }
    } else {
      int pos = src.position();
      int lim = src.limit();
      try {
        src.limit(index + len).position(index);
        if (dataDigest) {
          crc.reset();
          crc.update(src);
          src.position(index);
        }
        dst.writeBytes(src);
      } finally {
        src.limit(lim).position(pos);
      }
    }
    if (pad > 0) {
      dst.writeBytes(ZERO_PAD, 0, pad);
    }
    if (dataDigest) {
      crc.update(ZERO_PAD, 0, pad);
      dst.writeIntLE((int) crc.getValue());
    }
  }

  /** Writes {@code p} to {@code out} (no flush). */
  public void encode(Pdu p, OutputStream out) throws IOException {
    ByteBuf b = Unpooled.buffer(encodedLength(p));
    encode(p, b);
    b.readBytes(out, b.readableBytes());
  }

  /** {@code p} in wire form. */
  public byte[] encode(Pdu p) {
    ByteBuf b = Unpooled.buffer(encodedLength(p));
    encode(p, b);
    return io.netty.buffer.ByteBufUtil.getBytes(b);
  }
}
