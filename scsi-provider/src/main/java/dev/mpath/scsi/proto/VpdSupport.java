package dev.mpath.scsi.proto;

/** Header handling shared by the VPD page codecs. */
final class VpdSupport {
  private VpdSupport() {}

  /**
   * Checks a VPD header: 4 bytes present, PAGE CODE as expected ({@code pageCode < 0}: any),
   * the whole page present and not longer than {@link VpdPage#MAX_LENGTH}.
   *
   * @return PAGE LENGTH
   */
  static int checkHeader(byte[] b, int off, int len, int pageCode, String name) {
    Bytes.checkSlice(b, off, len);
    Bytes.need(name + " header", VpdPage.HEADER_LENGTH, len);
    int pc = Bytes.u8(b, off + 1);
    if (pageCode >= 0 && pc != pageCode) {
      throw new ScsiProtocolException(name + ": PAGE CODE " + Bytes.hex2(pc) + ", expected "
          + Bytes.hex2(pageCode));
    }
    int pl = Bytes.u16(b, off + 2);
    Bytes.needDeclared(name, VpdPage.HEADER_LENGTH + pl, len, VpdPage.MAX_LENGTH);
    return pl;
  }

  /** A page buffer with its header filled in. */
  static byte[] page(Peripheral p, int pageCode, int pageLength) {
    if (VpdPage.HEADER_LENGTH + pageLength > VpdPage.MAX_LENGTH) {
      throw new IllegalArgumentException("VPD page too long: " + pageLength);
    }
    byte[] d = new byte[VpdPage.HEADER_LENGTH + pageLength];
    d[0] = (byte) p.toByte();
    d[1] = (byte) pageCode;
    Bytes.put16(d, 2, pageLength);
    return d;
  }
}
