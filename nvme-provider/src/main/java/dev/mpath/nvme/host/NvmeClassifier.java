package dev.mpath.nvme.host;

import dev.mpath.ReservationConflictException;
import dev.mpath.TargetErrorException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.spi.Disposition;

/**
 * What a completion status means for multipath (after Linux
 * {@code nvme_decide_disposition}):
 *
 * <ol>
 *   <li>success: {@link Disposition#SUCCESS};
 *   <li>Reservation Conflict (83h): {@link Disposition#TARGET_ERROR}, whatever DNR says, so
 *       a fenced host never fails over;
 *   <li>path related (SCT 3h: internal path error, ANA inaccessible / persistent loss /
 *       transition, controller or host pathing error, aborted by host), and Invalid
 *       Namespace or Format (0/0Bh): {@link Disposition#PATH_ERROR}, whatever DNR says.
 *       DNR forbids resubmitting the command to the controller that failed it; a failover
 *       is a new submission to another controller. Invalid Namespace is what a controller
 *       answers once the namespace is detached from it, which is that path's view: I/O
 *       racing a detach then fails over, or waits in the queue for delayed removal,
 *       rather than reaching the caller while another path may have the namespace;
 *   <li>DNR set: {@link Disposition#TARGET_ERROR};
 *   <li>anything else: {@link Disposition#RETRY} on the same path, after the Command Retry
 *       Delay the CRD field selects.
 * </ol>
 */
public final class NvmeClassifier {
  private static final int INVALID_NAMESPACE = NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code();

  private NvmeClassifier() {}

  /** The disposition of a 15-bit status field. Allocation-free. */
  public static Disposition classify(int statusField) {
    int code = NvmeStatus.code(statusField);
    if (code == 0) {
      return Disposition.SUCCESS;
    }
    if (code == NvmeStatus.RESERVATION_CONFLICT.code()) {
      return Disposition.TARGET_ERROR;
    }
    if (NvmeStatus.isPathError(statusField) || code == INVALID_NAMESPACE) {
      return Disposition.PATH_ERROR;
    }
    if (NvmeStatus.dnr(statusField)) {
      return Disposition.TARGET_ERROR;
    }
    return Disposition.RETRY;
  }

  /** The exception a caller gets for a non-success status (allocated: error path only). */
  public static Exception error(int statusField, String where) {
    NvmeStatus s = NvmeStatus.fromField(statusField);
    String message = where + ": " + s.name() + " (SCT " + s.sct() + "h SC "
        + Integer.toHexString(s.sc()) + "h" + (s.dnr() ? ", DNR" : "") + ")";
    if (s.isReservationConflict()) {
      return new ReservationConflictException(message, "nvme", s.code());
    }
    return new TargetErrorException(message, "nvme", s.code(), 0);
  }
}
