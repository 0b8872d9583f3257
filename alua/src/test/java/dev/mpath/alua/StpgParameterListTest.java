package dev.mpath.alua;

import static dev.mpath.alua.TestBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SET TARGET PORT GROUPS parameter list (SPC-4 6.45), golden bytes written by hand. */
class StpgParameterListTest {

  private static final byte[] LIST = bytes(
      0x00, 0x00, 0x00, 0x00, // bytes 0-3: reserved
      // set target port group descriptor 1
      0x00,                   // byte 0: reserved (7:4) | ASYMMETRIC ACCESS STATE 0h active/optimized
      0x00,                   // byte 1: reserved
      0x00, 0x01,             // bytes 2-3: TARGET PORT GROUP 1
      // set target port group descriptor 2
      0x02,                   // ASYMMETRIC ACCESS STATE 2h standby
      0x00,                   // reserved
      0xAB, 0xCD);            // TARGET PORT GROUP ABCDh

  @Test
  void encodes() {
    StpgParameterList list = StpgParameterList.of(
        new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, 1),
        new StpgDescriptor(AluaState.STANDBY, 0xABCD));
    assertArrayEquals(LIST, list.encode());
  }

  @Test
  void decodesEveryField() {
    StpgParameterList list = StpgParameterList.decode(LIST);
    assertEquals(2, list.descriptors().size());
    assertEquals(AluaState.ACTIVE_OPTIMIZED, list.descriptors().get(0).state());
    assertEquals(1, list.descriptors().get(0).targetPortGroup());
    assertEquals(AluaState.STANDBY, list.descriptors().get(1).state());
    assertEquals(0xABCD, list.descriptors().get(1).targetPortGroup());
  }

  @Test
  void reservedBitsAreIgnored() {
    byte[] data = LIST.clone();
    data[4] = (byte) 0xF1; // reserved high nibble set, state 1h
    data[5] = 0x7F;        // reserved byte
    assertEquals(AluaState.ACTIVE_NON_OPTIMIZED,
        StpgParameterList.decode(data).descriptors().get(0).state());
  }

  @Test
  void zeroLengthIsEmpty() {
    assertTrue(StpgParameterList.decode(new byte[0]).descriptors().isEmpty());
    assertTrue(StpgParameterList.decode(LIST, 0).descriptors().isEmpty());
    assertTrue(StpgParameterList.decode(bytes(0, 0, 0, 0)).descriptors().isEmpty());
  }

  @Test
  void headerTruncated() {
    assertThrows(AluaProtocolException.class, () -> StpgParameterList.decode(bytes(0, 0, 0)));
    assertFalse(StpgParameterList.isValidLength(3));
  }

  @Test
  void descriptorTruncated() {
    AluaProtocolException e =
        assertThrows(AluaProtocolException.class, () -> StpgParameterList.decode(LIST, 10));
    assertEquals(8, e.fieldOffset());
    assertFalse(StpgParameterList.isValidLength(10));
    assertTrue(StpgParameterList.isValidLength(12));
  }

  @Test
  void unknownStateCode() {
    byte[] data = LIST.clone();
    data[8] = 0x07; // reserved state 7h in descriptor 2
    AluaProtocolException e =
        assertThrows(AluaProtocolException.class, () -> StpgParameterList.decode(data));
    assertEquals(8, e.fieldOffset());
  }
}
