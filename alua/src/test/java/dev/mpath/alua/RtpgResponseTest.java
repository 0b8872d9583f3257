package dev.mpath.alua;

import static dev.mpath.alua.TestBytes.bytes;
import static dev.mpath.alua.TestBytes.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REPORT TARGET PORT GROUPS parameter data (SPC-4 6.37), golden bytes written by hand. */
class RtpgResponseTest {

  // Target port group descriptor 1 (16 bytes)
  private static final byte[] GROUP_1 = bytes(
      0x80,       // byte 0: PREF=1 (bit 7), ASYMMETRIC ACCESS STATE 0h active/optimized
      0xCF,       // byte 1: T_SUP O_SUP . . U_SUP S_SUP AN_SUP AO_SUP (LBD_SUP clear)
      0x00, 0x01, // bytes 2-3: TARGET PORT GROUP 1
      0x00,       // byte 4: reserved
      0x02,       // byte 5: STATUS CODE 02h altered by implicit ALUA behavior
      0x00,       // byte 6: VENDOR SPECIFIC
      0x02,       // byte 7: TARGET PORT COUNT 2
      0x00, 0x00, 0x00, 0x01,  // target port descriptor: obsolete(0-1), RELATIVE TARGET PORT ID 1
      0x00, 0x00, 0x00, 0x02); // target port descriptor: RELATIVE TARGET PORT ID 2

  // Target port group descriptor 2 (12 bytes)
  private static final byte[] GROUP_2 = bytes(
      0x02,       // byte 0: PREF=0, ASYMMETRIC ACCESS STATE 2h standby
      0x97,       // byte 1: T_SUP, LBD_SUP, S_SUP, AN_SUP, AO_SUP
      0x01, 0x02, // bytes 2-3: TARGET PORT GROUP 0102h
      0x00,       // byte 4: reserved
      0x01,       // byte 5: STATUS CODE 01h altered by SET TARGET PORT GROUPS
      0x5A,       // byte 6: VENDOR SPECIFIC
      0x01,       // byte 7: TARGET PORT COUNT 1
      0x00, 0x00, 0x80, 0x03); // RELATIVE TARGET PORT ID 8003h

  private static final byte[] LENGTH_ONLY = concat(
      bytes(0x00, 0x00, 0x00, 0x1C), // bytes 0-3: RETURN DATA LENGTH = 16 + 12 = 28
      GROUP_1, GROUP_2);

  private static final byte[] EXTENDED = concat(
      bytes(0x00, 0x00, 0x00, 0x20,  // bytes 0-3: RETURN DATA LENGTH = 4 + 28 = 32
          0x10,                      // byte 4: FORMAT TYPE 001b in bits 6:4
          0x0A,                      // byte 5: IMPLICIT TRANSITION TIME 10 s
          0x00, 0x00),               // bytes 6-7: reserved
      GROUP_1, GROUP_2);

  private static TargetPortGroupDescriptor group1() {
    return TargetPortGroupDescriptor.of(true, AluaState.ACTIVE_OPTIMIZED, SupportedStates.DEFAULT,
        1, PortGroupStatus.ALTERED_BY_IMPLICIT, List.of(1, 2));
  }

  private static TargetPortGroupDescriptor group2() {
    return new TargetPortGroupDescriptor(false, AluaState.STANDBY,
        SupportedStates.of(AluaState.TRANSITIONING, AluaState.LOGICAL_BLOCK_DEPENDENT,
            AluaState.STANDBY, AluaState.ACTIVE_NON_OPTIMIZED, AluaState.ACTIVE_OPTIMIZED),
        0x0102, 0x01, 0x5A, List.of(0x8003));
  }

  @Test
  void encodesLengthOnly() {
    RtpgResponse r = new RtpgResponse(RtpgFormat.LENGTH_ONLY, 0, List.of(group1(), group2()));
    assertArrayEquals(LENGTH_ONLY, r.encode());
    assertEquals(32, r.encodedLength());
  }

  @Test
  void encodesExtended() {
    RtpgResponse r = new RtpgResponse(RtpgFormat.EXTENDED, 10, List.of(group1(), group2()));
    assertArrayEquals(EXTENDED, r.encode());
  }

