package dev.mpath.scsi.proto;

/**
 * PERSISTENT RESERVE OUT CDB (SPC-4), 10 bytes.
 *
 * <pre>
 * byte 0    OPERATION CODE (5Fh)
 * byte 1    bits 4:0 SERVICE ACTION ({@link PrOutServiceAction})
 * byte 2    bits 7:4 SCOPE, bits 3:0 TYPE ({@link PrType})
 * byte 5-8  PARAMETER LIST LENGTH
 * byte 9    CONTROL
 * </pre>
 *
 * <p>SCOPE and TYPE are ignored by REGISTER, REGISTER AND IGNORE EXISTING KEY and CLEAR; they
 * are kept as numbers so that a reserved value still decodes (the device server rejects it).
 *
 * @param serviceAction        SERVICE ACTION code, 0..31
 * @param scope                SCOPE, 0..15 ({@link #SCOPE_LU} is the only one SPC-4 defines)
 * @param type                 TYPE code, 0..15
 * @param parameterListLength  PARAMETER LIST LENGTH, unsigned 32 bits (24 for the basic list)
 * @param control              CONTROL byte
 */
public record PersistentReserveOutCdb(int serviceAction, int scope, int type,
    long parameterListLength, int control) implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 10;
  /** SCOPE LU_SCOPE (SPC-4, READ RESERVATION SCOPE field). */
  public static final int SCOPE_LU = 0;
  static final int SERVICE_ACTION = 1;
  static final int SCOPE_TYPE = 2;
  static final int PARAMETER_LIST_LENGTH = 5;
  static final int CONTROL = 9;

  public PersistentReserveOutCdb {
    Bytes.checkRange("SERVICE ACTION", serviceAction, 0, 0x1F);
    Bytes.checkRange("SCOPE", scope, 0, 0xF);
    Bytes.checkRange("TYPE", type, 0, 0xF);
    Bytes.checkU32("PARAMETER LIST LENGTH", parameterListLength);
    Bytes.checkControl(control);
  }

  /**
   * A PR OUT CDB with LU_SCOPE; {@code type} may be null for service actions that ignore it.
   */
  public static PersistentReserveOutCdb of(PrOutServiceAction action, PrType type,
      long parameterListLength) {
    return new PersistentReserveOutCdb(action.code(), SCOPE_LU, type == null ? 0 : type.code(),
        parameterListLength, 0);
  }

  /** The service action as an enum; a reserved code is a {@link ScsiProtocolException}. */
  public PrOutServiceAction action() {
    return PrOutServiceAction.fromCode(serviceAction);
  }

  /** The TYPE as an enum; a reserved code is a {@link ScsiProtocolException}. */
  public PrType prType() {
    return PrType.fromCode(type);
  }

  @Override
  public int opcode() {
    return OperationCode.PERSISTENT_RESERVE_OUT;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[0] = (byte) OperationCode.PERSISTENT_RESERVE_OUT;
    c[SERVICE_ACTION] = (byte) serviceAction;
    c[SCOPE_TYPE] = (byte) (scope << 4 | type);
    Bytes.put32(c, PARAMETER_LIST_LENGTH, parameterListLength);
    c[CONTROL] = (byte) control;
    return c;
  }

  /** Decodes a PERSISTENT RESERVE OUT CDB. */
  public static PersistentReserveOutCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "PERSISTENT RESERVE OUT",
        OperationCode.PERSISTENT_RESERVE_OUT);
    int st = Bytes.u8(b, off + SCOPE_TYPE);
    return new PersistentReserveOutCdb(b[off + SERVICE_ACTION] & 0x1F, st >>> 4, st & 0xF,
        Bytes.u32(b, off + PARAMETER_LIST_LENGTH), Bytes.u8(b, off + CONTROL));
  }
}
