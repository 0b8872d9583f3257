package dev.mpath.scsi.proto;

import java.util.Arrays;

/**
 * One sense data descriptor of descriptor-format sense data (SPC-4 4.5.2.1) that
 * {@link SenseData} does not model itself: DESCRIPTOR TYPE plus the bytes after the
 * ADDITIONAL LENGTH byte.
 *
 * @param type  DESCRIPTOR TYPE, 0..255
 * @param data  the descriptor body (ADDITIONAL LENGTH bytes, at most 255)
 */
public record SenseDescriptor(int type, byte[] data) {
  public SenseDescriptor {
    Bytes.checkRange("DESCRIPTOR TYPE", type, 0, 0xFF);
    Bytes.checkRange("ADDITIONAL LENGTH", data.length, 0, 0xFF);
    data = data.clone();
  }

  /** A copy of the body. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Encoded length: 2 header bytes plus the body. */
  public int encodedLength() {
    return 2 + data.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SenseDescriptor && ((SenseDescriptor) o).type == type
        && Arrays.equals(((SenseDescriptor) o).data, data);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "SenseDescriptor[type=" + Bytes.hex2(type) + ", data=" + Bytes.hex(data) + "]";
  }
}
