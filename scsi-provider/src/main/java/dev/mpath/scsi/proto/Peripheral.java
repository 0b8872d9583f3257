package dev.mpath.scsi.proto;

/**
 * Byte 0 of standard INQUIRY data and of every VPD page (SPC-4 6.6.2): PERIPHERAL QUALIFIER
 * (bits 7:5) and PERIPHERAL DEVICE TYPE (bits 4:0).
 *
 * @param qualifier   PERIPHERAL QUALIFIER, 0..7
 * @param deviceType  PERIPHERAL DEVICE TYPE, 0..31
 */
public record Peripheral(int qualifier, int deviceType) {
  /** Qualifier 000b: a device of the given type is connected to this logical unit. */
  public static final int QUALIFIER_CONNECTED = 0;
  /** Qualifier 001b: capable of supporting the device type, but not connected now. */
  public static final int QUALIFIER_NOT_CONNECTED = 1;
  /** Qualifier 011b: no logical unit at this LUN (device type then 1Fh). */
  public static final int QUALIFIER_NOT_SUPPORTED = 3;

  /** Direct access block device (SBC-3). */
  public static final int TYPE_DIRECT_ACCESS_BLOCK = 0x00;
  /** Enclosure services device. */
  public static final int TYPE_ENCLOSURE = 0x0D;
  /** Well known logical unit. */
  public static final int TYPE_WELL_KNOWN_LU = 0x1E;
  /** Unknown or no device type. */
  public static final int TYPE_UNKNOWN = 0x1F;

  /** A connected direct-access block device: byte 00h. */
  public static final Peripheral DISK = new Peripheral(QUALIFIER_CONNECTED, TYPE_DIRECT_ACCESS_BLOCK);
  /** No logical unit at this LUN: byte 7Fh (SPC-4 6.6.2, what INQUIRY to an absent LUN returns). */
  public static final Peripheral NO_LOGICAL_UNIT = new Peripheral(QUALIFIER_NOT_SUPPORTED, TYPE_UNKNOWN);

  public Peripheral {
    Bytes.checkRange("PERIPHERAL QUALIFIER", qualifier, 0, 7);
    Bytes.checkRange("PERIPHERAL DEVICE TYPE", deviceType, 0, 0x1F);
  }

  /** Decodes the byte. */
  public static Peripheral fromByte(int b) {
    return new Peripheral((b >>> 5) & 7, b & 0x1F);
  }

  /** Encodes the byte. */
  public int toByte() {
    return qualifier << 5 | deviceType;
  }
}
