package dev.mpath.alua;

import java.util.List;

/**
 * SET TARGET PORT GROUPS parameter list (SPC-4 6.45): 4 reserved bytes, then 4-byte set
 * target port group descriptors.
 *
 * <pre>
 * bytes 0-3  reserved
 * bytes 4-   set target port group descriptors ({@link StpgDescriptor})
 * </pre>
 *
 * @param descriptors the requested changes, in order
 */
public record StpgParameterList(List<StpgDescriptor> descriptors) {
  /** Length of the reserved header. */
  public static final int HEADER_LENGTH = 4;

  /** Copies the list. */
  public StpgParameterList {
    descriptors = List.copyOf(descriptors);
  }

  /** A list of the given descriptors. */
  public static StpgParameterList of(StpgDescriptor... descriptors) {
    return new StpgParameterList(List.of(descriptors));
  }

  /** Encoded length: 4 + 4 per descriptor. */
  public int encodedLength() {
    return HEADER_LENGTH + StpgDescriptor.LENGTH * descriptors.size();
  }

  /** The parameter list bytes. */
  public byte[] encode() {
    byte[] buf = new byte[encodedLength()];
    int off = HEADER_LENGTH;
    for (StpgDescriptor d : descriptors) {
      d.encodeInto(buf, off);
      off += StpgDescriptor.LENGTH;
    }
    return buf;
  }

  /**
   * Whether {@code length} is a well-formed parameter list length: zero (nothing transferred,
   * not an error per SPC-4 6.45), or the header plus whole descriptors.
   */
  public static boolean isValidLength(int length) {
    return length == 0
        || (length >= HEADER_LENGTH && (length - HEADER_LENGTH) % StpgDescriptor.LENGTH == 0);
  }

  /** Decodes the whole array; see {@link #decode(byte[], int)}. */
  public static StpgParameterList decode(byte[] data) {
    return decode(data, data.length);
  }

  /**
   * Decodes the first {@code length} bytes. A zero length gives an empty list.
   *
   * @throws AluaProtocolException when the header or a descriptor is truncated
   *     ({@link #isValidLength(int)} is false), or a state code is reserved (with the field
   *     offset)
   */
  public static StpgParameterList decode(byte[] data, int length) {
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException(
          "length " + length + " outside the " + data.length + "-byte buffer");
    }
    if (length == 0) {
      return new StpgParameterList(List.of());
    }
    if (length < HEADER_LENGTH) {
      throw new AluaProtocolException("STPG parameter list of " + length
          + " bytes is shorter than its 4-byte header");
    }
    int tail = (length - HEADER_LENGTH) % StpgDescriptor.LENGTH;
    if (tail != 0) {
      throw new AluaProtocolException("set target port group descriptor at offset "
          + (length - tail) + " truncated: " + tail + " of " + StpgDescriptor.LENGTH
          + " bytes", length - tail);
    }
    int count = (length - HEADER_LENGTH) / StpgDescriptor.LENGTH;
    StpgDescriptor[] out = new StpgDescriptor[count];
    for (int i = 0; i < count; i++) {
      out[i] = StpgDescriptor.decode(data, HEADER_LENGTH + i * StpgDescriptor.LENGTH);
    }
    return new StpgParameterList(List.of(out));
  }
}
