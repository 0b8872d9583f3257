package dev.mpath;

/**
 * The device refused the request because of a persistent reservation held by another
 * host (SCSI status RESERVATION CONFLICT 18h; NVMe status 83h Reservation Conflict).
 *
 * <p>This is how fencing shows up: it is never retried and never causes a failover, since
 * every path of a fenced host must see the same refusal.
 */
public class ReservationConflictException extends TargetErrorException {
  private static final long serialVersionUID = 1L;

  public ReservationConflictException(String message, String protocol, int status) {
    super(message, protocol, status, 0);
  }
}
