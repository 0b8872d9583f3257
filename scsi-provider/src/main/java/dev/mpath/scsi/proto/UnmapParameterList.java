package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;

/**
 * UNMAP parameter list (SBC-3).
 *
 * <pre>
 * byte 0-1  UNMAP DATA LENGTH (n-1)
 * byte 2-3  UNMAP BLOCK DESCRIPTOR DATA LENGTH (n-7)
 * byte 4-7  reserved
 * byte 8-n  {@link UnmapBlockDescriptor}s, 16 bytes each
 * </pre>
 *
 * <p>Decoding (the device-server side): at least the 8-byte header, and the UNMAP BLOCK
 * DESCRIPTOR DATA LENGTH must fit in the data received, else {@link ScsiProtocolException}
 * (report INVALID FIELD IN PARAMETER LIST or PARAMETER LIST LENGTH ERROR). As SBC-3 requires, a
 * trailing partial descriptor (length not a multiple of 16) is ignored. UNMAP DATA LENGTH is
 * not cross-checked.
 *
 * @param descriptors the block descriptors, in order
 */
public record UnmapParameterList(List<UnmapBlockDescriptor> descriptors) {
  /** Header length. */
  public static final int HEADER_LENGTH = 8;
  /** Most descriptors a 16-bit PARAMETER LIST LENGTH can carry. */
  public static final int MAX_DESCRIPTORS = (0xFFFF - HEADER_LENGTH) / UnmapBlockDescriptor.LENGTH;

  public UnmapParameterList {
    descriptors = List.copyOf(descriptors);
    if (descriptors.size() > MAX_DESCRIPTORS) {
      throw new IllegalArgumentException("more than " + MAX_DESCRIPTORS + " UNMAP descriptors");
    }
  }

  public byte[] encode() {
    int bd = UnmapBlockDescriptor.LENGTH * descriptors.size();
    byte[] d = new byte[HEADER_LENGTH + bd];
    Bytes.put16(d, 0, d.length - 2);
    Bytes.put16(d, 2, bd);
    int p = HEADER_LENGTH;
    for (UnmapBlockDescriptor x : descriptors) {
      Bytes.put64(d, p, x.lba());
      Bytes.put32(d, p + 8, x.numberOfBlocks());
      p += UnmapBlockDescriptor.LENGTH;
    }
    return d;
  }

  public static UnmapParameterList decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static UnmapParameterList decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("UNMAP parameter list header", HEADER_LENGTH, len);
    int bd = Bytes.u16(b, off + 2);
    if (HEADER_LENGTH + bd > len) {
      throw new ScsiProtocolException("UNMAP parameter list: UNMAP BLOCK DESCRIPTOR DATA LENGTH "
          + bd + " runs past the " + len + " bytes received", HEADER_LENGTH + bd, len);
    }
    int n = bd / UnmapBlockDescriptor.LENGTH;
    List<UnmapBlockDescriptor> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int p = off + HEADER_LENGTH + UnmapBlockDescriptor.LENGTH * i;
      l.add(new UnmapBlockDescriptor(Bytes.u64(b, p), Bytes.u32(b, p + 8)));
    }
    return new UnmapParameterList(l);
  }
}
