package dev.mpath.scsi.host;

import dev.mpath.ReservationConflictException;
import dev.mpath.TargetErrorException;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.spi.Disposition;
import java.util.Optional;

/**
 * What a SCSI response means for multipath (after Linux {@code scsi_io_completion},
 * {@code scsi_dh_alua} and {@code blk_path_error}).
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>response</th><th>verdict</th></tr>
 *   <tr><td>GOOD, all data moved; RECOVERED ERROR</td><td>SUCCESS</td></tr>
 *   <tr><td>GOOD with a residual (partial transfer)</td><td>PATH_ERROR: the clone is dropped,
 *       the original resubmitted in full elsewhere</td></tr>
 *   <tr><td>RESERVATION CONFLICT</td><td>TARGET_ERROR (never fails over)</td></tr>
 *   <tr><td>BUSY, TASK SET FULL, ACA ACTIVE</td><td>RETRY after 100 ms</td></tr>
 *   <tr><td>TASK ABORTED</td><td>PATH_ERROR</td></tr>
 *   <tr><td>UNIT ATTENTION (any)</td><td>RETRY at once (the attention is consumed); 2A/06,
 *       2A/07, 29/xx, 3F/03, 3F/0E also re-check ALUA</td></tr>
 *   <tr><td>NOT READY 04/01 becoming ready</td><td>RETRY after 1 s</td></tr>
 *   <tr><td>NOT READY 04/0A transitioning, 04/0B standby, 04/0C unavailable, other NOT
 *       READY</td><td>PATH_ERROR, with an ALUA re-check</td></tr>
 *   <tr><td>ABORTED COMMAND, HARDWARE ERROR</td><td>PATH_ERROR</td></tr>
 *   <tr><td>MEDIUM ERROR, ILLEGAL REQUEST, DATA PROTECT, BLANK CHECK, MISCOMPARE, other</td>
 *       <td>TARGET_ERROR (never fails over)</td></tr>
 *   <tr><td>CHECK CONDITION without readable sense</td><td>PATH_ERROR</td></tr>
 * </table>
 */
public final class ScsiClassifier {
  private ScsiClassifier() {}

  /** A verdict with what goes with it. */
  public record Verdict(
      Disposition disposition, Exception error, long retryDelayMillis, boolean aluaRecheck) {}

  static final Verdict SUCCESS = new Verdict(Disposition.SUCCESS, null, 0, false);

  /** Classifies {@code r} for a command that expected {@code expectedBytes} of data. */
  public static Verdict classify(ScsiResult r, int expectedBytes, String where) {
    switch (r.status()) {
      case ScsiResult.GOOD:
        if (r.residual() > 0 || r.transferred() < expectedBytes) {
          return new Verdict(Disposition.PATH_ERROR,
              new java.io.IOException(where + ": partial transfer, " + r.transferred() + " of "
                  + expectedBytes + " bytes"), 0, false);
        }
        return SUCCESS;
      case ScsiResult.RESERVATION_CONFLICT:
        return new Verdict(Disposition.TARGET_ERROR,
            new ReservationConflictException(where + ": RESERVATION CONFLICT", "scsi", r.status()),
            0, false);
      case ScsiResult.BUSY:
      case ScsiResult.TASK_SET_FULL:
      case ScsiResult.ACA_ACTIVE:
        return new Verdict(Disposition.RETRY, error(r, where), 100, false);
      case ScsiResult.CHECK_CONDITION:
        return checkCondition(r, where);
      case ScsiResult.TASK_ABORTED:
      default:
        return new Verdict(Disposition.PATH_ERROR, error(r, where), 0, false);
    }
  }

  private static Verdict checkCondition(ScsiResult r, String where) {
    Optional<SenseData> sd = r.senseData();
    if (sd.isEmpty()) {
      return new Verdict(Disposition.PATH_ERROR, error(r, where), 0, false);
    }
    SenseData s = sd.get();
    SenseKey key = s.senseKey();
    int asc = s.asc();
    int ascq = s.ascq();
    switch (key) {
      case NO_SENSE:
      case RECOVERED_ERROR:
        return SUCCESS;
      case UNIT_ATTENTION:
        boolean alua = asc == 0x29 || (asc == 0x2A && (ascq == 0x06 || ascq == 0x07))
            || (asc == 0x3F && (ascq == 0x03 || ascq == 0x0E));
        return new Verdict(Disposition.RETRY, error(r, where), 0, alua);
      case NOT_READY:
        if (asc == 0x04 && ascq == 0x01) {
          return new Verdict(Disposition.RETRY, error(r, where), 1000, false);
        }
        return new Verdict(Disposition.PATH_ERROR, error(r, where), 0, asc == 0x04);
      case ABORTED_COMMAND:
      case HARDWARE_ERROR:
        return new Verdict(Disposition.PATH_ERROR, error(r, where), 0, false);
      default:
        return new Verdict(Disposition.TARGET_ERROR, error(r, where), 0, false);
    }
  }

  /** The typed error for a non-GOOD response. */
  public static Exception error(ScsiResult r, String where) {
    if (r.status() == ScsiResult.RESERVATION_CONFLICT) {
      return new ReservationConflictException(where + ": RESERVATION CONFLICT", "scsi", r.status());
    }
    Optional<SenseData> sd = r.senseData();
    int detail = sd.map(s -> s.senseKey().code() << 16 | s.asc() << 8 | s.ascq()).orElse(0);
    String text = sd.map(s -> s.senseKey() + " " + s.additionalSense())
        .orElse("status 0x" + Integer.toHexString(r.status()));
    return new TargetErrorException(where + ": " + text, "scsi", r.status(), detail);
  }
}
