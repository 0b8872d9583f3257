package dev.mpath.alua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** SupportedStates, Tpgs, AluaPriority, AluaSense. */
class SmallTypesTest {

  @Test
  void supportedStatesBitsFollowSpc4() {
    // SPC-4 6.37 target port group descriptor byte 1:
    // bit7 T_SUP, bit6 O_SUP, bit5 reserved, bit4 LBD_SUP, bit3 U_SUP, bit2 S_SUP, bit1 AN_SUP, bit0 AO_SUP
    assertEquals(0x80, SupportedStates.of(AluaState.TRANSITIONING).mask());
    assertEquals(0x40, SupportedStates.of(AluaState.OFFLINE).mask());
    assertEquals(0x10, SupportedStates.of(AluaState.LOGICAL_BLOCK_DEPENDENT).mask());
    assertEquals(0x08, SupportedStates.of(AluaState.UNAVAILABLE).mask());
    assertEquals(0x04, SupportedStates.of(AluaState.STANDBY).mask());
    assertEquals(0x02, SupportedStates.of(AluaState.ACTIVE_NON_OPTIMIZED).mask());
    assertEquals(0x01, SupportedStates.of(AluaState.ACTIVE_OPTIMIZED).mask());
    assertEquals(0xDF, SupportedStates.ALL.mask());
    assertEquals(0xCF, SupportedStates.DEFAULT.mask());
    assertFalse(SupportedStates.DEFAULT.contains(AluaState.LOGICAL_BLOCK_DEPENDENT));
  }

  @Test
  void supportedStatesFromMaskDropsReservedBit() {
    SupportedStates s = SupportedStates.fromMask(0x25); // reserved bit 5 + S_SUP + AO_SUP
    assertEquals(0x05, s.mask());
    assertEquals(EnumSet.of(AluaState.STANDBY, AluaState.ACTIVE_OPTIMIZED), s.toSet());
    assertEquals("[S,AO]", s.toString());
    assertThrows(IllegalArgumentException.class, () -> SupportedStates.fromMask(0x100));
  }

  @Test
  void tpgsFromInquiryByte5() {
    // SPC-4 6.6.2 standard INQUIRY byte 5: SCCS ACC TPGS(5:4) 3PC reserved PROTECT
    assertEquals(Tpgs.NONE, Tpgs.fromInquiryByte5(0x00));
    assertEquals(Tpgs.IMPLICIT, Tpgs.fromInquiryByte5(0x10));
    assertEquals(Tpgs.EXPLICIT, Tpgs.fromInquiryByte5(0x20));
    assertEquals(Tpgs.BOTH, Tpgs.fromInquiryByte5(0x30));
    assertEquals(Tpgs.IMPLICIT, Tpgs.fromInquiryByte5(0x9F)); // other bits ignored
    assertEquals(0x20, Tpgs.EXPLICIT.inquiryBits());
    assertTrue(Tpgs.BOTH.implicit() && Tpgs.BOTH.explicit());
    assertTrue(Tpgs.IMPLICIT.implicit() && !Tpgs.IMPLICIT.explicit());
    assertTrue(!Tpgs.EXPLICIT.implicit() && Tpgs.EXPLICIT.explicit());
    assertFalse(Tpgs.NONE.supported());
  }

  @Test
  void tpgsFromInquiryChecksLength() {
    byte[] inquiry = TestBytes.bytes(0x00, 0x00, 0x06, 0x02, 0x1F, 0x30);
    assertEquals(Tpgs.BOTH, Tpgs.fromInquiry(inquiry));
    assertThrows(AluaProtocolException.class,
        () -> Tpgs.fromInquiry(TestBytes.bytes(0, 0, 6, 2, 0x1F)));
  }

  @Test
  void priorityTableOfMultipathTools() {
    assertEquals(50, AluaPriority.of(AluaState.ACTIVE_OPTIMIZED, false));
    assertEquals(10, AluaPriority.of(AluaState.ACTIVE_NON_OPTIMIZED, false));
    assertEquals(5, AluaPriority.of(AluaState.LOGICAL_BLOCK_DEPENDENT, false));
    assertEquals(1, AluaPriority.of(AluaState.STANDBY, false));
    assertEquals(0, AluaPriority.of(AluaState.UNAVAILABLE, false));
    assertEquals(0, AluaPriority.of(AluaState.OFFLINE, false));
    assertEquals(0, AluaPriority.of(AluaState.TRANSITIONING, false));
    assertEquals(90, AluaPriority.of(AluaState.ACTIVE_NON_OPTIMIZED, true));
    assertEquals(81, AluaPriority.of(AluaState.STANDBY, true));
    assertEquals(80, AluaPriority.of(AluaState.UNAVAILABLE, true));
    // multipath-tools: a preferred AO path gets the bonus only with exclusive_pref_bit
    assertEquals(50, AluaPriority.of(AluaState.ACTIVE_OPTIMIZED, true));
    assertEquals(130, AluaPriority.of(AluaState.ACTIVE_OPTIMIZED, true, true));
  }

  @Test
  void senseThatTriggersRecheck() {
    assertTrue(AluaSense.requiresRecheck(0x6, 0x2A, 0x06));
    assertTrue(AluaSense.requiresRecheck(0x6, 0x2A, 0x07));
    assertTrue(AluaSense.requiresRecheck(0x6, 0x29, 0x00));
    assertTrue(AluaSense.requiresRecheck(0x6, 0x29, 0x04));
    assertTrue(AluaSense.requiresRecheck(0x6, 0x3F, 0x03));
    assertTrue(AluaSense.requiresRecheck(0x6, 0x3F, 0x0E));
    assertTrue(AluaSense.requiresRecheck(0x2, 0x04, 0x0A));
    assertFalse(AluaSense.requiresRecheck(0x6, 0x2A, 0x01)); // mode parameters changed
    assertFalse(AluaSense.requiresRecheck(0x6, 0x3F, 0x01)); // microcode changed
    assertFalse(AluaSense.requiresRecheck(0x5, 0x2A, 0x06)); // wrong sense key
    assertFalse(AluaSense.requiresRecheck(0x2, 0x04, 0x01)); // becoming ready
    assertFalse(AluaSense.requiresRecheck(0x3, 0x11, 0x00));
  }
}
