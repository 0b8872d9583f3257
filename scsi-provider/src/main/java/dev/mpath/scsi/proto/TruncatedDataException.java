package dev.mpath.scsi.proto;

/**
 * Parameter data whose own length field says it is longer than the bytes that arrived, by an
 * amount the protocol could legitimately deliver with a larger allocation length.
 *
 * <p>Data-in returned for INQUIRY (VPD pages), REPORT LUNS, PERSISTENT RESERVE IN and REQUEST
 * SENSE is cut at the allocation length the host chose; SPC-4 says the device server returns
 * the first bytes and sets the length field to the full size. This exception tells the host to
 * retry with {@link #requiredLength()} bytes. A length field that no allocation could satisfy
 * (for example a PR IN ADDITIONAL LENGTH beyond the 16-bit allocation length) is a plain
 * {@link ScsiProtocolException}, never this subclass.
 */
public final class TruncatedDataException extends ScsiProtocolException {
  private static final long serialVersionUID = 1L;

  /** {@code what} needs {@code required} bytes by its length field but only {@code available} arrived. */
  public TruncatedDataException(String what, long required, long available) {
    super(what + ": length field requires " + required + " bytes, only " + available
        + " available (retry with a larger allocation length)", required, available);
  }

  /** Total bytes the structure occupies according to its own length field. */
  public long requiredLength() {
    return expectedLength();
  }

  /** Bytes that were present. */
  public long availableLength() {
    return actualLength();
  }
}
