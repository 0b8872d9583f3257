package dev.mpath.nvme.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.spi.Disposition;
import org.junit.jupiter.api.Test;

/**
 * Dispositions of raw 15-bit status fields (NVMe base 2.0 Figure 96: SC bits 7:0, SCT bits
 * 10:8, CRD bits 12:11, M bit 13, DNR bit 14), written as the spec lays them out.
 */
class NvmeClassifierTest {
  private static final int DNR = 1 << 14;

  @Test
  void successReservationConflictAndDnr() {
    assertEquals(Disposition.SUCCESS, NvmeClassifier.classify(0x000));
    // Reservation Conflict (SCT 0h, SC 83h): never a failover, with or without DNR
    assertEquals(Disposition.TARGET_ERROR, NvmeClassifier.classify(0x083));
    assertEquals(Disposition.TARGET_ERROR, NvmeClassifier.classify(DNR | 0x083));
    // LBA Out of Range (0/80h) with DNR: the caller's error
    assertEquals(Disposition.TARGET_ERROR, NvmeClassifier.classify(DNR | 0x080));
    // without DNR, a generic error is retried on the path (CRD 1 selects the delay)
    assertEquals(Disposition.RETRY, NvmeClassifier.classify(0x080));
    assertEquals(Disposition.RETRY, NvmeClassifier.classify(1 << 11 | 0x006));
  }

  @Test
  void pathRelatedAndInvalidNamespaceFailOverWhateverDnrSays() {
    // SCT 3h: Internal Path Error 00h, ANA Persistent Loss 01h, Inaccessible 02h,
    // Transition 03h, Controller Pathing Error 60h, Host Pathing Error 70h, Aborted By Host 71h
    for (int sc : new int[] {0x00, 0x01, 0x02, 0x03, 0x60, 0x70, 0x71}) {
      assertEquals(Disposition.PATH_ERROR, NvmeClassifier.classify(0x300 | sc));
      assertEquals(Disposition.PATH_ERROR, NvmeClassifier.classify(DNR | 0x300 | sc));
    }
    // Invalid Namespace or Format (0/0Bh): what a controller says after a detach (defect 2)
    assertEquals(Disposition.PATH_ERROR, NvmeClassifier.classify(0x00B));
    assertEquals(Disposition.PATH_ERROR, NvmeClassifier.classify(DNR | 0x00B));
  }
}
