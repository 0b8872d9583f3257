package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Supported VPD Pages VPD page (SPC-4 7.8), page code 00h: byte 4 onwards one page code per
 * byte, in ascending order (SPC-4 requires the order; this codec neither sorts nor enforces it).
 *
 * @param peripheral  byte 0
 * @param pageCodes   the supported page codes, each 0..255
 */
public record SupportedVpdPages(Peripheral peripheral, List<Integer> pageCodes) implements VpdPage {

  public SupportedVpdPages {
    Objects.requireNonNull(peripheral, "peripheral");
    pageCodes = List.copyOf(pageCodes);
    for (int pc : pageCodes) {
      Bytes.checkRange("PAGE CODE", pc, 0, 0xFF);
    }
  }

  @Override
  public int pageCode() {
    return SUPPORTED_VPD_PAGES;
  }

  public boolean supports(int pageCode) {
    return pageCodes.contains(pageCode);
  }

  @Override
  public byte[] encode() {
    byte[] d = VpdSupport.page(peripheral, SUPPORTED_VPD_PAGES, pageCodes.size());
    for (int i = 0; i < pageCodes.size(); i++) {
      d[HEADER_LENGTH + i] = (byte) (int) pageCodes.get(i);
    }
    return d;
  }

  public static SupportedVpdPages decode(byte[] b, int off, int len) {
    int pl = VpdSupport.checkHeader(b, off, len, SUPPORTED_VPD_PAGES, "Supported VPD Pages page");
    List<Integer> codes = new ArrayList<>(pl);
    for (int i = 0; i < pl; i++) {
      codes.add(Bytes.u8(b, off + HEADER_LENGTH + i));
    }
    return new SupportedVpdPages(Peripheral.fromByte(Bytes.u8(b, off)), codes);
  }
}
