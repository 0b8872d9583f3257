package dev.mpath.scsi.proto;

/**
 * Where the LOGICAL BLOCK ADDRESS, the length field (TRANSFER LENGTH, VERIFICATION LENGTH,
 * NUMBER OF LOGICAL BLOCKS, PREFETCH LENGTH) and GROUP NUMBER sit in the typical 10-, 12- and
 * 16-byte CDB formats (SPC-4 4.2.2, tables 3-5) that most SBC-3 medium commands share.
 *
 * <pre>
 * (10): bytes 2-5 LBA | byte 6 GROUP NUMBER 4:0 | bytes 7-8 length    | byte 9 CONTROL
 * (12): bytes 2-5 LBA | bytes 6-9 length        | byte 10 GROUP 4:0   | byte 11 CONTROL
 * (16): bytes 2-9 LBA | bytes 10-13 length      | byte 14 GROUP 4:0   | byte 15 CONTROL
 * </pre>
 *
 * <p>Callers pass a CDB length of 10, 12 or 16; the slice is checked by their decoders.
 */
final class TypicalCdb {
  private TypicalCdb() {}

  static final int FLAGS = 1;
  static final int LBA = 2;
  static final int LENGTH_10 = 7;
  static final int GROUP_10 = 6;
  static final int LENGTH_12 = 6;
  static final int GROUP_12 = 10;
  static final int LENGTH_16 = 10;
  static final int GROUP_16 = 14;

  static long lba(byte[] b, int off, int cdbLength) {
    return cdbLength == 16 ? Bytes.u64(b, off + LBA) : Bytes.u32(b, off + LBA);
  }

  static long length(byte[] b, int off, int cdbLength) {
    switch (cdbLength) {
      case 10:
        return Bytes.u16(b, off + LENGTH_10);
      case 12:
        return Bytes.u32(b, off + LENGTH_12);
      default:
        return Bytes.u32(b, off + LENGTH_16);
    }
  }

  static int group(byte[] b, int off, int cdbLength) {
    return b[off + groupOffset(cdbLength)] & 0x1F;
  }

  static int lengthOffset(int cdbLength) {
    switch (cdbLength) {
      case 10:
        return LENGTH_10;
      case 12:
        return LENGTH_12;
      default:
        return LENGTH_16;
    }
  }

  static int groupOffset(int cdbLength) {
    switch (cdbLength) {
      case 10:
        return GROUP_10;
      case 12:
        return GROUP_12;
      default:
        return GROUP_16;
    }
  }

  /** Encoder checks: the LBA and length fit their fields, GROUP NUMBER and CONTROL too. */
  static void check(int cdbLength, long lba, long length, int group, int control) {
    if (cdbLength != 16) {
      Bytes.checkU32("LOGICAL BLOCK ADDRESS", lba);
    }
    if (cdbLength == 10) {
      Bytes.checkRange("length", length, 0, 0xFFFF);
    } else {
      Bytes.checkU32("length", length);
    }
    Bytes.checkRange("GROUP NUMBER", group, 0, 0x1F);
    Bytes.checkControl(control);
  }

  /** A CDB of {@code cdbLength} bytes with byte 0, byte 1 and the typical fields set. */
  static byte[] encode(int cdbLength, int opcode, int flags, long lba, long length, int group,
      int control) {
    byte[] c = new byte[cdbLength];
    c[0] = (byte) opcode;
    c[FLAGS] = (byte) flags;
    if (cdbLength == 16) {
      Bytes.put64(c, LBA, lba);
    } else {
      Bytes.put32(c, LBA, lba);
    }
    if (cdbLength == 10) {
      Bytes.put16(c, LENGTH_10, (int) length);
    } else {
      Bytes.put32(c, lengthOffset(cdbLength), length);
    }
    c[groupOffset(cdbLength)] = (byte) group;
    c[cdbLength - 1] = (byte) control;
    return c;
  }
}