  @Test
  void decodesEveryFieldOfBothFormats() {
    RtpgResponse lo = RtpgResponse.decode(LENGTH_ONLY);
    assertEquals(RtpgFormat.LENGTH_ONLY, lo.format());
    assertEquals(0, lo.implicitTransitionTime());
    checkGroups(lo);

    RtpgResponse ext = RtpgResponse.decode(EXTENDED);
    assertEquals(RtpgFormat.EXTENDED, ext.format());
    assertEquals(10, ext.implicitTransitionTime());
    checkGroups(ext);
  }

  private static void checkGroups(RtpgResponse r) {
    assertEquals(2, r.groups().size());
    TargetPortGroupDescriptor g1 = r.groups().get(0);
    assertTrue(g1.preferred());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, g1.state());
    assertEquals(0xCF, g1.supportedStates().mask());
    assertEquals(1, g1.targetPortGroup());
    assertEquals(PortGroupStatus.ALTERED_BY_IMPLICIT, g1.status());
    assertEquals(0, g1.vendorSpecific());
    assertEquals(List.of(1, 2), g1.relativeTargetPorts());

    TargetPortGroupDescriptor g2 = r.groups().get(1);
    assertFalse(g2.preferred());
    assertEquals(AluaState.STANDBY, g2.state());
    assertTrue(g2.supportedStates().contains(AluaState.LOGICAL_BLOCK_DEPENDENT));
    assertFalse(g2.supportedStates().contains(AluaState.OFFLINE));
    assertFalse(g2.supportedStates().contains(AluaState.UNAVAILABLE));
    assertEquals(0x0102, g2.targetPortGroup());
    assertEquals(PortGroupStatus.ALTERED_BY_STPG, g2.status());
    assertEquals(0x5A, g2.vendorSpecific());
    assertEquals(List.of(0x8003), g2.relativeTargetPorts());

