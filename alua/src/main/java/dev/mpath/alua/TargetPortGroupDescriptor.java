package dev.mpath.alua;

import java.util.List;

/**
 * One target port group descriptor of REPORT TARGET PORT GROUPS parameter data (SPC-4 6.37).
 *
 * <pre>
 * byte 0     bit 7 PREF, bits 6:4 reserved, bits 3:0 ASYMMETRIC ACCESS STATE
 * byte 1     T_SUP O_SUP reserved LBD_SUP U_SUP S_SUP AN_SUP AO_SUP (bits 7..0)
 * bytes 2-3  TARGET PORT GROUP
 * byte 4     reserved
 * byte 5     STATUS CODE
 * byte 6     VENDOR SPECIFIC
 * byte 7     TARGET PORT COUNT
 * bytes 8-   TARGET PORT COUNT target port descriptors of 4 bytes:
 *            bytes 0-1 reserved (obsolete), bytes 2-3 RELATIVE TARGET PORT IDENTIFIER
 * </pre>
 *
 * @param preferred the PREF bit: the group is a preferred one for this logical unit
 * @param state the ASYMMETRIC ACCESS STATE
 * @param supportedStates the supported-states flags of byte 1
 * @param targetPortGroup the TARGET PORT GROUP identifier, 0..65535
 * @param statusCode the raw STATUS CODE byte, 0..255 (see {@link #status()})
 * @param vendorSpecific the VENDOR SPECIFIC byte, 0..255
 * @param relativeTargetPorts the RELATIVE TARGET PORT IDENTIFIERs, at most 255, each 0..65535
 */
