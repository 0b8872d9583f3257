package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AsyncEventTest {

  @Test
  void dw0Layout() {
    // bits 2:0 type 2h, bits 15:8 info 03h, bits 23:16 LID 0Ch
    assertEquals(0x000C0302, AsyncEvent.ANA_CHANGE.toDw0());
    // type 2h, info 00h, LID 04h
    assertEquals(0x00040002, AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED.toDw0());
    assertTrue(AsyncEvent.ANA_CHANGE.isAnaChange());
    assertTrue(AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED.isNamespaceAttributeChanged());
    assertFalse(AsyncEvent.ANA_CHANGE.isNamespaceAttributeChanged());
  }

  @Test
  void decodeIgnoresReservedBits() {
    // reserved bits 7:3 and 31:24 set
    AsyncEvent e = AsyncEvent.fromDw0(0xFF0C03FA);
    assertEquals(2, e.type());
    assertEquals(3, e.info());
    assertEquals(0x0C, e.logPageId());
    assertEquals(AsyncEvent.ANA_CHANGE, e);
    AsyncEvent smart = AsyncEvent.fromDw0(0x00020101);
    assertEquals(AsyncEvent.TYPE_SMART_HEALTH, smart.type());
    assertFalse(smart.isNotice());
    assertThrows(IllegalArgumentException.class, () -> new AsyncEvent(8, 0, 0));
  }
}
