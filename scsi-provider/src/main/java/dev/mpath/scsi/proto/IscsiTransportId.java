package dev.mpath.scsi.proto;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * iSCSI TransportID (SPC-4 7.6.4.6).
 *
 * <pre>
 * byte 0    bits 7:6 FORMAT CODE (00b device name, 01b initiator port), bits 3:0 PROTOCOL IDENTIFIER (5h)
 * byte 2-3  ADDITIONAL LENGTH (n-3), a multiple of 4, at least 20
 * format 00b: byte 4-n ISCSI NAME, null terminated, null padded
 * format 01b: byte 4-n ISCSI NAME, SEPARATOR ",i,0x", ISCSI INITIATOR SESSION ID (hex ASCII),
 *             null terminated, null padded
 * </pre>
 *
 * <p>Encoding pads to a multiple of 4 with at least one NUL and at least 20 bytes after the
 * header; a decoded TransportID re-encodes with the length it was decoded with. Equality is by
 * name and ISID only. Decoding accepts any ADDITIONAL LENGTH that is a multiple of 4 (Linux LIO emits fewer
 * than 20 bytes for short names), requires a NUL inside it, a non-empty name, and for format
 * 01b the separator followed by 1..12 hexadecimal digits (either case).
 */
public final class IscsiTransportId implements TransportId {
  /** FORMAT CODE 00b: iSCSI initiator device (name only). */
  public static final int FORMAT_DEVICE_NAME = 0;
  /** FORMAT CODE 01b: iSCSI initiator port (name + ISID). */
  public static final int FORMAT_PORT = 1;
  /** The SEPARATOR field. */
  public static final String SEPARATOR = ",i,0x";
  /** Longest iSCSI name (RFC 3720 3.2.6.1). */
  public static final int MAX_NAME_LENGTH = 223;
  static final int MIN_ADDITIONAL_LENGTH = 20;

  private final String iscsiName;
  private final long isid; // -1: format 00b
  private final int additionalLength;

  private IscsiTransportId(String iscsiName, long isid, int additionalLength) {
    this.iscsiName = iscsiName;
    this.isid = isid;
    int needed = (portName(iscsiName, isid).getBytes(StandardCharsets.UTF_8).length + 1 + 3) & ~3;
    this.additionalLength = additionalLength > 0 ? Math.max(additionalLength, needed)
        : Math.max(MIN_ADDITIONAL_LENGTH, needed);
  }

  private static String portName(String name, long isid) {
    return isid >= 0 ? name + SEPARATOR + String.format("%012x", isid) : name;
  }

  /** FORMAT CODE 00b: the initiator device by iSCSI name. */
  public static IscsiTransportId ofName(String iscsiName) {
    return new IscsiTransportId(checkName(iscsiName), -1, 0);
  }

