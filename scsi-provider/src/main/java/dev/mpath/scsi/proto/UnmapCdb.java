package dev.mpath.scsi.proto;

/**
 * UNMAP CDB (SBC-3), 10 bytes; the data-out is an {@link UnmapParameterList}.
 *
 * <pre>
 * byte 0    OPERATION CODE (42h)
 * byte 1    bit 0 ANCHOR
 * byte 6    GROUP NUMBER 4:0
 * byte 7-8  PARAMETER LIST LENGTH
 * byte 9    CONTROL
 * </pre>
 *
 * @param anchor               ANCHOR bit
 * @param groupNumber          GROUP NUMBER, 0..31
 * @param parameterListLength  PARAMETER LIST LENGTH, 0..65535
 * @param control              CONTROL byte
 */
public record UnmapCdb(boolean anchor, int groupNumber, int parameterListLength, int control)
    implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 10;
  static final int ANCHOR_BYTE = 1;
  static final int GROUP_NUMBER = 6;
  static final int PARAMETER_LIST_LENGTH = 7;
  static final int CONTROL = 9;

  public UnmapCdb {
    Bytes.checkRange("GROUP NUMBER", groupNumber, 0, 0x1F);
    Bytes.checkRange("PARAMETER LIST LENGTH", parameterListLength, 0, 0xFFFF);
    Bytes.checkControl(control);
  }

  /** UNMAP announcing a parameter list of {@code parameterListLength} bytes. */
  public static UnmapCdb of(int parameterListLength) {
    return new UnmapCdb(false, 0, parameterListLength, 0);
  }

  @Override
  public int opcode() {
    return OperationCode.UNMAP;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.UNMAP;
    c[ANCHOR_BYTE] = (byte) (anchor ? 1 : 0);
    c[GROUP_NUMBER] = (byte) groupNumber;
    Bytes.put16(c, PARAMETER_LIST_LENGTH, parameterListLength);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes an UNMAP CDB. */
  public static UnmapCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "UNMAP", OperationCode.UNMAP);
    return new UnmapCdb((b[off + ANCHOR_BYTE] & 1) != 0, b[off + GROUP_NUMBER] & 0x1F,
        Bytes.u16(b, off + PARAMETER_LIST_LENGTH), Bytes.u8(b, off + CONTROL));
  }
}
