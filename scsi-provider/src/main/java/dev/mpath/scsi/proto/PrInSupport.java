package dev.mpath.scsi.proto;

/** Header handling shared by the PERSISTENT RESERVE IN parameter data codecs. */
final class PrInSupport {
  /** Largest PR IN data a 16-bit ALLOCATION LENGTH can fetch. */
  static final int MAX_LENGTH = 0xFFFF;
  static final int HEADER_LENGTH = 8;

  private PrInSupport() {}

  /**
   * Checks the PRGENERATION / ADDITIONAL LENGTH header and that the data it declares is present
   * and fetchable.
   *
   * @return ADDITIONAL LENGTH
   */
  static int checkHeader(byte[] b, int off, int len, String what) {
    Bytes.checkSlice(b, off, len);
    Bytes.need(what + " header", HEADER_LENGTH, len);
    long addl = Bytes.u32(b, off + 4);
    Bytes.needDeclared(what, HEADER_LENGTH + addl, len, MAX_LENGTH);
    return (int) addl;
  }
}
