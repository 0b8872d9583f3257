package dev.mpath.alua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AluaStateTest {

  @Test
  void codesFollowSpc4() {
    // SPC-4 6.37, table "ASYMMETRIC ACCESS STATE field"
    assertEquals(AluaState.ACTIVE_OPTIMIZED, AluaState.fromCode(0x0));
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED, AluaState.fromCode(0x1));
    assertEquals(AluaState.STANDBY, AluaState.fromCode(0x2));
    assertEquals(AluaState.UNAVAILABLE, AluaState.fromCode(0x3));
    assertEquals(AluaState.LOGICAL_BLOCK_DEPENDENT, AluaState.fromCode(0x4));
    assertEquals(AluaState.OFFLINE, AluaState.fromCode(0xE));
    assertEquals(AluaState.TRANSITIONING, AluaState.fromCode(0xF));
    for (AluaState s : AluaState.values()) {
      assertEquals(s, AluaState.fromCode(s.code()));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0x5, 0x6, 0x9, 0xD, 0x10, -1})
  void reservedCodesAreRejected(int code) {
    AluaProtocolException e =
        assertThrows(AluaProtocolException.class, () -> AluaState.fromCode(code));
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void accessStateMapping() {
    assertEquals(AccessState.OPTIMIZED, AluaState.ACTIVE_OPTIMIZED.toAccessState());
    assertEquals(AccessState.NON_OPTIMIZED, AluaState.ACTIVE_NON_OPTIMIZED.toAccessState());
    assertEquals(AccessState.STANDBY, AluaState.STANDBY.toAccessState());
    assertEquals(AccessState.UNAVAILABLE, AluaState.UNAVAILABLE.toAccessState());
    assertEquals(AccessState.NON_OPTIMIZED, AluaState.LOGICAL_BLOCK_DEPENDENT.toAccessState());
    assertEquals(AccessState.OFFLINE, AluaState.OFFLINE.toAccessState());
    assertEquals(AccessState.TRANSITIONING, AluaState.TRANSITIONING.toAccessState());
  }

  @Test
  void primaryStates() {
    assertTrue(AluaState.STANDBY.isPrimary());
    assertFalse(AluaState.OFFLINE.isPrimary());
    assertFalse(AluaState.TRANSITIONING.isPrimary());
  }
}
