package dev.mpath.alua;

/**
 * The SET TARGET PORT GROUPS CDB (SPC-4 6.45): MAINTENANCE OUT with service action 0Ah.
 *
 * <pre>
 * byte 0     OPERATION CODE (A4h)
 * byte 1     bits 7:5 reserved, bits 4:0 SERVICE ACTION (0Ah)
 * bytes 2-5  reserved
 * bytes 6-9  PARAMETER LIST LENGTH
 * byte 10    reserved
 * byte 11    CONTROL
 * </pre>
 *
 * @param parameterListLength bytes of parameter list that follow, 0..2^32-1 (zero is not an
 *     error: nothing is transferred and nothing changes)
 * @param control the CONTROL byte, 0..255
 */
public record SetTargetPortGroupsCdb(long parameterListLength, int control) {
  /** MAINTENANCE OUT operation code (SPC-4 6.45). */
  public static final int OPERATION_CODE = 0xA4;
  /** SET TARGET PORT GROUPS service action (SPC-4 6.45). */
  public static final int SERVICE_ACTION = 0x0A;
  /** CDB length. */
  public static final int LENGTH = 12;

  private static final int SERVICE_ACTION_MASK = 0x1F;
  private static final int PARAMETER_LIST_LENGTH_OFFSET = 6;
  private static final int CONTROL_OFFSET = 11;

  /** Validates the fields. */
  public SetTargetPortGroupsCdb {
    Bytes.checkU32("PARAMETER LIST LENGTH", parameterListLength);
    if (control < 0 || control > 0xFF) {
      throw new IllegalArgumentException("CONTROL is one byte: " + control);
    }
  }

  /** A CDB with CONTROL 0. */
  public static SetTargetPortGroupsCdb of(long parameterListLength) {
    return new SetTargetPortGroupsCdb(parameterListLength, 0);
  }

  /** The 12 CDB bytes. */
  public byte[] encode() {
    byte[] cdb = new byte[LENGTH];
    cdb[0] = (byte) OPERATION_CODE;
    cdb[1] = (byte) SERVICE_ACTION;
    Bytes.putU32(cdb, PARAMETER_LIST_LENGTH_OFFSET, parameterListLength);
    cdb[CONTROL_OFFSET] = (byte) control;
    return cdb;
  }

  /**
   * Decodes a CDB; reserved fields are ignored.
   *
   * @throws AluaProtocolException when the CDB is shorter than 12 bytes or is not MAINTENANCE
   *     OUT / SET TARGET PORT GROUPS
   */
  public static SetTargetPortGroupsCdb decode(byte[] cdb) {
    if (cdb.length < LENGTH) {
      throw new AluaProtocolException(
          "SET TARGET PORT GROUPS CDB needs " + LENGTH + " bytes, got " + cdb.length);
    }
    if (Bytes.u8(cdb, 0) != OPERATION_CODE) {
      throw new AluaProtocolException(
          String.format("operation code 0x%02X is not MAINTENANCE OUT", Bytes.u8(cdb, 0)), 0);
    }
    if ((cdb[1] & SERVICE_ACTION_MASK) != SERVICE_ACTION) {
      throw new AluaProtocolException(
          String.format("service action 0x%02X is not SET TARGET PORT GROUPS",
              cdb[1] & SERVICE_ACTION_MASK), 1);
    }
    return new SetTargetPortGroupsCdb(
        Bytes.u32(cdb, PARAMETER_LIST_LENGTH_OFFSET), Bytes.u8(cdb, CONTROL_OFFSET));
  }
}
