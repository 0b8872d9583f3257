package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Active Namespace ID list (CNS 02h), Changed Namespace List (LID 04h), Controller List. */
class NamespaceListsTest {

  @Test
  void activeListGolden() throws Exception {
    // Namespace List: NSIDs as 4-byte entries in increasing order, unused entries zero
    byte[] b = new Golden(4096).le32(0, 1).le32(4, 2).le32(8, 0x100).le32(12, 0xFFFF_FFFEL).b;
    ActiveNamespaceList list = ActiveNamespaceList.decode(Golden.be(b));
    assertEquals(List.of(1, 2, 0x100, 0xFFFF_FFFE), list.nsids());
    assertArrayEquals(b, list.toBytes());
    // entries after the terminator are ignored
    byte[] c = new Golden(4096).le32(0, 5).le32(8, 3).b;
    assertEquals(List.of(5), ActiveNamespaceList.decode(ByteBuffer.wrap(c)).nsids());
  }

  @Test
  void activeListFull() throws Exception {
    Golden g = new Golden(4096);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      g.le32(4 * i, 10 + i);
      all.add(10 + i);
    }
    assertEquals(all, ActiveNamespaceList.decode(ByteBuffer.wrap(g.b)).nsids());
    all.add(5000);
    assertThrows(IllegalArgumentException.class, () -> new ActiveNamespaceList(all));
  }

  @Test
  void activeListMalformed() {
    assertThrows(NvmeProtocolException.class,
        () -> ActiveNamespaceList.decode(ByteBuffer.allocate(4092)));
    byte[] backwards = new Golden(4096).le32(0, 7).le32(4, 7).b;
    assertThrows(NvmeProtocolException.class,
        () -> ActiveNamespaceList.decode(ByteBuffer.wrap(backwards)));
    byte[] broadcast = new Golden(4096).le32(0, 0xFFFF_FFFFL).b;
    assertThrows(NvmeProtocolException.class,
        () -> ActiveNamespaceList.decode(ByteBuffer.wrap(broadcast)));
    assertThrows(IllegalArgumentException.class, () -> new ActiveNamespaceList(List.of(3, 2)));
  }

  @Test
  void changedListGoldenAndOverflow() throws Exception {
    byte[] b = new Golden(4096).le32(0, 4).le32(4, 9).b;
    ChangedNamespaceList list = ChangedNamespaceList.decode(Golden.be(b));
    assertEquals(List.of(4, 9), list.nsids());
    assertFalse(list.overflow());
    assertArrayEquals(b, ChangedNamespaceList.of(List.of(9, 4, 9)).toBytes());

    // more than 1024 changed: entry 0 FFFFFFFFh, rest zero
    byte[] over = new Golden(4096).le32(0, 0xFFFF_FFFFL).b;
    ChangedNamespaceList o = ChangedNamespaceList.decode(ByteBuffer.wrap(over));
    assertTrue(o.overflow());
    assertTrue(o.nsids().isEmpty());
    List<Integer> many = new ArrayList<>();
    for (int i = 1; i <= 1025; i++) {
      many.add(i);
    }
    assertArrayEquals(over, ChangedNamespaceList.of(many).toBytes());
  }

  @Test
  void changedListMalformed() {
    assertThrows(NvmeProtocolException.class,
        () -> ChangedNamespaceList.decode(ByteBuffer.allocate(16)));
    byte[] b = new Golden(4096).le32(0, 1).le32(4, 0xFFFF_FFFFL).b;
    assertThrows(NvmeProtocolException.class,
        () -> ChangedNamespaceList.decode(ByteBuffer.wrap(b)));
  }

  @Test
  void controllerListGolden() throws Exception {
    byte[] g = Golden.hex(
        "03 00"     // bytes 1:0 NUMID = 3
        + "01 00"   // identifier 0 = 1
        + "02 00"   // identifier 1 = 2
        + "FF FF"); // identifier 2 = FFFFh
    ControllerList list = ControllerList.decode(Golden.be(g));
    assertEquals(List.of(1, 2, 0xFFFF), list.controllerIds());
    byte[] full = new Golden(4096).bytes(0, g).b;
    assertArrayEquals(full, list.toBytes());
    assertEquals(list, ControllerList.decode(ByteBuffer.wrap(full)));
    assertEquals(List.of(), ControllerList.decode(ByteBuffer.wrap(new byte[2])).controllerIds());
  }

  @Test
  void controllerListMalformed() {
    // NUMID above 2047
    NvmeProtocolException tooMany = assertThrows(NvmeProtocolException.class,
        () -> ControllerList.decode(ByteBuffer.wrap(Golden.hex("FFFF" + "00".repeat(4094)))));
    assertTrue(tooMany.getMessage().contains("NUMID"));
    // NUMID 2047 but only 100 bytes present
    NvmeProtocolException overrun = assertThrows(NvmeProtocolException.class,
        () -> ControllerList.decode(ByteBuffer.wrap(Golden.hex("FF07" + "00".repeat(98)))));
    assertEquals(2 + 2 * 2047, overrun.expectedLength());
    assertEquals(100, overrun.actualLength());
    assertThrows(NvmeProtocolException.class,
        () -> ControllerList.decode(ByteBuffer.wrap(new byte[1])));
    assertThrows(NvmeProtocolException.class,
        () -> ControllerList.decode(ByteBuffer.wrap(Golden.hex("0200 0100"))));
  }
}