    assertEquals(g2, r.group(0x0102).orElseThrow());
    assertEquals(g1, r.groupOfPort(2).orElseThrow());
    assertTrue(r.groupOfPort(4).isEmpty());
    assertTrue(r.anyActiveOptimized());
    assertEquals(group1(), g1);
    assertEquals(group2(), g2);
  }

  @Test
  void emptyLengthOnlyData() {
    RtpgResponse r = RtpgResponse.decode(bytes(0, 0, 0, 0));
    assertEquals(RtpgFormat.LENGTH_ONLY, r.format());
    assertTrue(r.groups().isEmpty());
    assertArrayEquals(bytes(0, 0, 0, 0), r.encode());
  }

  @Test
  void bytesPastReturnDataLengthAreIgnored() {
    byte[] padded = concat(LENGTH_ONLY, bytes(0xFF, 0xFF, 0xFF));
    assertEquals(RtpgResponse.decode(LENGTH_ONLY), RtpgResponse.decode(padded));
  }

  @Test
  void reservedStatusCodeIsKeptRaw() {
    byte[] data = LENGTH_ONLY.clone();
    data[4 + 5] = 0x07; // STATUS CODE of group 1: reserved value
    TargetPortGroupDescriptor g = RtpgResponse.decode(data).groups().get(0);
    assertEquals(0x07, g.statusCode());
    assertEquals(PortGroupStatus.RESERVED, g.status());
  }

  @Test
  void returnDataLengthPastTheBufferIsIncomplete() {
    // allocation length 16 cut the extended data short: RETURN DATA LENGTH still says 32
    byte[] cut = java.util.Arrays.copyOf(EXTENDED, 16);
    IncompleteDataException e =
        assertThrows(IncompleteDataException.class, () -> RtpgResponse.decode(cut));
    assertEquals(36, e.requiredLength());
    assertEquals(16, e.availableLength());
  }

  @Test
  void hugeReturnDataLengthDoesNotAllocate() {
    byte[] data = bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0);
    IncompleteDataException e =
        assertThrows(IncompleteDataException.class, () -> RtpgResponse.decode(data));
    assertEquals(0xFFFF_FFFFL + 4, e.requiredLength());
  }

  @Test
  void headerShorterThanFourBytes() {
    assertThrows(AluaProtocolException.class, () -> RtpgResponse.decode(bytes(0, 0, 0)));
    assertThrows(AluaProtocolException.class, () -> RtpgResponse.decode(LENGTH_ONLY, 2));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 255})
  void targetPortCountRunningPastTheEndKeepsTheGroupAndThePortsThatFit(int count) {
    byte[] data = concat(
        bytes(0x00, 0x00, 0x00, 0x0C), // RETURN DATA LENGTH 12: one descriptor + one port
        bytes(0x01, 0xCF, 0x00, 0x01, 0x00, 0x02, 0x00,
            count),                    // TARGET PORT COUNT, but only one port follows
        bytes(0x00, 0x00, 0x00, 0x07));
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(1, r.groups().size());
    TargetPortGroupDescriptor g = r.groups().get(0);
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, g.state());
    assertEquals(0xCF, g.supportedStates().mask());
    assertEquals(1, g.targetPortGroup());
    assertEquals(PortGroupStatus.ALTERED_BY_IMPLICIT, g.status());
    assertEquals(List.of(7), g.relativeTargetPorts());
  }

  @Test
  void targetPortCountRunningPastReturnDataLengthButNotTheBuffer() {
    // the second port descriptor is in the buffer, but outside RETURN DATA LENGTH: ignored
    byte[] data = concat(
        bytes(0x00, 0x00, 0x00, 0x0C), // RETURN DATA LENGTH 12
        bytes(0x00, 0xCF, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02), // TARGET PORT COUNT 2
        bytes(0x00, 0x00, 0x00, 0x01),
        bytes(0x00, 0x00, 0x00, 0x02)); // past RETURN DATA LENGTH
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(List.of(1), r.groups().get(0).relativeTargetPorts());
  }

  @Test
  void descriptorCutInsideItsHeaderKeepsStateAndGroup() {
    byte[] data = concat(LENGTH_ONLY, bytes(0x02, 0xCF, 0x00, 0x03, 0x00)); // 5 of 8 bytes
    data[3] = 0x1C + 5; // RETURN DATA LENGTH covers the partial descriptor
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(3, r.groups().size());
    TargetPortGroupDescriptor g = r.groups().get(2);
    assertEquals(AluaState.STANDBY, g.state());
    assertEquals(3, g.targetPortGroup());
    assertEquals(0, g.statusCode()); // byte 5 not present
    assertTrue(g.relativeTargetPorts().isEmpty());
    assertEquals(group1(), r.groups().get(0));
    assertEquals(group2(), r.groups().get(1));
  }

  @Test
  void descriptorFragmentWithoutItsGroupIdIsDropped() {
    byte[] data = concat(LENGTH_ONLY, bytes(0x02, 0xCF, 0x00)); // 3 of the 4 identifying bytes
    data[3] = 0x1C + 3;
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(List.of(group1(), group2()), r.groups());
  }

  @Test
  void wholeDataIsNotTruncated() {
    assertFalse(RtpgResponse.decode(LENGTH_ONLY).truncated());
    assertFalse(RtpgResponse.decode(EXTENDED).truncated());
  }

  // ---- Linux LIO (drivers/target/target_core_alua.c): two TPGs in two ALUA groups, one port
  // each, as lio-target.sh sets it up (LioInteropTest reads these bytes from the kernel). Its
  // RETURN DATA LENGTH counts the descriptors only, so with the extended header it leaves out
  // bytes 4-7 and the data ends 4 bytes early: the last RELATIVE TARGET PORT IDENTIFIER entry
  // is outside it (and, as LIO transfers RETURN DATA LENGTH + 4 bytes, not sent at all).

  /** Group A: default_tg_pt_gp, id 0, active/optimized, relative target port 1 (12 bytes). */
  static final byte[] LIO_GROUP_A = bytes(
      0x00,       // byte 0: PREF=0, ASYMMETRIC ACCESS STATE 0h active/optimized
      0xCF,       // byte 1: T_SUP O_SUP . . U_SUP S_SUP AN_SUP AO_SUP
      0x00, 0x00, // bytes 2-3: TARGET PORT GROUP 0
      0x00,       // byte 4: reserved
      0x00,       // byte 5: STATUS CODE 00h no status (the group was never altered)
      0x00,       // byte 6: VENDOR SPECIFIC
      0x01,       // byte 7: TARGET PORT COUNT 1
      0x00, 0x00, 0x00, 0x01); // obsolete, RELATIVE TARGET PORT IDENTIFIER 1

  /** Group B: grpB, id 2, active/non-optimized: the 8-byte header of its descriptor. */
  static final byte[] LIO_GROUP_B_HEADER = bytes(
      0x01,       // byte 0: PREF=0, ASYMMETRIC ACCESS STATE 1h active/non-optimized
      0xCF,       // byte 1: supported states as group A
      0x00, 0x02, // bytes 2-3: TARGET PORT GROUP 2
      0x00,       // byte 4: reserved
      0x02,       // byte 5: STATUS CODE 02h
      0x00,       // byte 6: VENDOR SPECIFIC
      0x01);      // byte 7: TARGET PORT COUNT 1
  /** Group B's target port descriptor: RELATIVE TARGET PORT IDENTIFIER 2. */
  static final byte[] LIO_GROUP_B_PORT = bytes(0x00, 0x00, 0x00, 0x02);

  /** LIO's extended-header answer as transferred: 28 bytes, RETURN DATA LENGTH 24 (not 28). */
  static final byte[] LIO_EXTENDED = concat(
      bytes(0x00, 0x00, 0x00, 0x18,  // bytes 0-3: RETURN DATA LENGTH 24 = 12 + 12, not 4 + 24
          0x10,                      // byte 4: FORMAT TYPE 001b
          0x00,                      // byte 5: IMPLICIT TRANSITION TIME 0 (implicit_trans_secs)
          0x00, 0x00),               // bytes 6-7: reserved
      LIO_GROUP_A, LIO_GROUP_B_HEADER);

  /** LIO's length-only answer: there RETURN DATA LENGTH 24 is right. */
  static final byte[] LIO_LENGTH_ONLY = concat(
      bytes(0x00, 0x00, 0x00, 0x18), LIO_GROUP_A, LIO_GROUP_B_HEADER, LIO_GROUP_B_PORT);

  private static void checkLioGroups(RtpgResponse r, List<Integer> portsOfB) {
    assertEquals(2, r.groups().size());
    assertEquals(TargetPortGroupDescriptor.of(false, AluaState.ACTIVE_OPTIMIZED,
        SupportedStates.fromMask(0xCF), 0, PortGroupStatus.NO_STATUS, List.of(1)),
        r.group(0).orElseThrow());
    assertEquals(TargetPortGroupDescriptor.of(false, AluaState.ACTIVE_NON_OPTIMIZED,
        SupportedStates.fromMask(0xCF), 2, PortGroupStatus.ALTERED_BY_IMPLICIT, portsOfB),
        r.group(2).orElseThrow());
  }

  @Test
  void lioExtendedHeaderAnswerAsTransferred() {
    RtpgResponse r = RtpgResponse.decode(LIO_EXTENDED);
    assertEquals(RtpgFormat.EXTENDED, r.format());
    assertEquals(0, r.implicitTransitionTime());
    assertTrue(r.truncated());
    checkLioGroups(r, List.of());
  }

  @Test
  void lioExtendedHeaderAnswerWithTheLastEntryInTheBufferButOutsideTheLength() {
    // a transport that delivers all 32 bytes: RETURN DATA LENGTH still ends 4 bytes early
    RtpgResponse r = RtpgResponse.decode(concat(LIO_EXTENDED, LIO_GROUP_B_PORT));
    assertTrue(r.truncated());
    checkLioGroups(r, List.of());
  }

  @Test
  void lioLengthOnlyAnswerIsWhole() {
    RtpgResponse r = RtpgResponse.decode(LIO_LENGTH_ONLY);
    assertEquals(RtpgFormat.LENGTH_ONLY, r.format());
    assertFalse(r.truncated());
    checkLioGroups(r, List.of(2));
    assertArrayEquals(LIO_LENGTH_ONLY, r.encode());
  }

  @Test
  void lastDescriptorShortByOneOfItsTwoPortEntries() {
    byte[] data = concat(
        bytes(0x00, 0x00, 0x00, 0x1C, 0x10, 0x00, 0x00, 0x00), // RETURN DATA LENGTH 28
        LIO_GROUP_A,
        bytes(0x01, 0xCF, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02), // group 2, TARGET PORT COUNT 2
        bytes(0x00, 0x00, 0x00, 0x02),  // first entry: inside RETURN DATA LENGTH
        bytes(0x00, 0x00, 0x00, 0x03)); // second entry: the 4 bytes past it
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(List.of(2), r.group(2).orElseThrow().relativeTargetPorts());
    assertEquals(2, r.groupOfPort(2).orElseThrow().targetPortGroup());
    assertTrue(r.groupOfPort(3).isEmpty());
  }

  @Test
  void lastDescriptorEndingInsideAPortEntryKeepsTheWholeEntriesOnly() {
    byte[] data = concat(
        bytes(0x00, 0x00, 0x00, 0x1E, 0x10, 0x00, 0x00, 0x00), // RETURN DATA LENGTH 30
        LIO_GROUP_A,
        bytes(0x01, 0xCF, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02), // TARGET PORT COUNT 2
        bytes(0x00, 0x00, 0x00, 0x02),
        bytes(0x00, 0x00));             // half an entry: 2 of its 4 bytes
    RtpgResponse r = RtpgResponse.decode(data);
    assertTrue(r.truncated());
    assertEquals(List.of(2), r.group(2).orElseThrow().relativeTargetPorts());
  }

  @Test
  void extendedHeaderTruncated() {
    byte[] data = bytes(0x00, 0x00, 0x00, 0x02, 0x10, 0x0A); // only 6 of 8 header bytes
    assertThrows(AluaProtocolException.class, () -> RtpgResponse.decode(data));
  }

  @Test
  void unknownStateCode() {
    byte[] data = EXTENDED.clone();
    data[8 + 16] = 0x05; // group 2 byte 0: reserved state 5h
    AluaProtocolException e =
        assertThrows(AluaProtocolException.class, () -> RtpgResponse.decode(data));
    assertEquals(8 + 16, e.fieldOffset());
  }

  @Test
  void otherFormatTypeBitsReadAsLengthOnly() {
    // reserved bits 6:4 of the first descriptor set to 010b: not 001b, so length-only (as Linux)
    byte[] data = LENGTH_ONLY.clone();
    data[4] = (byte) 0xA0;
    RtpgResponse r = RtpgResponse.decode(data);
    assertEquals(RtpgFormat.LENGTH_ONLY, r.format());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, r.groups().get(0).state());
  }

  @Test
  void constructorsValidate() {
    assertThrows(IllegalArgumentException.class,
        () -> new RtpgResponse(RtpgFormat.LENGTH_ONLY, 5, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new RtpgResponse(RtpgFormat.EXTENDED, 256, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> TargetPortGroupDescriptor.of(false, AluaState.STANDBY, SupportedStates.ALL, 0x10000,
            PortGroupStatus.NO_STATUS, List.of()));
    Integer[] many = new Integer[256];
    java.util.Arrays.fill(many, 1);
    assertThrows(IllegalArgumentException.class,
        () -> TargetPortGroupDescriptor.of(false, AluaState.STANDBY, SupportedStates.ALL, 1,
            PortGroupStatus.NO_STATUS, List.of(many)));
  }

  @Test
  void maximumPortCountRoundTrips() {
    Integer[] ports = new Integer[255];
    for (int i = 0; i < ports.length; i++) {
      ports[i] = i + 1;
    }
    TargetPortGroupDescriptor g = TargetPortGroupDescriptor.of(false, AluaState.UNAVAILABLE,
        SupportedStates.ALL, 0xFFFF, PortGroupStatus.NO_STATUS, List.of(ports));
    RtpgResponse r = new RtpgResponse(RtpgFormat.EXTENDED, 255, List.of(g));
    byte[] data = r.encode();
    assertEquals(8 + 8 + 4 * 255, data.length);
    assertEquals(0xFF, data[8 + 7] & 0xFF); // TARGET PORT COUNT
    assertEquals(r, RtpgResponse.decode(data));
  }
}
