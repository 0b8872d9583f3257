package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;

/**
 * PERSISTENT RESERVE IN, READ FULL STATUS parameter data (SPC-4): PRGENERATION, ADDITIONAL
 * LENGTH (n-7) and a list of {@link PrFullStatusDescriptor}s.
 *
 * <p>Decoding: ADDITIONAL LENGTH beyond what a PR IN response can hold is a
 * {@link ScsiProtocolException}; past the data a {@link TruncatedDataException}; every
 * descriptor and its TransportID must stay inside the list and the descriptor's ADDITIONAL
 * DESCRIPTOR LENGTH must equal its TransportID's length.
 *
 * @param generation   PRGENERATION (unsigned 32 bits)
 * @param descriptors  one per registered I_T nexus
 */
public record PrFullStatus(long generation, List<PrFullStatusDescriptor> descriptors) {

  public PrFullStatus {
    Bytes.checkU32("PRGENERATION", generation);
    descriptors = List.copyOf(descriptors);
  }

  public byte[] encode() {
    int n = PrInSupport.HEADER_LENGTH;
    for (PrFullStatusDescriptor d : descriptors) {
      n += d.encodedLength();
    }
    if (n > PrInSupport.MAX_LENGTH) {
      throw new IllegalStateException("READ FULL STATUS data exceeds 65535 bytes: " + n);
    }
    byte[] out = new byte[n];
    Bytes.put32(out, 0, generation);
    Bytes.put32(out, 4, n - PrInSupport.HEADER_LENGTH);
    int p = PrInSupport.HEADER_LENGTH;
    for (PrFullStatusDescriptor d : descriptors) {
      p += d.encodeInto(out, p);
    }
    return out;
  }

  public static PrFullStatus decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static PrFullStatus decode(byte[] b, int off, int len) {
    int addl = PrInSupport.checkHeader(b, off, len, "READ FULL STATUS parameter data");
    int end = PrInSupport.HEADER_LENGTH + addl;
    List<PrFullStatusDescriptor> list = new ArrayList<>();
    int p = PrInSupport.HEADER_LENGTH;
    while (p < end) {
      PrFullStatusDescriptor d = PrFullStatusDescriptor.decode(b, off + p, end - p);
      list.add(d);
      p += d.encodedLength();
    }
    return new PrFullStatus(Bytes.u32(b, off), list);
  }
}
