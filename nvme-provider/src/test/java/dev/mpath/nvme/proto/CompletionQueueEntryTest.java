package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompletionQueueEntryTest {

  // Common Completion Queue Entry Layout (Base 2.0): an AER completion for an ANA change.
  static final byte[] ANA_AER_COMPLETION = hex(
      "02 03 0C 00"     // DW0: type 2h (bits 2:0), info 03h (bits 15:8), LID 0Ch (bits 23:16)
      + "00 00 00 00"   // DW1
      + "05 00"         // bytes 9:8   SQHD = 5
      + "00 00"         // bytes 11:10 SQID = 0 (admin)
      + "42 00"         // bytes 13:12 CID = 42h
      + "01 00");       // bytes 15:14 P = 1 (bit 0), Status field = 0 (success)

  // A path error: SCT 3h, SC 02h (Asymmetric Access Inaccessible), phase 1.
  // Status field 302h; DW3 bits 31:16 = (302h << 1) | 1 = 0605h.
  static final byte[] ANA_INACCESSIBLE = hex(
      "00000000 00000000 | 0100 | 0200 | 0700 | 05 06");

  // Reservation Conflict with DNR, M and CRD=2, phase 0: field = 4000h|2000h|1000h|0083h = 7083h;
  // bits 15:0 of the word = 7083h << 1 = E106h.
  static final byte[] CONFLICT_DNR = hex(
      "00000000 00000000 | 0000 | 0100 | 0900 | 06 E1");

  @Test
  void decodesAerCompletion() throws Exception {
    CompletionQueueEntry cqe = new CompletionQueueEntry().wrap(Golden.be(ANA_AER_COMPLETION), 0);
    assertEquals(0x000C0302, cqe.dw0());
    assertEquals(0, cqe.dw1());
    assertEquals(5, cqe.sqhd());
    assertEquals(0, cqe.sqid());
    assertEquals(0x42, cqe.cid());
    assertTrue(cqe.phase());
    assertEquals(0, cqe.statusField());
    assertTrue(cqe.isSuccess());
    assertEquals(AsyncEvent.ANA_CHANGE, AsyncEvent.fromDw0(cqe.dw0()));
  }

  @Test
  void decodesPathError() throws Exception {
    CompletionQueueEntry cqe = new CompletionQueueEntry().wrap(Golden.be(ANA_INACCESSIBLE), 0);
    assertEquals(1, cqe.sqhd());
    assertEquals(2, cqe.sqid());
    assertEquals(7, cqe.cid());
    assertTrue(cqe.phase());
    assertEquals(0x302, cqe.statusField());
    assertFalse(cqe.isSuccess());
    assertEquals(NvmeStatus.ANA_INACCESSIBLE, cqe.status());
    assertTrue(cqe.status().isPathError());
  }

  @Test
  void decodesDnrCrdMore() throws Exception {
    CompletionQueueEntry cqe = new CompletionQueueEntry().wrap(Golden.be(CONFLICT_DNR), 0);
    assertFalse(cqe.phase());
    NvmeStatus s = cqe.status();
    assertEquals(0x7083, s.field());
    assertTrue(s.dnr());
    assertTrue(s.more());
    assertEquals(2, s.crd());
    assertTrue(s.isReservationConflict());
    assertFalse(s.isPathError());
  }

  @Test
  void encodesSameBytes() {
    CompletionQueueEntry cqe = CompletionQueueEntry.allocate();
    cqe.sqhd(1).sqid(2).cid(7).status(NvmeStatus.ANA_INACCESSIBLE).phase(true);
    assertArrayEquals(ANA_INACCESSIBLE, cqe.toBytes());

    cqe.clear().sqid(1).cid(9)
        .statusField(NvmeStatus.field(0, 0x83, 2, true, true));
    assertArrayEquals(CONFLICT_DNR, cqe.toBytes());

    cqe.clear().dw0(AsyncEvent.ANA_CHANGE.toDw0()).sqhd(5).cid(0x42).phase(true);
    assertArrayEquals(ANA_AER_COMPLETION, cqe.toBytes());
  }

  @Test
  void phaseAndStatusAreIndependent() {
    CompletionQueueEntry cqe = CompletionQueueEntry.allocate();
    cqe.phase(true).statusField(0x7FFF);
    assertTrue(cqe.phase());
    assertEquals(0x7FFF, cqe.statusField());
    cqe.phase(false);
    assertEquals(0x7FFF, cqe.statusField());
    cqe.statusField(0);
    assertFalse(cqe.phase());
    cqe.phase(true).statusField(0x123);
    assertTrue(cqe.phase());
  }
}
