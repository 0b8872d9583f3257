package dev.mpath.scsi.proto;

/**
 * A vital product data page (SPC-4 7.8), returned by INQUIRY with EVPD set.
 *
 * <pre>
 * byte 0    PERIPHERAL QUALIFIER 7:5, PERIPHERAL DEVICE TYPE 4:0
 * byte 1    PAGE CODE
 * byte 2-3  PAGE LENGTH (n-3)
 * byte 4-n  page specific
 * </pre>
 *
 * <p>PAGE LENGTH is read as the two bytes 2-3 for every page (SPC-3 has byte 2 reserved, and
 * therefore zero, for some pages, which reads the same).
 *
 * <p>Decoding contract: the whole page must be present. A page cut by the allocation length
 * raises {@link TruncatedDataException} with the length to retry with ({@link #totalLength} reads
 * it from the 4-byte header alone); a PAGE LENGTH no INQUIRY could return (more than
 * {@link #MAX_LENGTH} bytes in total) or a wrong PAGE CODE is a {@link ScsiProtocolException}.
 * Bytes after the page are ignored.
 */
public sealed interface VpdPage
    permits SupportedVpdPages, UnitSerialNumberVpd, DeviceIdentificationVpd, BlockLimitsVpd,
        RawVpdPage {

  int SUPPORTED_VPD_PAGES = 0x00;
  int UNIT_SERIAL_NUMBER = 0x80;
  int DEVICE_IDENTIFICATION = 0x83;
  int EXTENDED_INQUIRY_DATA = 0x86;
  int BLOCK_LIMITS = 0xB0;
  int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
  int LOGICAL_BLOCK_PROVISIONING = 0xB2;

  /** Header length. */
  int HEADER_LENGTH = 4;
  /** Largest page an INQUIRY can return (16-bit ALLOCATION LENGTH). */
  int MAX_LENGTH = 0xFFFF;

  /** Byte 0. */
  Peripheral peripheral();

  /** PAGE CODE. */
  int pageCode();

  /** The encoded page. */
  byte[] encode();

  /**
   * Total page length (4 + PAGE LENGTH) from the header, for sizing a second INQUIRY.
   *
   * @throws ScsiProtocolException if fewer than 4 bytes are given
   */
  static int totalLength(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("VPD page header", HEADER_LENGTH, len);
    return HEADER_LENGTH + Bytes.u16(b, off + 2);
  }

  /** {@link #decode(byte[], int, int)} over the whole array. */
  static VpdPage decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  /**
   * Decodes a VPD page, choosing the class by PAGE CODE; pages without a class here come back
   * as {@link RawVpdPage}.
   */
  static VpdPage decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("VPD page header", HEADER_LENGTH, len);
    switch (Bytes.u8(b, off + 1)) {
      case SUPPORTED_VPD_PAGES:
        return SupportedVpdPages.decode(b, off, len);
      case UNIT_SERIAL_NUMBER:
        return UnitSerialNumberVpd.decode(b, off, len);
      case DEVICE_IDENTIFICATION:
        return DeviceIdentificationVpd.decode(b, off, len);
      case BLOCK_LIMITS:
        return BlockLimitsVpd.decode(b, off, len);
      default:
        return RawVpdPage.decode(b, off, len);
    }
  }
}
