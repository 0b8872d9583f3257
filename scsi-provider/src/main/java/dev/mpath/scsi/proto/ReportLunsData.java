package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;

/**
 * REPORT LUNS parameter data (SPC-4).
 *
 * <pre>
 * byte 0-3  LUN LIST LENGTH (n-7), a multiple of 8
 * byte 4-7  reserved
 * byte 8-n  LUN list, 8 bytes per {@link Lun}
 * </pre>
 *
 * <p>Decoding: a LUN LIST LENGTH that is not a multiple of 8 or describes more than
 * {@link #MAX_LUNS} LUNs is a {@link ScsiProtocolException}; one that runs past the data
 * (the allocation length cut it) is a {@link TruncatedDataException} with the length to retry with.
 *
 * @param luns the LUN inventory, in order
 */
public record ReportLunsData(List<Lun> luns) {
  /** Header length. */
  public static final int HEADER_LENGTH = 8;
  /** Most LUNs this codec accepts in one list (the whole flat addressing space). */
  public static final int MAX_LUNS = 16384;

  public ReportLunsData {
    luns = List.copyOf(luns);
    if (luns.size() > MAX_LUNS) {
      throw new IllegalArgumentException("more than " + MAX_LUNS + " LUNs");
    }
  }

  /** Parameter data for the given single-level LUN numbers. */
  public static ReportLunsData ofNumbers(int... numbers) {
    List<Lun> l = new ArrayList<>(numbers.length);
    for (int n : numbers) {
      l.add(Lun.of(n));
    }
    return new ReportLunsData(l);
  }

  public byte[] encode() {
    byte[] d = new byte[HEADER_LENGTH + Lun.LENGTH * luns.size()];
    Bytes.put32(d, 0, (long) Lun.LENGTH * luns.size());
    for (int i = 0; i < luns.size(); i++) {
      luns.get(i).encodeInto(d, HEADER_LENGTH + Lun.LENGTH * i);
    }
    return d;
  }

  public static ReportLunsData decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  public static ReportLunsData decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("REPORT LUNS parameter data header", HEADER_LENGTH, len);
    long listLength = Bytes.u32(b, off);
    if (listLength % Lun.LENGTH != 0) {
      throw new ScsiProtocolException("REPORT LUNS: LUN LIST LENGTH " + listLength
          + " is not a multiple of 8");
    }
    Bytes.needDeclared("REPORT LUNS parameter data", HEADER_LENGTH + listLength, len,
        HEADER_LENGTH + (long) Lun.LENGTH * MAX_LUNS);
    int n = (int) (listLength / Lun.LENGTH);
    List<Lun> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(new Lun(Bytes.u64(b, off + HEADER_LENGTH + Lun.LENGTH * i)));
    }
    return new ReportLunsData(l);
  }
}
