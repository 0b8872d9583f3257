package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnaLogPageTest {

  // Asymmetric Namespace Access log page (Base 2.0, LID 0Ch)
  static final byte[] PAGE = hex(
      // header
      "07 00 00 00 00 00 00 00"   // bytes 7:0   Change Count = 7
      + "02 00"                   // bytes 9:8   Number of ANA Group Descriptors = 2
      + "00 00 00 00 00 00"       // bytes 15:10 reserved
      // descriptor 0
      + "01 00 00 00"             // bytes 3:0   ANAGRPID = 1
      + "02 00 00 00"             // bytes 7:4   NNSIDS = 2
      + "05 00 00 00 00 00 00 00" // bytes 15:8  Change Count = 5
      + "01"                      // byte 16     ANA State = optimized
      + "00".repeat(15)           // bytes 31:17 reserved
      + "01 00 00 00"             // NSID 1
      + "02 00 00 00"             // NSID 2
      // descriptor 1
      + "02 00 00 00"             // ANAGRPID = 2
      + "01 00 00 00"             // NNSIDS = 1
      + "06 00 00 00 00 00 00 00" // Change Count = 6
      + "03"                      // ANA State = inaccessible
      + "00".repeat(15)
      + "03 00 00 00");           // NSID 3

  // The same page read with RGO (LSP bit 0): NNSIDS 0, no NSID lists.
  static final byte[] PAGE_RGO = hex(
      "0700000000000000 0200 000000000000"
      + "01000000 00000000 0500000000000000 01" + "00".repeat(15)
      + "02000000 00000000 0600000000000000 03" + "00".repeat(15));

  static final AnaLogPage VALUE = new AnaLogPage(7, List.of(
      new AnaGroupDescriptor(1, 5, AnaState.OPTIMIZED, List.of(1, 2)),
      new AnaGroupDescriptor(2, 6, AnaState.INACCESSIBLE, List.of(3))));

  @Test
  void decodesEveryField() throws Exception {
    AnaLogPage page = AnaLogPage.decode(Golden.be(PAGE));
    assertEquals(7, page.changeCount());
    assertEquals(2, page.groups().size());
    AnaGroupDescriptor g0 = page.groups().get(0);
    assertEquals(1, g0.anaGroupId());
    assertEquals(5, g0.changeCount());
    assertEquals(AnaState.OPTIMIZED, g0.state());
    assertEquals(List.of(1, 2), g0.nsids());
    AnaGroupDescriptor g1 = page.groups().get(1);
    assertEquals(2, g1.anaGroupId());
    assertEquals(6, g1.changeCount());
    assertEquals(AnaState.INACCESSIBLE, g1.state());
    assertEquals(List.of(3), g1.nsids());
    assertEquals(VALUE, page);
    assertEquals(Optional.of(g1), page.groupOf(3));
    assertEquals(Optional.of(g0), page.group(1));
    assertEquals(Optional.empty(), page.groupOf(4));
  }

  @Test
  void encodesBothForms() {
    assertArrayEquals(PAGE, VALUE.toBytes(false));
    assertArrayEquals(PAGE_RGO, VALUE.toBytes(true));
    assertEquals(PAGE.length, VALUE.encodedLength(false));
  }

  @Test
  void decodesRgoForm() throws Exception {
    AnaLogPage page = AnaLogPage.decode(ByteBuffer.wrap(PAGE_RGO));
    assertEquals(AnaState.INACCESSIBLE, page.group(2).orElseThrow().state());
    assertTrue(page.groups().get(0).nsids().isEmpty());
  }

  @Test
  void decodesFromPositionAndIgnoresTrailingBytes() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(PAGE.length + 100);
    b.position(50);
    b.put(PAGE);
    b.position(50);
    assertEquals(VALUE, AnaLogPage.decode(b));
    assertEquals(50, b.position());
  }

  @Test
  void stateNibbleIgnoresReservedUpperBits() throws Exception {
    byte[] b = PAGE.clone();
    b[16 + 16] = (byte) 0xF2; // bits 7:4 reserved, bits 3:0 = non-optimized
    assertEquals(AnaState.NON_OPTIMIZED, AnaLogPage.decode(ByteBuffer.wrap(b)).groups().get(0).state());
  }

  @Test
  void malformed() {
    // shorter than the header
    NvmeProtocolException shortHeader = assertThrows(NvmeProtocolException.class,
        () -> AnaLogPage.decode(ByteBuffer.wrap(new byte[15])));
    assertEquals(16, shortHeader.expectedLength());
    // NGRPS claims 65535 descriptors in a 16-byte page
    assertThrows(NvmeProtocolException.class,
        () -> AnaLogPage.decode(ByteBuffer.wrap(hex("0700000000000000 FFFF 000000000000"))));
    // NGRPS = 3 with only two descriptors present
    byte[] three = PAGE.clone();
    three[8] = 3;
    assertThrows(NvmeProtocolException.class, () -> AnaLogPage.decode(ByteBuffer.wrap(three)));
    // NNSIDS = FFFFFFFFh (4 billion) in a small page: an error, not an allocation
    byte[] huge = PAGE.clone();
    huge[16 + 4] = huge[16 + 5] = huge[16 + 6] = huge[16 + 7] = (byte) 0xFF;
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> AnaLogPage.decode(ByteBuffer.wrap(huge)));
    assertTrue(e.getMessage().contains("NNSIDS=4294967295"), e.getMessage());
    // cut inside the last NSID list
    byte[] cut = java.util.Arrays.copyOf(PAGE, PAGE.length - 2);
    assertThrows(NvmeProtocolException.class, () -> AnaLogPage.decode(ByteBuffer.wrap(cut)));
    // reserved ANA state 05h
    byte[] reserved = PAGE.clone();
    reserved[16 + 16] = 0x05;
    assertThrows(NvmeProtocolException.class, () -> AnaLogPage.decode(ByteBuffer.wrap(reserved)));
    // ANAGRPID 0
    byte[] zero = PAGE.clone();
    zero[16] = 0;
    assertThrows(NvmeProtocolException.class, () -> AnaLogPage.decode(ByteBuffer.wrap(zero)));
  }

  @Test
  void anaStatesAndAccessStates() {
    assertEquals(0x01, AnaState.OPTIMIZED.code());
    assertEquals(0x02, AnaState.NON_OPTIMIZED.code());
    assertEquals(0x03, AnaState.INACCESSIBLE.code());
    assertEquals(0x04, AnaState.PERSISTENT_LOSS.code());
    assertEquals(0x0F, AnaState.CHANGE.code());
    assertEquals(AccessState.OPTIMIZED, AnaState.OPTIMIZED.toAccessState());
    assertEquals(AccessState.NON_OPTIMIZED, AnaState.NON_OPTIMIZED.toAccessState());
    assertEquals(AccessState.UNAVAILABLE, AnaState.INACCESSIBLE.toAccessState());
    assertEquals(AccessState.OFFLINE, AnaState.PERSISTENT_LOSS.toAccessState());
    assertEquals(AccessState.TRANSITIONING, AnaState.CHANGE.toAccessState());
    for (AnaState s : AnaState.values()) {
      assertEquals(s, AnaState.fromCode(s.code()));
      assertEquals(s, AnaState.fromAccessState(s.toAccessState()));
    }
    assertThrows(IllegalArgumentException.class, () -> AnaState.fromCode(0));
    assertThrows(IllegalArgumentException.class,
        () -> AnaState.fromAccessState(AccessState.STANDBY));
    assertEquals(IdentifyController.ANACAP_CHANGE, AnaState.CHANGE.anacapBit());
  }

  @Test
  void maxLength() {
    // header 16 + 32 per group + 4 per namespace
    assertEquals(16 + 32 * 4 + 4 * 10, AnaLogPage.maxLength(4, 10, false));
    assertEquals(16 + 32 * 4, AnaLogPage.maxLength(4, 10, true));
  }
}