public record TargetPortGroupDescriptor(
    boolean preferred,
    AluaState state,
    SupportedStates supportedStates,
    int targetPortGroup,
    int statusCode,
    int vendorSpecific,
    List<Integer> relativeTargetPorts) {

  /** Length of the descriptor without its target port descriptors. */
  public static final int HEADER_LENGTH = 8;
  /** Length of one target port descriptor. */
  public static final int TARGET_PORT_DESCRIPTOR_LENGTH = 4;
  /** TARGET PORT COUNT is one byte. */
  public static final int MAX_TARGET_PORTS = 255;

  static final int PREF_BIT = 0x80;
  static final int STATE_MASK = 0x0F;
  static final int SUPPORTED_OFFSET = 1;
  static final int TARGET_PORT_GROUP_OFFSET = 2;
  static final int STATUS_CODE_OFFSET = 5;
  static final int VENDOR_SPECIFIC_OFFSET = 6;
  static final int TARGET_PORT_COUNT_OFFSET = 7;
  static final int RELATIVE_PORT_OFFSET = 2;

  /** Validates the fields and copies the port list. */
  public TargetPortGroupDescriptor {
    if (state == null || supportedStates == null) {
      throw new NullPointerException("state and supportedStates are required");
    }
    Bytes.checkU16("TARGET PORT GROUP", targetPortGroup);
    if (statusCode < 0 || statusCode > 0xFF) {
      throw new IllegalArgumentException("STATUS CODE is one byte: " + statusCode);
    }
    if (vendorSpecific < 0 || vendorSpecific > 0xFF) {
      throw new IllegalArgumentException("VENDOR SPECIFIC is one byte: " + vendorSpecific);
    }
    relativeTargetPorts = List.copyOf(relativeTargetPorts);
    if (relativeTargetPorts.size() > MAX_TARGET_PORTS) {
      throw new IllegalArgumentException(
          "TARGET PORT COUNT is one byte; " + relativeTargetPorts.size() + " ports");
    }
    for (int port : relativeTargetPorts) {
      Bytes.checkU16("RELATIVE TARGET PORT IDENTIFIER", port);
    }
  }

  /** A descriptor with VENDOR SPECIFIC 0. */
  public static TargetPortGroupDescriptor of(
      boolean preferred,
      AluaState state,
      SupportedStates supportedStates,
      int targetPortGroup,
      PortGroupStatus status,
      List<Integer> relativeTargetPorts) {
    if (status == PortGroupStatus.RESERVED) {
      throw new IllegalArgumentException("RESERVED has no code; use the canonical constructor");
    }
    return new TargetPortGroupDescriptor(preferred, state, supportedStates, targetPortGroup,
        status.code(), 0, relativeTargetPorts);
  }

  /** The STATUS CODE by name ({@link PortGroupStatus#RESERVED} for 03h-FFh). */
  public PortGroupStatus status() {
    return PortGroupStatus.fromCode(statusCode);
  }

  /** Whether {@code relativePort} is a member of this group. */
  public boolean containsPort(int relativePort) {
    return relativeTargetPorts.contains(relativePort);
  }

  /** Encoded length: 8 + 4 per target port. */
  public int encodedLength() {
    return HEADER_LENGTH + TARGET_PORT_DESCRIPTOR_LENGTH * relativeTargetPorts.size();
  }

  /** Writes the descriptor at {@code off}; the caller guarantees room and zeroed bytes. */
  void encodeInto(byte[] buf, int off) {
    buf[off] = (byte) ((preferred ? PREF_BIT : 0) | state.code());
    buf[off + SUPPORTED_OFFSET] = (byte) supportedStates.mask();
    Bytes.putU16(buf, off + TARGET_PORT_GROUP_OFFSET, targetPortGroup);
    buf[off + STATUS_CODE_OFFSET] = (byte) statusCode;
    buf[off + VENDOR_SPECIFIC_OFFSET] = (byte) vendorSpecific;
    buf[off + TARGET_PORT_COUNT_OFFSET] = (byte) relativeTargetPorts.size();
    int p = off + HEADER_LENGTH;
    for (int port : relativeTargetPorts) {
      Bytes.putU16(buf, p + RELATIVE_PORT_OFFSET, port);
      p += TARGET_PORT_DESCRIPTOR_LENGTH;
    }
  }

  /** Bytes 0-3 (state, supported states, TARGET PORT GROUP): what identifies a group's state. */
  static final int IDENTIFYING_LENGTH = 4;

  /**
   * One descriptor read from parameter data.
   *
   * @param descriptor what was read; null when not even bytes 0-3 (state and TARGET PORT
   *     GROUP) were present
   * @param length bytes taken from the data
   * @param truncated whether the descriptor ran past {@code end}: fields wholly before
   *     {@code end} were read, later ones are 0, and only the target port descriptors that
   *     fit are listed
   */
  record Decoded(TargetPortGroupDescriptor descriptor, int length, boolean truncated) {}

  /**
   * Reads the descriptor at {@code off}, using no byte at or past {@code end}.
   *
   * <p>A descriptor cut short by {@code end} (the last one, when RETURN DATA LENGTH is too
   * small, as LIO's is with the extended header) is not an error, after Linux
   * {@code scsi_dh_alua}, which reads a group's state, supported states and id and skips
   * TARGET PORT COUNT entries without checking them: with bytes 0-3 present the group is kept
   * with its state; the RELATIVE TARGET PORT IDENTIFIERs are those whose 4-byte target port
   * descriptor lies wholly before {@code end}.
   *
   * @throws AluaProtocolException for a reserved state code
   */
  static Decoded decode(byte[] buf, int off, int end) {
    int remaining = end - off;
    if (remaining < IDENTIFYING_LENGTH) {
      return new Decoded(null, Math.max(0, remaining), true);
    }
    AluaState state = AluaState.fromCode(buf[off] & STATE_MASK, off);
    int count = remaining > TARGET_PORT_COUNT_OFFSET
        ? Bytes.u8(buf, off + TARGET_PORT_COUNT_OFFSET) : 0;
    int declared = HEADER_LENGTH + TARGET_PORT_DESCRIPTOR_LENGTH * count;
    boolean truncated = remaining < declared;
    int fit = remaining < HEADER_LENGTH
        ? 0 : Math.min(count, (remaining - HEADER_LENGTH) / TARGET_PORT_DESCRIPTOR_LENGTH);
    Integer[] ports = new Integer[fit];
    for (int i = 0; i < fit; i++) {
      ports[i] = Bytes.u16(buf,
          off + HEADER_LENGTH + i * TARGET_PORT_DESCRIPTOR_LENGTH + RELATIVE_PORT_OFFSET);
    }
    TargetPortGroupDescriptor d = new TargetPortGroupDescriptor(
        (buf[off] & PREF_BIT) != 0,
        state,
        SupportedStates.fromMask(Bytes.u8(buf, off + SUPPORTED_OFFSET)),
        Bytes.u16(buf, off + TARGET_PORT_GROUP_OFFSET),
        remaining > STATUS_CODE_OFFSET ? Bytes.u8(buf, off + STATUS_CODE_OFFSET) : 0,
        remaining > VENDOR_SPECIFIC_OFFSET ? Bytes.u8(buf, off + VENDOR_SPECIFIC_OFFSET) : 0,
        List.of(ports));
    return new Decoded(d, Math.min(remaining, declared), truncated);
  }
}
