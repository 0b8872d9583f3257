package dev.mpath.scsi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.mpath.ReservationConflictException;
import dev.mpath.TargetErrorException;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.spi.Disposition;
import org.junit.jupiter.api.Test;

/** The sense classification table of {@link ScsiClassifier}. */
class ScsiClassifierTest {

  private static ScsiClassifier.Verdict check(SenseKey key, int asc, int ascq) {
    byte[] sense = SenseData.of(key, Asc.of(asc, ascq)).encode();
    return ScsiClassifier.classify(new ScsiResult(ScsiResult.CHECK_CONDITION, sense, 0, 0), 0, "t");
  }

  private static void row(SenseKey key, int asc, int ascq, Disposition d, boolean alua) {
    ScsiClassifier.Verdict v = check(key, asc, ascq);
    String what = key + " " + Integer.toHexString(asc) + "/" + Integer.toHexString(ascq);
    assertEquals(d, v.disposition(), what);
    assertEquals(alua, v.aluaRecheck(), what + " ALUA re-check");
  }

  @Test
  void senseTable() {
    row(SenseKey.UNIT_ATTENTION, 0x29, 0x00, Disposition.RETRY, true);
    row(SenseKey.UNIT_ATTENTION, 0x2A, 0x06, Disposition.RETRY, true);
    row(SenseKey.UNIT_ATTENTION, 0x2A, 0x07, Disposition.RETRY, true);
    row(SenseKey.UNIT_ATTENTION, 0x3F, 0x03, Disposition.RETRY, true);
    row(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E, Disposition.RETRY, true);
    row(SenseKey.UNIT_ATTENTION, 0x2A, 0x03, Disposition.RETRY, false); // reservations preempted
    row(SenseKey.UNIT_ATTENTION, 0x2A, 0x05, Disposition.RETRY, false);
    row(SenseKey.NOT_READY, 0x04, 0x01, Disposition.RETRY, false);
    row(SenseKey.NOT_READY, 0x04, 0x0A, Disposition.PATH_ERROR, true);
    row(SenseKey.NOT_READY, 0x04, 0x0B, Disposition.PATH_ERROR, true);
    row(SenseKey.NOT_READY, 0x04, 0x0C, Disposition.PATH_ERROR, true);
    row(SenseKey.ABORTED_COMMAND, 0x47, 0x00, Disposition.PATH_ERROR, false);
    row(SenseKey.HARDWARE_ERROR, 0x44, 0x00, Disposition.PATH_ERROR, false);
    row(SenseKey.MEDIUM_ERROR, 0x11, 0x00, Disposition.TARGET_ERROR, false);
    row(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00, Disposition.TARGET_ERROR, false);
    row(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, Disposition.TARGET_ERROR, false);
    row(SenseKey.DATA_PROTECT, 0x27, 0x00, Disposition.TARGET_ERROR, false);
    row(SenseKey.RECOVERED_ERROR, 0x00, 0x00, Disposition.SUCCESS, false);
  }

  @Test
  void mediumErrorCarriesTheSenseAsDetail() {
    ScsiClassifier.Verdict v = check(SenseKey.MEDIUM_ERROR, 0x11, 0x00);
    TargetErrorException e = assertInstanceOf(TargetErrorException.class, v.error());
    assertEquals(ScsiResult.CHECK_CONDITION, e.status());
    assertEquals(0x03_11_00, e.detail());
    assertEquals("scsi", e.protocol());
  }

  @Test
  void statusTable() {
    assertEquals(Disposition.SUCCESS, ScsiClassifier.classify(new ScsiResult(0, null, 512, 0), 512, "t").disposition());
    ScsiClassifier.Verdict partial = ScsiClassifier.classify(new ScsiResult(0, null, 256, 256), 512, "t");
    assertEquals(Disposition.PATH_ERROR, partial.disposition(), "a residual is a partial transfer");
    ScsiClassifier.Verdict rc = ScsiClassifier.classify(new ScsiResult(0x18, null, 0, 0), 512, "t");
    assertEquals(Disposition.TARGET_ERROR, rc.disposition());
    assertInstanceOf(ReservationConflictException.class, rc.error());
    assertEquals(Disposition.RETRY, ScsiClassifier.classify(new ScsiResult(0x08, null, 0, 0), 0, "t").disposition());
    assertEquals(Disposition.RETRY, ScsiClassifier.classify(new ScsiResult(0x28, null, 0, 0), 0, "t").disposition());
    assertEquals(Disposition.PATH_ERROR, ScsiClassifier.classify(new ScsiResult(0x40, null, 0, 0), 0, "t").disposition());
    assertEquals(Disposition.PATH_ERROR,
        ScsiClassifier.classify(new ScsiResult(0x02, new byte[] {0x70}, 0, 0), 0, "t").disposition(),
        "unreadable sense: assume the path");
  }
}
