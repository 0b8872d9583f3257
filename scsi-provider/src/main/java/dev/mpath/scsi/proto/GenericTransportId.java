package dev.mpath.scsi.proto;

import java.util.Arrays;

/**
 * A fixed-length (24-byte) TransportID of any protocol but iSCSI (Fibre Channel, SAS, SRP,
 * 1394, SOP...): FORMAT CODE, PROTOCOL IDENTIFIER and 23 protocol-specific bytes, kept raw.
 *
 * @param bytes the 24 TransportID bytes
 */
public record GenericTransportId(byte[] bytes) implements TransportId {
  /** Length of every non-iSCSI TransportID (SPC-4 7.6.4). */
  public static final int LENGTH = 24;

  public GenericTransportId {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("TransportID must be 24 bytes, got " + bytes.length);
    }
    if ((bytes[0] & 0x0F) == ProtocolId.ISCSI) {
      throw new IllegalArgumentException("iSCSI TransportIDs are IscsiTransportId");
    }
    bytes = bytes.clone();
  }

  /**
   * A TransportID for {@code protocolIdentifier} with the protocol-specific bytes copied to
   * bytes 1.. (at most 23 bytes; e.g. SAS puts the SAS ADDRESS at bytes 4-11, so pass 3 zero
   * bytes first).
   */
  public static GenericTransportId of(int protocolIdentifier, int formatCode, byte[] specific) {
    Bytes.checkRange("PROTOCOL IDENTIFIER", protocolIdentifier, 0, 0xF);
    Bytes.checkRange("FORMAT CODE", formatCode, 0, 3);
    Bytes.checkRange("protocol specific length", specific.length, 0, LENGTH - 1);
    byte[] b = new byte[LENGTH];
    b[0] = (byte) (formatCode << 6 | protocolIdentifier);
    System.arraycopy(specific, 0, b, 1, specific.length);
    return new GenericTransportId(b);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public int protocolIdentifier() {
    return bytes[0] & 0x0F;
  }

  @Override
  public int formatCode() {
    return (bytes[0] >>> 6) & 3;
  }

  @Override
  public byte[] encode() {
    return bytes.clone();
  }

  @Override
  public int encodedLength() {
    return LENGTH;
  }

  public static GenericTransportId decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("TransportID", 1, len);
    if ((b[off] & 0x0F) == ProtocolId.ISCSI) {
      throw new ScsiProtocolException("iSCSI TransportID is not fixed length; use IscsiTransportId");
    }
    Bytes.need(ProtocolId.name(b[off] & 0x0F) + " TransportID", LENGTH, len);
    return new GenericTransportId(Bytes.copy(b, off, LENGTH));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenericTransportId && Arrays.equals(bytes, ((GenericTransportId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "TransportId[" + ProtocolId.name(protocolIdentifier()) + ", " + Bytes.hex(bytes) + "]";
  }
}
