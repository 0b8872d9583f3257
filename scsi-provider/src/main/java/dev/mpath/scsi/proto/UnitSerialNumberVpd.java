package dev.mpath.scsi.proto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Unit Serial Number VPD page (SPC-4 7.8), page code 80h: bytes 4..n PRODUCT SERIAL NUMBER,
 * ASCII. Decoding strips leading and trailing spaces and NULs (SPC-4 right-aligns the field);
 * encoding writes the string as given, at most 255 bytes (byte 2 is reserved in SPC-3).
 *
 * @param peripheral    byte 0
 * @param serialNumber  PRODUCT SERIAL NUMBER
 */
public record UnitSerialNumberVpd(Peripheral peripheral, String serialNumber) implements VpdPage {
  /** Longest serial number this codec encodes. */
  public static final int MAX_SERIAL_LENGTH = 255;

  public UnitSerialNumberVpd {
    Objects.requireNonNull(peripheral, "peripheral");
    Objects.requireNonNull(serialNumber, "serialNumber");
  }

  @Override
  public int pageCode() {
    return UNIT_SERIAL_NUMBER;
  }

  @Override
  public byte[] encode() {
    byte[] s = Bytes.printableAscii(serialNumber, "PRODUCT SERIAL NUMBER");
    if (s.length > MAX_SERIAL_LENGTH) {
      throw new IllegalArgumentException("PRODUCT SERIAL NUMBER longer than 255 bytes");
    }
    byte[] d = VpdSupport.page(peripheral, UNIT_SERIAL_NUMBER, s.length);
    System.arraycopy(s, 0, d, HEADER_LENGTH, s.length);
    return d;
  }

  public static UnitSerialNumberVpd decode(byte[] b, int off, int len) {
    int pl = VpdSupport.checkHeader(b, off, len, UNIT_SERIAL_NUMBER, "Unit Serial Number page");
    String s = new String(b, off + HEADER_LENGTH, pl, StandardCharsets.ISO_8859_1);
    return new UnitSerialNumberVpd(Peripheral.fromByte(Bytes.u8(b, off)), strip(s));
  }

  private static String strip(String s) {
    int a = 0;
    int e = s.length();
    while (a < e && (s.charAt(a) == ' ' || s.charAt(a) == 0)) {
      a++;
    }
    while (e > a && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == 0)) {
      e--;
    }
    return s.substring(a, e);
  }
}
