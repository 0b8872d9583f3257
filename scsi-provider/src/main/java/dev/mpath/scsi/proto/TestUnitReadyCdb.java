package dev.mpath.scsi.proto;

/**
 * TEST UNIT READY CDB (SPC-4), 6 bytes: OPERATION CODE 00h, four reserved bytes, CONTROL.
 *
 * @param control CONTROL byte
 */
public record TestUnitReadyCdb(int control) implements Cdb {
  /** CDB length. */
  public static final int LENGTH = 6;

  public TestUnitReadyCdb {
    Bytes.checkControl(control);
  }

  /** TEST UNIT READY with a zero CONTROL byte. */
  public TestUnitReadyCdb() {
    this(0);
  }

  @Override
  public int opcode() {
    return OperationCode.TEST_UNIT_READY;
  }

  @Override
  public byte[] toBytes() {
    byte[] c = new byte[LENGTH];
    c[5] = (byte) control;
    return c;
  }

  /** Decodes a TEST UNIT READY CDB. */
  public static TestUnitReadyCdb decode(byte[] b, int off, int len) {
    Bytes.checkCdb(b, off, len, LENGTH, "TEST UNIT READY", OperationCode.TEST_UNIT_READY);
    return new TestUnitReadyCdb(Bytes.u8(b, off + 5));
  }
}
