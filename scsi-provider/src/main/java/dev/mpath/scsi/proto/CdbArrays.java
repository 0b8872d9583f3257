package dev.mpath.scsi.proto;

/**
 * Reusable arrays for the CDBs of one command slot: one each of the fixed lengths (SPC-4
 * 4.2.5: 6, 10, 12 and 16 bytes), so that taking a CDB in allocates nothing on the I/O path;
 * other lengths (variable-length CDBs, an Extended CDB AHS) get a new array.
 *
 * <p>Not thread-safe: one per slot, used by whoever owns the slot.
 */
public final class CdbArrays {
  private final byte[] six = new byte[6];
  private final byte[] ten = new byte[10];
  private final byte[] twelve = new byte[12];
  private final byte[] sixteen = new byte[16];

  /** An array of exactly {@code length} bytes: a reused one for the fixed lengths. */
  public byte[] of(int length) {
    return switch (length) {
      case 6 -> six;
      case 10 -> ten;
      case 12 -> twelve;
      case 16 -> sixteen;
      default -> new byte[length];
    };
  }
}
