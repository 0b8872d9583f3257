package dev.mpath.alua;

/**
 * One set target port group descriptor of a SET TARGET PORT GROUPS parameter list
 * (SPC-4 6.45).
 *
 * <pre>
 * byte 0     bits 7:4 reserved, bits 3:0 ASYMMETRIC ACCESS STATE
 * byte 1     reserved
 * bytes 2-3  TARGET PORT GROUP
 * </pre>
 *
 * The codec accepts every defined state code; whether a state may be requested (never
 * transitioning, and only a supported one) is the device server's decision.
 *
 * @param state the requested asymmetric access state
 * @param targetPortGroup the TARGET PORT GROUP identifier, 0..65535
 */
public record StpgDescriptor(AluaState state, int targetPortGroup) {
  /** Descriptor length. */
  public static final int LENGTH = 4;

  static final int STATE_MASK = 0x0F;
  static final int TARGET_PORT_GROUP_OFFSET = 2;

  /** Validates the fields. */
  public StpgDescriptor {
    if (state == null) {
      throw new NullPointerException("state");
    }
    Bytes.checkU16("TARGET PORT GROUP", targetPortGroup);
  }

  void encodeInto(byte[] buf, int off) {
    buf[off] = (byte) state.code();
    Bytes.putU16(buf, off + TARGET_PORT_GROUP_OFFSET, targetPortGroup);
  }

  /** Reads a descriptor; the caller guarantees 4 bytes at {@code off}. */
  static StpgDescriptor decode(byte[] buf, int off) {
    AluaState state = AluaState.fromCode(buf[off] & STATE_MASK, off);
    return new StpgDescriptor(state, Bytes.u16(buf, off + TARGET_PORT_GROUP_OFFSET));
  }
}
