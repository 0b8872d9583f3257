package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NvmeStatusTest {

  @Test
  void decomposesTheFifteenBitField() {
    // DNR bit 14 | M bit 13 | CRD 3 (bits 12:11) | SCT 2 (bits 10:8) | SC 81h (bits 7:0)
    int field = 0x4000 | 0x2000 | 0x1800 | 0x0200 | 0x81;
    NvmeStatus s = NvmeStatus.fromField(field);
    assertEquals(0x81, s.sc());
    assertEquals(2, s.sct());
    assertEquals(3, s.crd());
    assertTrue(s.more());
    assertTrue(s.dnr());
    assertEquals(0x281, s.code());
    assertEquals(StatusCodeType.MEDIA_AND_DATA_INTEGRITY, s.type());
    assertTrue(s.is(NvmeStatus.UNRECOVERED_READ_ERROR));
    assertNotEquals(NvmeStatus.UNRECOVERED_READ_ERROR, s);
    assertEquals("Unrecovered Read Error", s.name());
  }

  @Test
  void fromCqeDw3DropsPhaseAndCid() {
    // DW3: status 0303h in bits 31:17, P=1 in bit 16, CID ABCDh in bits 15:0
    int dw3 = (0x303 << 17) | (1 << 16) | 0xABCD;
    NvmeStatus s = NvmeStatus.fromCqeDw3(dw3);
    assertEquals(NvmeStatus.ANA_TRANSITION, s);
    assertFalse(s.dnr());
  }

  @Test
  void specCodesOfTheConstants() {
    assertEquals(0x000, NvmeStatus.SUCCESS.code());
    assertEquals(0x001, NvmeStatus.INVALID_OPCODE.code());
    assertEquals(0x002, NvmeStatus.INVALID_FIELD.code());
    assertEquals(0x003, NvmeStatus.COMMAND_ID_CONFLICT.code());
    assertEquals(0x004, NvmeStatus.DATA_TRANSFER_ERROR.code());
    assertEquals(0x005, NvmeStatus.ABORTED_POWER_LOSS.code());
    assertEquals(0x006, NvmeStatus.INTERNAL_ERROR.code());
    assertEquals(0x007, NvmeStatus.ABORT_REQUESTED.code());
    assertEquals(0x008, NvmeStatus.ABORTED_SQ_DELETION.code());
    assertEquals(0x00B, NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code());
    assertEquals(0x00C, NvmeStatus.COMMAND_SEQUENCE_ERROR.code());
    assertEquals(0x020, NvmeStatus.NAMESPACE_WRITE_PROTECTED.code());
    assertEquals(0x021, NvmeStatus.COMMAND_INTERRUPTED.code());
    assertEquals(0x022, NvmeStatus.TRANSIENT_TRANSPORT_ERROR.code());
    assertEquals(0x080, NvmeStatus.LBA_OUT_OF_RANGE.code());
    assertEquals(0x081, NvmeStatus.CAPACITY_EXCEEDED.code());
    assertEquals(0x082, NvmeStatus.NAMESPACE_NOT_READY.code());
    assertEquals(0x083, NvmeStatus.RESERVATION_CONFLICT.code());
    assertEquals(0x084, NvmeStatus.FORMAT_IN_PROGRESS.code());
    assertEquals(0x109, NvmeStatus.INVALID_LOG_PAGE.code());
    assertEquals(0x118, NvmeStatus.NAMESPACE_ALREADY_ATTACHED.code());
    assertEquals(0x119, NvmeStatus.NAMESPACE_IS_PRIVATE.code());
    assertEquals(0x11A, NvmeStatus.NAMESPACE_NOT_ATTACHED.code());
    assertEquals(0x11C, NvmeStatus.CONTROLLER_LIST_INVALID.code());
    assertEquals(0x280, NvmeStatus.WRITE_FAULT.code());
    assertEquals(0x281, NvmeStatus.UNRECOVERED_READ_ERROR.code());
    assertEquals(0x285, NvmeStatus.COMPARE_FAILURE.code());
    assertEquals(0x286, NvmeStatus.ACCESS_DENIED.code());
    assertEquals(0x300, NvmeStatus.INTERNAL_PATH_ERROR.code());
    assertEquals(0x301, NvmeStatus.ANA_PERSISTENT_LOSS.code());
    assertEquals(0x302, NvmeStatus.ANA_INACCESSIBLE.code());
    assertEquals(0x303, NvmeStatus.ANA_TRANSITION.code());
    assertEquals(0x360, NvmeStatus.CONTROLLER_PATHING_ERROR.code());
    assertEquals(0x370, NvmeStatus.HOST_PATHING_ERROR.code());
    assertEquals(0x371, NvmeStatus.COMMAND_ABORTED_BY_HOST.code());
  }

  @Test
  void pathAndAnaPredicates() {
    for (NvmeStatus s : new NvmeStatus[] {NvmeStatus.INTERNAL_PATH_ERROR,
        NvmeStatus.CONTROLLER_PATHING_ERROR, NvmeStatus.HOST_PATHING_ERROR,
        NvmeStatus.COMMAND_ABORTED_BY_HOST}) {
      assertTrue(s.isPathError(), s::toString);
      assertFalse(s.isAnaError(), s::toString);
    }
    for (NvmeStatus s : new NvmeStatus[] {NvmeStatus.ANA_PERSISTENT_LOSS,
        NvmeStatus.ANA_INACCESSIBLE, NvmeStatus.ANA_TRANSITION}) {
      assertTrue(s.isPathError(), s::toString);
      assertTrue(s.isAnaError(), s::toString);
      assertTrue(NvmeStatus.isAnaError(s.withDnr(true).field()));
    }
    assertFalse(NvmeStatus.RESERVATION_CONFLICT.isPathError());
    assertFalse(NvmeStatus.LBA_OUT_OF_RANGE.isPathError());
    // SC 01h under another SCT is not an ANA error
    assertFalse(NvmeStatus.of(1, 0x01).isAnaError());
    assertTrue(NvmeStatus.isPathError(0x4000 | 0x3FF));
    assertEquals(Optional.of(AnaState.INACCESSIBLE), NvmeStatus.ANA_INACCESSIBLE.impliedAnaState());
    assertEquals(Optional.of(AnaState.PERSISTENT_LOSS),
        NvmeStatus.ANA_PERSISTENT_LOSS.impliedAnaState());
    assertEquals(Optional.of(AnaState.CHANGE), NvmeStatus.ANA_TRANSITION.impliedAnaState());
    assertEquals(Optional.empty(), NvmeStatus.INTERNAL_PATH_ERROR.impliedAnaState());
  }

  @Test
  void buildersAndCopies() {
    NvmeStatus s = NvmeStatus.of(3, 0x02).withDnr(true).withCrd(1).withMore(true);
    assertEquals(0x4000 | 0x2000 | 0x0800 | 0x302, s.field());
    assertEquals(s.field(), NvmeStatus.field(3, 0x02, 1, true, true));
    assertEquals(0x302, s.withDnr(false).withCrd(0).withMore(false).field());
    assertSame(NvmeStatus.SUCCESS, NvmeStatus.fromField(0));
    assertEquals(NvmeStatus.RESERVATION_CONFLICT, NvmeStatus.ofCode(0x83));
    assertTrue(NvmeStatus.SUCCESS.isSuccess());
    assertFalse(NvmeStatus.SUCCESS.withDnr(true).equals(NvmeStatus.SUCCESS));
    assertTrue(NvmeStatus.SUCCESS.withDnr(true).isSuccess());
    assertThrows(IllegalArgumentException.class, () -> NvmeStatus.fromField(0x8000));
    assertThrows(IllegalArgumentException.class, () -> NvmeStatus.of(8, 0));
    assertThrows(IllegalArgumentException.class, () -> NvmeStatus.ofCode(0x800));
  }

  @Test
  void typesAndNames() {
    assertEquals(StatusCodeType.GENERIC, NvmeStatus.of(0, 0x5A).type());
    assertEquals(StatusCodeType.COMMAND_SPECIFIC, NvmeStatus.of(1, 0).type());
    assertEquals(StatusCodeType.PATH_RELATED, NvmeStatus.of(3, 0x99).type());
    assertEquals(StatusCodeType.RESERVED, NvmeStatus.of(5, 0).type());
    assertEquals(StatusCodeType.VENDOR_SPECIFIC, NvmeStatus.of(7, 0xC0).type());
    assertEquals("Vendor Specific status 0xc0", NvmeStatus.of(7, 0xC0).name());
    assertEquals("Asymmetric Access Inaccessible", NvmeStatus.ANA_INACCESSIBLE.name());
    assertTrue(NvmeStatus.ANA_INACCESSIBLE.withDnr(true).toString().contains("dnr"));
  }
}
