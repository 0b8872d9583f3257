package dev.mpath.scsi.proto;

/**
 * A TransportID (SPC-4 7.6.4): names an initiator port in PR OUT parameter lists (SPEC_I_PT,
 * REGISTER AND MOVE) and in READ FULL STATUS descriptors.
 *
 * <pre>
 * byte 0    bits 7:6 FORMAT CODE, bits 3:0 PROTOCOL IDENTIFIER
 * byte 1-n  protocol specific
 * </pre>
 *
 * <p>iSCSI TransportIDs ({@link ProtocolId#ISCSI}) are variable length and decode as
 * {@link IscsiTransportId}; every other protocol's TransportID is 24 bytes and decodes as
 * {@link GenericTransportId}.
 */
public sealed interface TransportId permits IscsiTransportId, GenericTransportId {

  /** PROTOCOL IDENTIFIER. */
  int protocolIdentifier();

  /** FORMAT CODE, 0..3. */
  int formatCode();

  /** The encoded TransportID. */
  byte[] encode();

  /** Encoded length in bytes. */
  int encodedLength();

  /**
   * Decodes the TransportID starting at {@code b[off]}; {@code len} bytes are available to it.
   * The result's {@link #encodedLength()} tells where the next one starts.
   *
   * @throws ScsiProtocolException if the TransportID does not fit in {@code len} or is malformed
   */
  static TransportId decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("TransportID", 1, len);
    if ((b[off] & 0x0F) == ProtocolId.ISCSI) {
      return IscsiTransportId.decode(b, off, len);
    }
    return GenericTransportId.decode(b, off, len);
  }
}
