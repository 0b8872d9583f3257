package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Command builders against hand-written SQE bytes (offsets from the Common Command Format). */
class CommandsTest {

  /** Builds the 64 expected bytes from CDW0..CDW1 and CDW10..CDW15 hex; the rest is zero. */
  private static byte[] sqe(String cdw0AndNsid, String cdw10to15) {
    return hex(cdw0AndNsid + "00000000 00000000" + "0000000000000000" + "0000000000000000"
        + "0000000000000000" + cdw10to15);
  }

  private static SubmissionQueueEntry dirty() {
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    for (int i = 0; i < 16; i++) {
      sqe.cdw(i, -1);
    }
    return sqe; // builders must clear what they do not set
  }

  @Test
  void identifyController() {
    SubmissionQueueEntry sqe = IdentifyCommand.controller(dirty(), 1);
    assertArrayEquals(sqe(
        "06 00 0100 | 00000000",          // OPC 06h, CID 1, NSID 0
        "01000000"                          // CDW10 CNS 01h (bits 7:0), CNTID 0 (bits 31:16)
        + "00000000 00000000 00000000 00000000 00000000"), sqe.toBytes());
    assertEquals(IdentifyCommand.CNS_CONTROLLER, IdentifyCommand.cns(sqe));
  }

  @Test
  void identifyAttachedControllersWithCntidAndCsi() {
    SubmissionQueueEntry sqe = IdentifyCommand.fill(dirty(), 0x0203, 5, 0x12, 0x0102, 0x0304, 0x02);
    assertArrayEquals(sqe(
        "06 00 0302 | 05000000",
        "12 00 02 01"        // CDW10: CNS 12h, bits 15:8 reserved, CNTID 0102h in bits 31:16
        + "04 03 00 02"      // CDW11: CNSSID 0304h (bits 15:0), CSI 02h (bits 31:24)
        + "00000000 00000000 00000000 00000000"), sqe.toBytes());
    assertEquals(0x12, IdentifyCommand.cns(sqe));
    assertEquals(0x0102, IdentifyCommand.cntid(sqe));
    assertEquals(0x0304, IdentifyCommand.cnsSpecificId(sqe));
    assertEquals(0x02, IdentifyCommand.csi(sqe));
  }

  @Test
  void getLogPageAnaWithNumduLpouRgoRae() {
    // 262152 bytes = 10002h dwords -> NUMD zero-based 10001h: NUMDL 0001h, NUMDU 0001h
    SubmissionQueueEntry sqe = GetLogPageCommand.fill(dirty(), 9, -1, 0x0C,
        GetLogPageCommand.LSP_ANA_RGO, true, 0x40008, 0x1_0000_0010L);
    assertArrayEquals(sqe(
        "02 00 0900 | FFFFFFFF",
        "0C 81 01 00"     // CDW10: LID 0Ch, LSP 1 (bits 14:8) + RAE (bit 15) = 81h, NUMDL 0001h
        + "01 00 00 00"   // CDW11: NUMDU 0001h, LSI 0
        + "10 00 00 00"   // CDW12: LPOL
        + "01 00 00 00"   // CDW13: LPOU
        + "00000000 00000000"), sqe.toBytes());
    assertEquals(0x0C, GetLogPageCommand.lid(sqe));
    assertEquals(1, GetLogPageCommand.lsp(sqe));
    assertTrue(GetLogPageCommand.rae(sqe));
    assertEquals(0x10002, GetLogPageCommand.numberOfDwords(sqe));
    assertEquals(0x40008, GetLogPageCommand.lengthBytes(sqe));
    assertEquals(0x1_0000_0010L, GetLogPageCommand.offsetBytes(sqe));
  }

  @Test
  void getLogPageChangedNamespaces() {
    SubmissionQueueEntry sqe = GetLogPageCommand.changedNamespaceList(dirty(), 2, false);
    // 4096 bytes = 1024 dwords -> NUMDL 3FFh
    assertArrayEquals(sqe(
        "02 00 0200 | FFFFFFFF",
        "04 00 FF 03 | 00000000 | 00000000 00000000 00000000 00000000"), sqe.toBytes());
    assertFalse(GetLogPageCommand.rae(sqe));
    assertThrows(IllegalArgumentException.class,
        () -> GetLogPageCommand.fill(dirty(), 1, 0, 2, 0x80, false, 512, 0));
    assertThrows(IllegalArgumentException.class,
        () -> GetLogPageCommand.fill(dirty(), 1, 0, 2, 0, false, 510, 0));
    assertThrows(IllegalArgumentException.class,
        () -> GetLogPageCommand.fill(dirty(), 1, 0, 2, 0, false, 512, 2));
  }

