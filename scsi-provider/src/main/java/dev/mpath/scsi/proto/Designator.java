package dev.mpath.scsi.proto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One designation descriptor of the Device Identification VPD page (SPC-4 7.8.6.1).
 *
 * <pre>
 * byte 0    bits 7:4 PROTOCOL IDENTIFIER, bits 3:0 CODE SET
 * byte 1    bit 7 PIV, bits 5:4 ASSOCIATION, bits 3:0 DESIGNATOR TYPE
 * byte 3    DESIGNATOR LENGTH (n-3)
 * byte 4-n  DESIGNATOR
 * </pre>
 *
 * <p>The canonical constructor accepts any content (that is what a decoder sees from a peer);
 * the static factories build well-formed designators of each type and reject malformed
 * arguments. The typed accessors ({@link #relativeTargetPortId()}, {@link #uuid()}, ...) throw
 * {@link ScsiProtocolException} when a decoded designator does not have its type's layout.
 *
 * <p>{@link #wwid()} renders the Linux sysfs {@code wwid} text: {@code naa.<hex>} (8 or 16
 * bytes), {@code eui.<hex>} (8, 12 or 16 bytes), {@code t10.<text>}, the SCSI name string
 * itself, {@code uuid.<canonical uuid>}; lowercase hex.
 *
 * @param protocolIdentifier PROTOCOL IDENTIFIER, 0..15 (meaningful only with PIV set)
 * @param codeSet            CODE SET
 * @param piv                PIV: the protocol identifier is valid
 * @param association        ASSOCIATION
 * @param type               DESIGNATOR TYPE
 * @param value              DESIGNATOR bytes, at most 255
 */
public record Designator(int protocolIdentifier, CodeSet codeSet, boolean piv,
    Association association, DesignatorType type, byte[] value) {

  /** Header bytes before the designator. */
  public static final int HEADER_LENGTH = 4;
  /** Largest DESIGNATOR LENGTH. */
  public static final int MAX_LENGTH = 255;
  /** UUID TYPE 1h: locally assigned RFC 4122 UUID (SPC-5 UUID designator byte 0 bits 7:4). */
  public static final int UUID_TYPE_LOCALLY_ASSIGNED = 1;

  public Designator {
    Bytes.checkRange("PROTOCOL IDENTIFIER", protocolIdentifier, 0, 0xF);
    Objects.requireNonNull(codeSet, "codeSet");
    Objects.requireNonNull(association, "association");
    Objects.requireNonNull(type, "type");
    Bytes.checkRange("DESIGNATOR LENGTH", value.length, 0, MAX_LENGTH);
    value = value.clone();
  }

  // ---------------------------------------------------------------- factories

  /** NAA designator for the logical unit. */
  public static Designator naa(byte[] id) {
    return naa(id, Association.LOGICAL_UNIT);
  }

  /**
   * NAA designator (binary). The NAA field (high nibble of byte 0) must be 2 (IEEE extended,
   * 8 bytes), 3 (locally assigned, 8), 5 (IEEE registered, 8) or 6 (IEEE registered extended, 16).
   */
  public static Designator naa(byte[] id, Association association) {
    if (id.length == 0) {
      throw new IllegalArgumentException("empty NAA designator");
    }
    int naa = (id[0] & 0xFF) >>> 4;
    int expected = switch (naa) {
      case 2, 3, 5 -> 8;
      case 6 -> 16;
      default -> throw new IllegalArgumentException("unsupported NAA " + naa);
    };
    if (id.length != expected) {
      throw new IllegalArgumentException(
          "NAA " + naa + " designator must be " + expected + " bytes, got " + id.length);
    }
    return new Designator(0, CodeSet.BINARY, false, association, DesignatorType.NAA, id);
  }

  /** EUI-64 based designator for the logical unit: 8, 12 or 16 bytes. */
  public static Designator eui64(byte[] id) {
    if (id.length != 8 && id.length != 12 && id.length != 16) {
      throw new IllegalArgumentException("EUI-64 designator must be 8, 12 or 16 bytes, got "
          + id.length);
    }
    return new Designator(0, CodeSet.BINARY, false, Association.LOGICAL_UNIT,
        DesignatorType.EUI_64, id);
  }

  /**
   * T10 vendor ID based designator for the logical unit (ASCII): T10 VENDOR IDENTIFICATION
   * space padded to 8 bytes, then the vendor specific identifier.
   */
  public static Designator t10VendorId(String vendorId, String vendorSpecific) {
    byte[] vs = Bytes.printableAscii(vendorSpecific, "VENDOR SPECIFIC IDENTIFIER");
    byte[] v = new byte[8 + vs.length];
    Bytes.putAsciiField(v, 0, 8, vendorId, "T10 VENDOR IDENTIFICATION");
    System.arraycopy(vs, 0, v, 8, vs.length);
    return new Designator(0, CodeSet.ASCII, false, Association.LOGICAL_UNIT,
        DesignatorType.T10_VENDOR_ID, v);
  }

  /**
   * SCSI name string designator (UTF-8): the name must start with {@code iqn.}, {@code eui.} or
   * {@code naa.}; it is null terminated and null padded to a multiple of four bytes (at most 252).
   */
  public static Designator scsiNameString(String name, Association association) {
    if (!(name.startsWith("iqn.") || name.startsWith("eui.") || name.startsWith("naa."))) {
      throw new IllegalArgumentException("SCSI name string must start with iqn., eui. or naa.: "
          + name);
    }
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("SCSI name string contains NUL");
    }
    byte[] u = name.getBytes(StandardCharsets.UTF_8);
    int n = (u.length + 1 + 3) & ~3;
    if (n > 252) {
      throw new IllegalArgumentException("SCSI name string too long: " + u.length + " bytes");
    }
    return new Designator(0, CodeSet.UTF8, false, association, DesignatorType.SCSI_NAME_STRING,
        Arrays.copyOf(u, n));
  }

  /** Relative target port designator (target port association), identifier 1..65535. */
  public static Designator relativeTargetPort(int relativePortId) {
    Bytes.checkRange("RELATIVE TARGET PORT IDENTIFIER", relativePortId, 1, 0xFFFF);
    return new Designator(0, CodeSet.BINARY, false, Association.TARGET_PORT,
        DesignatorType.RELATIVE_TARGET_PORT, twoByteId(relativePortId));
  }

  /** Target port group designator (target port association), 0..65535. */
  public static Designator targetPortGroup(int group) {
    Bytes.checkRange("TARGET PORT GROUP", group, 0, 0xFFFF);
    return new Designator(0, CodeSet.BINARY, false, Association.TARGET_PORT,
        DesignatorType.TARGET_PORT_GROUP, twoByteId(group));
  }

  /** Logical unit group designator (logical unit association), 0..65535. */
  public static Designator logicalUnitGroup(int group) {
    Bytes.checkRange("LOGICAL UNIT GROUP", group, 0, 0xFFFF);
    return new Designator(0, CodeSet.BINARY, false, Association.LOGICAL_UNIT,
        DesignatorType.LOGICAL_UNIT_GROUP, twoByteId(group));
  }

  /** MD5 logical unit identifier designator, 16 bytes. */
  public static Designator md5(byte[] digest) {
    if (digest.length != 16) {
      throw new IllegalArgumentException("MD5 designator must be 16 bytes, got " + digest.length);
    }
    return new Designator(0, CodeSet.BINARY, false, Association.LOGICAL_UNIT,
        DesignatorType.MD5_LOGICAL_UNIT, digest);
  }

  /**
   * UUID designator for the logical unit (SPC-5): byte 0 bits 7:4 UUID TYPE 1h (locally
   * assigned), byte 1 reserved, bytes 2-17 the UUID.
   */
  public static Designator uuid(UUID uuid) {
    ByteBuffer bb = ByteBuffer.allocate(18);
    bb.put((byte) (UUID_TYPE_LOCALLY_ASSIGNED << 4)).put((byte) 0);
    bb.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return new Designator(0, CodeSet.BINARY, false, Association.LOGICAL_UNIT,
        DesignatorType.UUID, bb.array());
  }

  /** Vendor specific designator. */
  public static Designator vendorSpecific(CodeSet codeSet, Association association, byte[] v) {
    return new Designator(0, codeSet, false, association, DesignatorType.VENDOR_SPECIFIC, v);
  }

  /** Protocol specific port identifier (PIV set, target port association). */
  public static Designator protocolSpecificPort(int protocolIdentifier, byte[] v) {
    return new Designator(protocolIdentifier, CodeSet.BINARY, true, Association.TARGET_PORT,
        DesignatorType.PROTOCOL_SPECIFIC_PORT, v);
  }

  /** This designator with PIV set and the given PROTOCOL IDENTIFIER. */
  public Designator withProtocolIdentifier(int protocolId) {
    return new Designator(protocolId, codeSet, true, association, type, value);
  }

  private static byte[] twoByteId(int id) {
    byte[] v = new byte[4];
    Bytes.put16(v, 2, id);
    return v;
  }

  // ---------------------------------------------------------------- accessors

  /** A copy of the DESIGNATOR bytes. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** DESIGNATOR LENGTH. */
  public int length() {
    return value.length;
  }

  /** Encoded length including the 4-byte header. */
  public int encodedLength() {
    return HEADER_LENGTH + value.length;
  }

  /** The NAA field (high nibble of the first designator byte). */
  public int naaType() {
    requireType(DesignatorType.NAA, -1);
    if (value.length == 0) {
      throw new ScsiProtocolException("empty NAA designator");
    }
    return (value[0] & 0xFF) >>> 4;
  }

  /** RELATIVE TARGET PORT IDENTIFIER (bytes 2-3 of a 4-byte relative target port designator). */
  public int relativeTargetPortId() {
    requireType(DesignatorType.RELATIVE_TARGET_PORT, 4);
    return Bytes.u16(value, 2);
  }

  /** TARGET PORT GROUP (bytes 2-3 of a 4-byte target port group designator). */
  public int targetPortGroupId() {
    requireType(DesignatorType.TARGET_PORT_GROUP, 4);
    return Bytes.u16(value, 2);
  }

  /** LOGICAL UNIT GROUP (bytes 2-3 of a 4-byte logical unit group designator). */
  public int logicalUnitGroupId() {
    requireType(DesignatorType.LOGICAL_UNIT_GROUP, 4);
    return Bytes.u16(value, 2);
  }

  /** The UUID of an 18-byte UUID designator. */
  public UUID uuid() {
    requireType(DesignatorType.UUID, 18);
    return new UUID(Bytes.u64(value, 2), Bytes.u64(value, 10));
  }

  /**
   * The designator as text for ASCII and UTF-8 code sets, up to the first NUL (ISO-8859-1 for
   * ASCII so no byte is lost); empty for binary designators.
   */
  public Optional<String> text() {
    if (codeSet != CodeSet.ASCII && codeSet != CodeSet.UTF8) {
      return Optional.empty();
    }
    int end = 0;
    while (end < value.length && value[end] != 0) {
      end++;
    }
    return Optional.of(new String(value, 0, end,
        codeSet == CodeSet.UTF8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
  }

  /**
   * The Linux sysfs {@code wwid} text of this designator, empty for types that have none
   * (relative port, port group, logical unit group, MD5, vendor or protocol specific) or a
   * length that form does not allow. T10 text is escaped as Linux {@code %pE} does for
   * non-printable bytes ({@code \0}, {@code \n}..., else octal {@code \ooo}).
   */
  public Optional<String> wwid() {
    switch (type) {
      case NAA:
        return value.length == 8 || value.length == 16
            ? Optional.of("naa." + Bytes.hex(value)) : Optional.empty();
      case EUI_64:
        return value.length == 8 || value.length == 12 || value.length == 16
            ? Optional.of("eui." + Bytes.hex(value)) : Optional.empty();
      case T10_VENDOR_ID:
        return Optional.of("t10." + escape(value));
      case SCSI_NAME_STRING: {
        int end = 0;
        while (end < value.length && value[end] != 0) {
          end++;
        }
        return end == 0 ? Optional.empty()
            : Optional.of(new String(value, 0, end, StandardCharsets.UTF_8));
      }
      case UUID:
        return value.length == 18 ? Optional.of("uuid." + uuid()) : Optional.empty();
      default:
        return Optional.empty();
    }
  }

  private static String escape(byte[] v) {
    StringBuilder sb = new StringBuilder(v.length);
    for (byte x : v) {
      int c = x & 0xFF;
      if (c >= 0x20 && c < 0x7F) {
        sb.append((char) c);
        continue;
      }
      switch (c) {
        case 0x00: sb.append("\\0"); break;
        case 0x07: sb.append("\\a"); break;
        case 0x09: sb.append("\\t"); break;
        case 0x0A: sb.append("\\n"); break;
        case 0x0B: sb.append("\\v"); break;
        case 0x0C: sb.append("\\f"); break;
        case 0x0D: sb.append("\\r"); break;
        case 0x1B: sb.append("\\e"); break;
        default:
          sb.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
              .append((char) ('0' + (c & 7)));
      }
    }
    return sb.toString();
  }

  private void requireType(DesignatorType t, int len) {
    if (type != t) {
      throw new IllegalStateException("designator is " + type + ", not " + t);
    }
    if (len >= 0 && value.length != len) {
      throw new ScsiProtocolException(t + " designator must be " + len + " bytes, got "
          + value.length, len, value.length);
    }
  }

  // ---------------------------------------------------------------- codec

  /** Writes the descriptor at {@code b[off]}; returns the bytes written. */
  public int encodeInto(byte[] b, int off) {
    b[off] = (byte) (protocolIdentifier << 4 | codeSet.code());
    b[off + 1] = (byte) ((piv ? 0x80 : 0) | association.code() << 4 | type.code());
    b[off + 2] = 0;
    b[off + 3] = (byte) value.length;
    System.arraycopy(value, 0, b, off + HEADER_LENGTH, value.length);
    return encodedLength();
  }

  /** The encoded designation descriptor. */
  public byte[] encode() {
    byte[] b = new byte[encodedLength()];
    encodeInto(b, 0);
    return b;
  }

  /**
   * Decodes one designation descriptor from {@code b[off, off+len)}; {@code len} bounds the
   * descriptor (the rest of the page). Use {@link #encodedLength()} to step to the next one.
   *
   * @throws ScsiProtocolException if the header or the DESIGNATOR LENGTH runs past {@code len}
   */
  public static Designator decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("designation descriptor header", HEADER_LENGTH, len);
    int dl = Bytes.u8(b, off + 3);
    if (HEADER_LENGTH + dl > len) {
      throw new ScsiProtocolException("designation descriptor: DESIGNATOR LENGTH " + dl
          + " runs past the end of the page (" + (len - HEADER_LENGTH) + " bytes left)",
          HEADER_LENGTH + dl, len);
    }
    int b0 = Bytes.u8(b, off);
    int b1 = Bytes.u8(b, off + 1);
    return new Designator(b0 >>> 4, CodeSet.fromCode(b0 & 0xF), (b1 & 0x80) != 0,
        Association.fromCode((b1 >>> 4) & 3), DesignatorType.fromCode(b1 & 0xF),
        Bytes.copy(b, off + HEADER_LENGTH, dl));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Designator)) {
      return false;
    }
    Designator d = (Designator) o;
    return protocolIdentifier == d.protocolIdentifier && codeSet == d.codeSet && piv == d.piv
        && association == d.association && type == d.type && Arrays.equals(value, d.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocolIdentifier, codeSet, piv, association, type)
        * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Designator[" + type + ", " + association + ", " + codeSet
        + (piv ? ", protocol=" + ProtocolId.name(protocolIdentifier) : "") + ", "
        + wwid().orElse(Bytes.hex(value)) + "]";
  }
}
