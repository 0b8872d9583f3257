package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;

/**
 * PERSISTENT RESERVE IN, READ KEYS parameter data (SPC-4).
 *
 * <pre>
 * byte 0-3  PRGENERATION
 * byte 4-7  ADDITIONAL LENGTH (n-7), a multiple of 8
 * byte 8-n  RESERVATION KEY list, 8 bytes each
 * </pre>
 *
 * <p>Decoding: ADDITIONAL LENGTH must be a multiple of 8 and fit a PR IN response (at most
 * 65535 bytes in all) or it is a {@link ScsiProtocolException}; if it runs past the data the
 * allocation length cut the list and a {@link TruncatedDataException} gives the length to retry.
 *
 * @param generation  PRGENERATION (unsigned 32 bits)
 * @param keys        registered reservation keys
 */
public record PrReadKeys(long generation, List<Long> keys) {

  public PrReadKeys {
    Bytes.checkU32("PRGENERATION", generation);
    keys = List.copyOf(keys);
    if (PrInSupport.HEADER_LENGTH + 8L * keys.size() > PrInSupport.MAX_LENGTH) {
      throw new IllegalArgumentException("too many keys for a PR IN response: " + keys.size());
    }
  }

  public byte[] encode() {
    byte[] d = new byte[PrInSupport.HEADER_LENGTH + 8 * keys.size()];
    Bytes.put32(d, 0, generation);
    Bytes.put32(d, 4, 8L * keys.size());
    for (int i = 0; i < keys.size(); i++) {
      Bytes.put64(d, PrInSupport.HEADER_LENGTH + 8 * i, keys.get(i));
    }
    return d;
  }

  public static PrReadKeys decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static PrReadKeys decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("READ KEYS parameter data header", PrInSupport.HEADER_LENGTH, len);
    long declared = Bytes.u32(b, off + 4);
    if (declared % 8 != 0) {
      throw new ScsiProtocolException("READ KEYS: ADDITIONAL LENGTH " + declared
          + " is not a multiple of 8");
    }
    int addl = PrInSupport.checkHeader(b, off, len, "READ KEYS parameter data");
    List<Long> keys = new ArrayList<>(addl / 8);
    for (int p = PrInSupport.HEADER_LENGTH; p < PrInSupport.HEADER_LENGTH + addl; p += 8) {
      keys.add(Bytes.u64(b, off + p));
    }
    return new PrReadKeys(Bytes.u32(b, off), keys);
  }
}
