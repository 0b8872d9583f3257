package dev.mpath.scsi.iscsi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Writes PDUs in wire form (RFC 7143 11.2): BHS, AHS, optional header digest, data segment,
 * padding to 4 bytes, optional data digest (only when there is a data segment). The digest
 * settings change after the login, so they are mutable; not thread-safe (one writer at a
 * time).
 */
public final class PduEncoder {
  private boolean headerDigest;
  private boolean dataDigest;
  private final byte[] scratch = new byte[Pdu.BHS_LENGTH + 4];
  private byte[] copy = new byte[0];

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
    int dsl = p.dataSegmentLength();
    return Pdu.BHS_LENGTH + p.ahsRaw().length + (headerDigest ? 4 : 0)
        + dsl + Digests.pad(dsl) + (dsl > 0 && dataDigest ? 4 : 0);
  }

  /** Writes {@code p} to {@code out} (no flush). */
  public void encode(Pdu p, OutputStream out) throws IOException {
    byte[] ahs = p.ahsRaw();
    if (ahs.length == 0) {
      System.arraycopy(p.bhsRaw(), 0, scratch, 0, Pdu.BHS_LENGTH);
      if (headerDigest) {
        Digests.putWire(scratch, Pdu.BHS_LENGTH, Digests.crc32c(scratch, 0, Pdu.BHS_LENGTH));
      }
      out.write(scratch, 0, Pdu.BHS_LENGTH + (headerDigest ? 4 : 0));
    } else {
      byte[] h = new byte[Pdu.BHS_LENGTH + ahs.length + 4];
      System.arraycopy(p.bhsRaw(), 0, h, 0, Pdu.BHS_LENGTH);
      System.arraycopy(ahs, 0, h, Pdu.BHS_LENGTH, ahs.length);
      int n = Pdu.BHS_LENGTH + ahs.length;
      if (headerDigest) {
        Digests.putWire(h, n, Digests.crc32c(h, 0, n));
        n += 4;
      }
      out.write(h, 0, n);
    }
    ByteBuffer d = p.dataRaw();
    int dsl = d.remaining();
    if (dsl == 0) {
      return;
    }
    if (d.hasArray()) {
      out.write(d.array(), d.arrayOffset() + d.position(), dsl);
    } else {
      // read-only or direct: copy in chunks
      ByteBuffer src = d.duplicate();
      if (copy.length < Math.min(dsl, 65536)) {
        copy = new byte[Math.min(dsl, 65536)];
      }
      while (src.hasRemaining()) {
        int n = Math.min(src.remaining(), copy.length);
        src.get(copy, 0, n);
        out.write(copy, 0, n);
      }
    }
    int pad = Digests.pad(dsl);
    byte[] tail = new byte[pad + 4];
    int n = pad;
    if (dataDigest) {
      Digests.putWire(tail, pad, Digests.dataDigest(d, pad));
      n += 4;
    }
    if (n > 0) {
      out.write(tail, 0, n);
    }
  }

  /** {@code p} in wire form. */
  public byte[] encode(Pdu p) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(encodedLength(p));
    try {
      encode(p, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }
}