  @Test
  void readWriteAndWriteZeroes() {
    SubmissionQueueEntry w = ReadWriteCommand.write(dirty(), 3, 2, 0x10, 8, true);
    assertArrayEquals(sqe(
        "01 00 0300 | 02000000",
        "10000000 00000000"
        + "07 00 00 40"       // CDW12: NLB 7, FUA bit 30
        + "00000000 00000000 00000000"), w.toBytes());
    assertTrue(ReadWriteCommand.fua(w));
    assertFalse(ReadWriteCommand.limitedRetry(w));

    SubmissionQueueEntry z = WriteZeroesCommand.fill(dirty(), 4, 1, -1L, 65536, true, true);
    assertArrayEquals(sqe(
        "08 00 0400 | 01000000",
        "FFFFFFFF FFFFFFFF"
        + "FF FF 00 42"       // CDW12: NLB FFFFh, DEAC bit 25, FUA bit 30
        + "00000000 00000000 00000000"), z.toBytes());
    assertEquals(65536, WriteZeroesCommand.blocks(z));
    assertTrue(WriteZeroesCommand.deallocate(z));
    assertEquals(-1L, WriteZeroesCommand.slba(z));

    assertThrows(IllegalArgumentException.class, () -> ReadWriteCommand.read(dirty(), 1, 1, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> ReadWriteCommand.read(dirty(), 1, 1, 0, 65537));
    assertThrows(IllegalArgumentException.class,
        () -> ReadWriteCommand.fill(dirty(), NvmOpcode.FLUSH, 1, 1, 0, 1, false));
  }

  @Test
  void flushKeepAliveAerAbort() {
    assertArrayEquals(sqe("00 00 0500 | FFFFFFFF", "00000000".repeat(6)),
        FlushCommand.fill(dirty(), 5, -1).toBytes());
    assertArrayEquals(sqe("18 00 0600 | 00000000", "00000000".repeat(6)),
        KeepAliveCommand.fill(dirty(), 6).toBytes());
    assertArrayEquals(sqe("0C 00 0700 | 00000000", "00000000".repeat(6)),
        AsyncEventRequestCommand.fill(dirty(), 7).toBytes());
    SubmissionQueueEntry a = AbortCommand.fill(dirty(), 8, 1, 0x55);
    assertArrayEquals(sqe("08 00 0800 | 00000000",
        "01 00 55 00" // CDW10: SQID 1 (bits 15:0), CID 55h (bits 31:16)
        + "00000000".repeat(5)), a.toBytes());
    assertEquals(1, AbortCommand.sqid(a));
    assertEquals(0x55, AbortCommand.targetCid(a));
  }

  @Test
  void features() {
    SubmissionQueueEntry s = FeatureCommand.setFeatures(dirty(), 1, 0,
        FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION, true,
        FeatureCommand.AEC_ANA_CHANGE_NOTICES | FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES);
    assertArrayEquals(sqe("09 00 0100 | 00000000",
        "0B 00 00 80"   // CDW10: FID 0Bh, SV bit 31
        + "00 09 00 00" // CDW11: bits 8 and 11
        + "00000000".repeat(4)), s.toBytes());
    assertTrue(FeatureCommand.save(s));

    SubmissionQueueEntry g = FeatureCommand.getFeatures(dirty(), 2, 0,
        FeatureCommand.FID_KEEP_ALIVE_TIMER, FeatureCommand.SEL_SUPPORTED_CAPABILITIES, 0);
    assertArrayEquals(sqe("0A 00 0200 | 00000000",
        "0F 03 00 00" + "00000000".repeat(5)), g.toBytes());
    assertEquals(3, FeatureCommand.select(g));
    assertEquals(0x0003_0003, FeatureCommand.numberOfQueues(4, 4));
  }

  @Test
  void namespaceAttachment() {
    SubmissionQueueEntry n = NamespaceAttachmentCommand.fill(dirty(), 1, 7,
        NamespaceAttachmentCommand.SEL_DETACH);
    assertArrayEquals(sqe("15 00 0100 | 07000000", "01000000" + "00000000".repeat(5)),
        n.toBytes());
    assertEquals(1, NamespaceAttachmentCommand.sel(n));
  }

  @Test
  void datasetManagement() {
    SubmissionQueueEntry d = DatasetManagementCommand.fill(dirty(), 1, 1, 3,
        DatasetManagementCommand.ATTR_AD);
    assertArrayEquals(sqe("09 00 0100 | 01000000",
        "02000000"      // CDW10: NR = 2 (three ranges, zero-based)
        + "04000000"    // CDW11: AD bit 2
        + "00000000".repeat(4)), d.toBytes());
    assertEquals(3, DatasetManagementCommand.ranges(d));
    assertEquals(48, DatasetManagementCommand.dataLength(d));
    assertTrue(DatasetManagementCommand.deallocate(d));
    assertThrows(IllegalArgumentException.class,
        () -> DatasetManagementCommand.fill(dirty(), 1, 1, 257, 0));
  }

  @Test
  void reservations() {
    SubmissionQueueEntry r = ReservationRegisterCommand.fill(dirty(), 1, 1,
        ReservationRegisterCommand.RREGA_REPLACE, true, ReservationRegisterCommand.CPTPL_SET);
    assertArrayEquals(sqe("0D 00 0100 | 01000000",
        "0A 00 00 C0"   // CDW10: RREGA 010b, IEKEY bit 3, CPTPL 11b in bits 31:30
        + "00000000".repeat(5)), r.toBytes());
    assertEquals(2, ReservationRegisterCommand.rrega(r));
    assertTrue(ReservationRegisterCommand.iekey(r));
    assertEquals(3, ReservationRegisterCommand.cptpl(r));

    SubmissionQueueEntry a = ReservationAcquireCommand.fill(dirty(), 2, 1,
        ReservationAcquireCommand.RACQA_PREEMPT_AND_ABORT, false,
        NvmeReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
    assertArrayEquals(sqe("11 00 0200 | 01000000",
        "02 04 00 00"   // CDW10: RACQA 010b, RTYPE 4 in bits 15:8
        + "00000000".repeat(5)), a.toBytes());
    assertEquals(4, ReservationAcquireCommand.rtype(a));

    SubmissionQueueEntry rel = ReservationReleaseCommand.fill(dirty(), 3, 1,
        ReservationReleaseCommand.RRELA_RELEASE, false,
        NvmeReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
    assertArrayEquals(sqe("15 00 0300 | 01000000", "00 05 00 00" + "00000000".repeat(5)),
        rel.toBytes());
    SubmissionQueueEntry clr = ReservationReleaseCommand.fill(dirty(), 3, 1,
        ReservationReleaseCommand.RRELA_CLEAR, true, null);
    assertArrayEquals(sqe("15 00 0300 | 01000000", "09 00 00 00" + "00000000".repeat(5)),
        clr.toBytes());

    SubmissionQueueEntry rep = ReservationReportCommand.fill(dirty(), 4, 1, 4096, true);
    assertArrayEquals(sqe("0E 00 0400 | 01000000",
        "FF 03 00 00"   // CDW10: NUMD 3FFh (1024 dwords, zero-based)
        + "01 00 00 00" // CDW11: EDS
        + "00000000".repeat(4)), rep.toBytes());
    assertEquals(4096, ReservationReportCommand.lengthBytes(rep));
    assertTrue(ReservationReportCommand.eds(rep));
  }

  @Test
  void opcodeNames() {
    assertEquals("Identify", AdminOpcode.name(AdminOpcode.IDENTIFY));
    assertEquals("Reservation Acquire", NvmOpcode.name(NvmOpcode.RESERVATION_ACQUIRE));
    assertEquals("Admin opcode 0xc3", AdminOpcode.name(0xC3));
    assertEquals(0x15, AdminOpcode.NAMESPACE_ATTACHMENT);
    assertEquals(0x15, NvmOpcode.RESERVATION_RELEASE);
  }
}
