package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;

/**
 * One Namespace Identification Descriptor (NVMe Base 2.0): byte 00 NIDT (type), byte 01 NIDL
 * (length of NID), bytes 03:02 reserved, then NIDL bytes of NID.
 *
 * <p>Known types have fixed lengths: EUI64 (1h, 8), NGUID (2h, 16), UUID (3h, 16), CSI (4h,
 * 1). Other types are kept raw. The value array is copied in and out.
 *
 * @param type NIDT, 1..255
 * @param value NID, 1..255 bytes
 */
public record NamespaceIdDescriptor(int type, byte[] value) {

  /** NIDT 1h: IEEE Extended Unique Identifier. */
  public static final int NIDT_EUI64 = 1;
  /** NIDT 2h: Namespace Globally Unique Identifier. */
  public static final int NIDT_NGUID = 2;
  /** NIDT 3h: Namespace UUID. */
  public static final int NIDT_UUID = 3;
  /** NIDT 4h: Command Set Identifier. */
  public static final int NIDT_CSI = 4;
  /** Bytes of descriptor header before NID. */
  public static final int HEADER_LENGTH = 4;

  /** Validates and copies. */
  public NamespaceIdDescriptor {
    Le.checkRange("NIDT", type, 1, 0xFF);
    value = value.clone();
    Le.checkRange("NIDL", value.length, 1, 0xFF);
    int expected = expectedLength(type);
    if (expected > 0 && value.length != expected) {
      throw new IllegalArgumentException(
          "NIDT " + type + " needs NIDL " + expected + ", not " + value.length);
    }
  }

  /** The NIDL a known NIDT requires, or -1 for other types. */
  public static int expectedLength(int nidt) {
    switch (nidt) {
      case NIDT_EUI64:
        return 8;
      case NIDT_NGUID:
      case NIDT_UUID:
        return 16;
      case NIDT_CSI:
        return 1;
      default:
        return -1;
    }
  }

  /** An EUI64 descriptor. */
  public static NamespaceIdDescriptor eui64(byte[] eui64) {
    return new NamespaceIdDescriptor(NIDT_EUI64, eui64);
  }

  /** An NGUID descriptor. */
  public static NamespaceIdDescriptor nguid(byte[] nguid) {
    return new NamespaceIdDescriptor(NIDT_NGUID, nguid);
  }

  /** A UUID descriptor (the 16 bytes in network order: most significant first). */
  public static NamespaceIdDescriptor uuid(UUID uuid) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return new NamespaceIdDescriptor(NIDT_UUID, b.array());
  }

  /** A CSI descriptor. */
  public static NamespaceIdDescriptor csi(int csi) {
    Le.checkRange("CSI", csi, 0, 0xFF);
    return new NamespaceIdDescriptor(NIDT_CSI, new byte[] {(byte) csi});
  }

  /** A copy of NID. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** NIDL. */
  public int length() {
    return value.length;
  }

  /** Header plus NID. */
  public int encodedLength() {
    return HEADER_LENGTH + value.length;
  }

  /** The UUID of a {@link #NIDT_UUID} descriptor. */
  public UUID asUuid() {
    if (type != NIDT_UUID) {
      throw new IllegalStateException("not a UUID descriptor: NIDT " + type);
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    return new UUID(b.getLong(0), b.getLong(8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamespaceIdDescriptor
        && ((NamespaceIdDescriptor) o).type == type
        && Arrays.equals(((NamespaceIdDescriptor) o).value, value);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "NamespaceIdDescriptor[nidt=" + type + " nid=" + Le.hex(value) + "]";
  }
}
