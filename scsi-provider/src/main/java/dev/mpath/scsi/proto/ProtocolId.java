package dev.mpath.scsi.proto;

/**
 * PROTOCOL IDENTIFIER values (SPC-4 7.6.1, table "PROTOCOL IDENTIFIER values"), used by
 * designation descriptors with PIV set and by TransportIDs.
 */
public final class ProtocolId {
  private ProtocolId() {}

  public static final int FCP = 0x0;
  public static final int SPI = 0x1;
  public static final int SSA = 0x2;
  public static final int SBP = 0x3;
  public static final int SRP = 0x4;
  public static final int ISCSI = 0x5;
  public static final int SAS = 0x6;
  public static final int ADT = 0x7;
  public static final int ATA = 0x8;
  public static final int UAS = 0x9;
  public static final int SOP = 0xA;
  public static final int PCIE = 0xB;
  public static final int NONE = 0xF;

  /** Short protocol name, e.g. {@code "iSCSI"}. */
  public static String name(int id) {
    switch (id) {
      case FCP: return "FCP";
      case SPI: return "SPI";
      case SSA: return "SSA";
      case SBP: return "SBP";
      case SRP: return "SRP";
      case ISCSI: return "iSCSI";
      case SAS: return "SAS";
      case ADT: return "ADT";
      case ATA: return "ATA";
      case UAS: return "UAS";
      case SOP: return "SOP";
      case PCIE: return "PCIe";
      case NONE: return "none";
      default: return "reserved " + Bytes.hex2(id);
    }
  }
}
