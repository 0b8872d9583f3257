package dev.mpath.scsi.proto;

import java.util.Arrays;
import java.util.Objects;

/**
 * A VPD page this package does not interpret: header fields plus the page-specific bytes.
 *
 * @param peripheral  byte 0
 * @param pageCode    PAGE CODE
 * @param payload     bytes 4..n
 */
public record RawVpdPage(Peripheral peripheral, int pageCode, byte[] payload) implements VpdPage {

  public RawVpdPage {
    Objects.requireNonNull(peripheral, "peripheral");
    Bytes.checkRange("PAGE CODE", pageCode, 0, 0xFF);
    Bytes.checkRange("PAGE LENGTH", payload.length, 0, MAX_LENGTH - HEADER_LENGTH);
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public byte[] encode() {
    byte[] d = VpdSupport.page(peripheral, pageCode, payload.length);
    System.arraycopy(payload, 0, d, HEADER_LENGTH, payload.length);
    return d;
  }

  public static RawVpdPage decode(byte[] b, int off, int len) {
    int pl = VpdSupport.checkHeader(b, off, len, -1, "VPD page");
    return new RawVpdPage(Peripheral.fromByte(Bytes.u8(b, off)), Bytes.u8(b, off + 1),
        Bytes.copy(b, off + HEADER_LENGTH, pl));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawVpdPage && ((RawVpdPage) o).peripheral.equals(peripheral)
        && ((RawVpdPage) o).pageCode == pageCode && Arrays.equals(((RawVpdPage) o).payload, payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(peripheral, pageCode) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "RawVpdPage[" + Bytes.hex2(pageCode) + ", " + Bytes.hex(payload) + "]";
  }
}