  /** FORMAT CODE 01b: the initiator port by iSCSI name and 48-bit ISID. */
  public static IscsiTransportId ofPort(String iscsiName, long isid) {
    Bytes.checkRange("ISID", isid, 0, 0xFFFF_FFFF_FFFFL);
    return new IscsiTransportId(checkName(iscsiName), isid, 0);
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "iscsiName");
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > MAX_NAME_LENGTH || name.indexOf('\0') >= 0 || name.contains(",")) {
      throw new IllegalArgumentException("invalid iSCSI name: '" + name + "'");
    }
    return name;
  }

  /** The ISCSI NAME field. */
  public String iscsiName() {
    return iscsiName;
  }

  /** Whether this is a FORMAT CODE 01b (initiator port) TransportID. */
  public boolean hasIsid() {
    return isid >= 0;
  }

  /**
   * The ISID.
   *
   * @throws IllegalStateException for FORMAT CODE 00b
   */
  public long isid() {
    if (isid < 0) {
      throw new IllegalStateException("format 00b iSCSI TransportID has no ISID");
    }
    return isid;
  }

  /**
   * The iSCSI initiator port name: {@code name + ",i,0x" + 12 lowercase hex digits} for format
   * 01b, the name alone for format 00b.
   */
  public String portName() {
    return portName(iscsiName, isid);
  }

  @Override
  public int protocolIdentifier() {
    return ProtocolId.ISCSI;
  }

  @Override
  public int formatCode() {
    return hasIsid() ? FORMAT_PORT : FORMAT_DEVICE_NAME;
  }

  /**
   * Encoded length: the decoded length for a decoded TransportID (so that it re-encodes to the
   * same size), else the canonical padded length.
   */
  @Override
  public int encodedLength() {
    return 4 + additionalLength;
  }

  @Override
  public byte[] encode() {
    byte[] text = portName().getBytes(StandardCharsets.UTF_8);
    int al = additionalLength;
    byte[] b = new byte[4 + al];
    b[0] = (byte) (formatCode() << 6 | ProtocolId.ISCSI);
    Bytes.put16(b, 2, al);
    System.arraycopy(text, 0, b, 4, text.length);
    return b;
  }

  /** Decodes an iSCSI TransportID; see the class comment for what is accepted. */
  public static IscsiTransportId decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("iSCSI TransportID header", 4, len);
    int proto = b[off] & 0x0F;
    int format = (b[off] >>> 6) & 3;
    if (proto != ProtocolId.ISCSI) {
      throw new ScsiProtocolException("not an iSCSI TransportID: PROTOCOL IDENTIFIER "
          + Bytes.hex2(proto));
    }
    if (format != FORMAT_DEVICE_NAME && format != FORMAT_PORT) {
      throw new ScsiProtocolException("iSCSI TransportID: reserved FORMAT CODE " + format);
    }
    int al = Bytes.u16(b, off + 2);
    if (4 + al > len) {
      throw new ScsiProtocolException("iSCSI TransportID: ADDITIONAL LENGTH " + al
          + " runs past the " + (len - 4) + " bytes available", 4 + al, len);
    }
    if (al % 4 != 0) {
      throw new ScsiProtocolException("iSCSI TransportID: ADDITIONAL LENGTH " + al
          + " is not a multiple of 4");
    }
    int start = off + 4;
    int nul = -1;
    for (int i = start; i < start + al; i++) {
      if (b[i] == 0) {
        nul = i;
        break;
      }
    }
    if (nul < 0) {
      throw new ScsiProtocolException("iSCSI TransportID: no null terminator within "
          + "ADDITIONAL LENGTH " + al);
    }
    String text = new String(b, start, nul - start, StandardCharsets.UTF_8);
    if (format == FORMAT_DEVICE_NAME) {
      if (text.isEmpty()) {
        throw new ScsiProtocolException("iSCSI TransportID: empty ISCSI NAME");
      }
      return new IscsiTransportId(text, -1, al);
    }
    int sep = text.toLowerCase(Locale.ROOT).indexOf(SEPARATOR);
    if (sep <= 0) {
      throw new ScsiProtocolException("iSCSI TransportID format 01b: no name before a \""
          + SEPARATOR + "\" separator in '" + text + "'");
    }
    String hex = text.substring(sep + SEPARATOR.length());
    if (hex.isEmpty() || hex.length() > 12 || !hex.chars().allMatch(IscsiTransportId::isHex)) {
      throw new ScsiProtocolException("iSCSI TransportID: ISCSI INITIATOR SESSION ID is not 1..12"
          + " hex digits: '" + hex + "'");
    }
    return new IscsiTransportId(text.substring(0, sep), Long.parseLong(hex, 16), al);
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IscsiTransportId && ((IscsiTransportId) o).iscsiName.equals(iscsiName)
        && ((IscsiTransportId) o).isid == isid;
  }

  @Override
  public int hashCode() {
    return iscsiName.hashCode() * 31 + Long.hashCode(isid);
  }

  @Override
  public String toString() {
    return "IscsiTransportId[" + portName() + "]";
  }
}
