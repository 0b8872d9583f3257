package dev.mpath.scsi.proto;

import java.util.Arrays;

/**
 * Any CDB this package has no record for (MAINTENANCE IN/OUT, MODE SENSE, vendor commands...):
 * the raw bytes plus what can be read generically: OPERATION CODE, SERVICE ACTION (byte 1 bits
 * 4:0 for {@link OperationCode#hasServiceActionInByte1 the opcodes that have one}, bytes 8-9 of a
 * variable-length CDB) and CONTROL.
 *
 * <p>The bytes kept are exactly the CDB: the group-code length (SPC-4 4.2.5.1), 8 + ADDITIONAL
 * CDB LENGTH for 7Fh, or everything given (at most {@link OperationCode#MAX_CDB_LENGTH}) when
 * the group is reserved or vendor specific.
 */
public record GenericCdb(byte[] bytes) implements Cdb {

  public GenericCdb {
    if (bytes.length == 0 || bytes.length > OperationCode.MAX_CDB_LENGTH) {
      throw new IllegalArgumentException("CDB length out of range: " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /** A copy of the CDB bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public int opcode() {
    return bytes[0] & 0xFF;
  }

  @Override
  public int serviceAction() {
    int op = opcode();
    if (OperationCode.hasServiceActionInByte1(op) && bytes.length > 1) {
      return bytes[1] & 0x1F;
    }
    if (op == OperationCode.VARIABLE_LENGTH && bytes.length >= 10) {
      return Bytes.u16(bytes, 8);
    }
    return -1;
  }

  @Override
  public int control() {
    if (opcode() == OperationCode.VARIABLE_LENGTH) {
      return bytes.length > 1 ? bytes[1] & 0xFF : 0; // SPC-4 4.2.4: CONTROL is byte 1
    }
    return bytes[bytes.length - 1] & 0xFF;
  }

  @Override
  public int length() {
    return bytes.length;
  }

  @Override
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Decodes the CDB at {@code b[off, off+len)}, see the class comment for its length. */
  public static GenericCdb decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("CDB", 1, len);
    int op = Bytes.u8(b, off);
    int n = OperationCode.cdbLength(op);
    if (op == OperationCode.VARIABLE_LENGTH) {
      Bytes.need("VARIABLE LENGTH CDB header", 8, len);
      n = 8 + Bytes.u8(b, off + 7); // SPC-4 4.2.4: byte 7 ADDITIONAL CDB LENGTH
      if (n > OperationCode.MAX_CDB_LENGTH) {
        throw new ScsiProtocolException("VARIABLE LENGTH CDB: ADDITIONAL CDB LENGTH " + (n - 8)
            + " makes it longer than " + OperationCode.MAX_CDB_LENGTH + " bytes",
            OperationCode.MAX_CDB_LENGTH, n);
      }
    } else if (n < 0) {
      n = Math.min(len, OperationCode.MAX_CDB_LENGTH);
    }
    Bytes.need(OperationCode.name(op) + " CDB", n, len);
    return new GenericCdb(Bytes.copy(b, off, n));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenericCdb && Arrays.equals(bytes, ((GenericCdb) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "GenericCdb[" + OperationCode.name(opcode()) + ", " + Bytes.hex(bytes) + "]";
  }
}
