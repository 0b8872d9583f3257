package dev.mpath.alua;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * REPORT TARGET PORT GROUPS parameter data (SPC-4 6.37) in either format.
 *
 * <pre>
 * length-only header                 extended header
 * bytes 0-3  RETURN DATA LENGTH      bytes 0-3  RETURN DATA LENGTH
 * bytes 4-   descriptors             byte 4     bits 6:4 FORMAT TYPE (001b)
 *                                    byte 5     IMPLICIT TRANSITION TIME (seconds)
 *                                    bytes 6-7  reserved
 *                                    bytes 8-   descriptors
 * </pre>
 *
 * RETURN DATA LENGTH counts the bytes that follow it (total length - 4), extended header
 * bytes 4-7 included. Linux LIO leaves bytes 4-7 out of it, so its extended-header answers
 * end 4 bytes early, inside the last descriptor; {@link #decode(byte[], int)} keeps what fits
 * and says so in {@link #truncated()}.
 *
 * @param format header format
 * @param implicitTransitionTime IMPLICIT TRANSITION TIME in seconds, 0..255 (0: not
 *     specified); must be 0 for {@link RtpgFormat#LENGTH_ONLY}, which has no such field
 * @param groups the target port group descriptors, in order
 * @param truncated whether the decoded data ended inside the last descriptor (its TARGET PORT
 *     COUNT ran past RETURN DATA LENGTH): that group holds only the fields and RELATIVE TARGET
 *     PORT IDENTIFIERs that fit. Not encoded: {@link #encode()} writes whole descriptors
 */
public record RtpgResponse(
    RtpgFormat format,
    int implicitTransitionTime,
    List<TargetPortGroupDescriptor> groups,
    boolean truncated) {

  /** Offset of the FORMAT TYPE byte in the extended header. */
  static final int FORMAT_TYPE_OFFSET = 4;
  /** Offset of IMPLICIT TRANSITION TIME in the extended header. */
  static final int IMPLICIT_TRANSITION_TIME_OFFSET = 5;
  /** FORMAT TYPE occupies bits 6:4 of byte 4. */
  static final int FORMAT_TYPE_SHIFT = 4;
  static final int FORMAT_TYPE_MASK = 0x7;
  /** Length of the RETURN DATA LENGTH field. */
  static final int RETURN_DATA_LENGTH_SIZE = 4;

  /** Validates the fields and copies the list. */
  public RtpgResponse {
    if (format == null) {
      throw new NullPointerException("format");
    }
    if (implicitTransitionTime < 0 || implicitTransitionTime > 0xFF) {
      throw new IllegalArgumentException(
          "IMPLICIT TRANSITION TIME is one byte: " + implicitTransitionTime);
    }
    if (format == RtpgFormat.LENGTH_ONLY && implicitTransitionTime != 0) {
      throw new IllegalArgumentException("the length-only format has no IMPLICIT TRANSITION TIME");
    }
    groups = List.copyOf(groups);
  }

  /** A whole (not {@link #truncated()}) response, as a device server builds it. */
  public RtpgResponse(
      RtpgFormat format, int implicitTransitionTime, List<TargetPortGroupDescriptor> groups) {
    this(format, implicitTransitionTime, groups, false);
  }

  /** The descriptor of target port group {@code id}, if reported. */
  public Optional<TargetPortGroupDescriptor> group(int id) {
    return groups.stream().filter(g -> g.targetPortGroup() == id).findFirst();
  }

  /** The descriptor listing relative target port {@code relativePort}, if any. */
  public Optional<TargetPortGroupDescriptor> groupOfPort(int relativePort) {
    return groups.stream().filter(g -> g.containsPort(relativePort)).findFirst();
  }

  /** Whether any reported group is active/optimized. */
  public boolean anyActiveOptimized() {
    return groups.stream().anyMatch(g -> g.state() == AluaState.ACTIVE_OPTIMIZED);
  }

  /** Full encoded length, header included. */
  public int encodedLength() {
    long n = format.headerLength();
    for (TargetPortGroupDescriptor g : groups) {
      n += g.encodedLength();
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("RTPG parameter data too large: " + n + " bytes");
    }
    return (int) n;
  }

  /** The complete parameter data (a device server truncates it to the allocation length). */
  public byte[] encode() {
    int total = encodedLength();
    byte[] buf = new byte[total];
    Bytes.putU32(buf, 0, total - RETURN_DATA_LENGTH_SIZE);
    if (format == RtpgFormat.EXTENDED) {
      buf[FORMAT_TYPE_OFFSET] = (byte) (format.code() << FORMAT_TYPE_SHIFT);
      buf[IMPLICIT_TRANSITION_TIME_OFFSET] = (byte) implicitTransitionTime;
    }
    int off = format.headerLength();
    for (TargetPortGroupDescriptor g : groups) {
      g.encodeInto(buf, off);
      off += g.encodedLength();
    }
    return buf;
  }

  /** Decodes the whole array; see {@link #decode(byte[], int)}. */
  public static RtpgResponse decode(byte[] data) {
    return decode(data, data.length);
  }

  /**
   * Decodes parameter data of which the first {@code length} bytes were transferred.
   *
   * <p>The format is taken from the data, not from the request: FORMAT TYPE 001b in byte 4
   * bits 6:4 means the extended header; in the length-only format those bits are reserved bits
   * of the first descriptor. Any other value reads as length-only (as Linux does), so a target
   * that ignores the requested format, or sets reserved bits, is still understood. Bytes past
   * RETURN DATA LENGTH + 4 are ignored.
   *
   * <p>Every target port group descriptor that fits is decoded. When the data ends inside the
   * last one, it is accepted as Linux {@code scsi_dh_alua} accepts it: the group keeps its
   * state when bytes 0-3 of its descriptor are present (it is dropped otherwise), only the
   * target port descriptors that fit are listed, and {@link #truncated()} is true.
   *
   * @throws IncompleteDataException when RETURN DATA LENGTH + 4 exceeds {@code length} (the
   *     allocation length was too small; {@link IncompleteDataException#requiredLength()}
   *     tells how much to ask for)
   * @throws AluaProtocolException for data shorter than the 4-byte RETURN DATA LENGTH, an
   *     extended header cut by RETURN DATA LENGTH, or a reserved state code
   */
  public static RtpgResponse decode(byte[] data, int length) {
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException(
          "length " + length + " outside the " + data.length + "-byte buffer");
    }
    if (length < RETURN_DATA_LENGTH_SIZE) {
      throw new AluaProtocolException("RTPG parameter data of " + length
          + " bytes is shorter than the 4-byte RETURN DATA LENGTH");
    }
    long total = Bytes.u32(data, 0) + RETURN_DATA_LENGTH_SIZE;
    if (total > length) {
      throw new IncompleteDataException("RTPG RETURN DATA LENGTH", total, length);
    }
    int end = (int) total;
    RtpgFormat format = RtpgFormat.LENGTH_ONLY;
    int implicitTime = 0;
    if (end > FORMAT_TYPE_OFFSET) {
      int formatType = (Bytes.u8(data, FORMAT_TYPE_OFFSET) >>> FORMAT_TYPE_SHIFT) & FORMAT_TYPE_MASK;
      if (formatType == RtpgFormat.EXTENDED.code()) {
        format = RtpgFormat.EXTENDED;
        if (end < RtpgFormat.EXTENDED.headerLength()) {
          throw new AluaProtocolException("RTPG extended header truncated: RETURN DATA LENGTH "
              + (end - RETURN_DATA_LENGTH_SIZE) + " leaves " + end + " of 8 header bytes", 0);
        }
        implicitTime = Bytes.u8(data, IMPLICIT_TRANSITION_TIME_OFFSET);
      }
    }
    List<TargetPortGroupDescriptor> groups = new ArrayList<>();
    boolean truncated = false;
    int off = format.headerLength();
    while (off < end) {
      TargetPortGroupDescriptor.Decoded g = TargetPortGroupDescriptor.decode(data, off, end);
      if (g.descriptor() != null) {
        groups.add(g.descriptor());
      }
      truncated = g.truncated();
      off += g.length(); // a truncated descriptor reaches end
    }
    return new RtpgResponse(format, implicitTime, groups, truncated);
  }
}
