package dev.mpath;

/**
 * The device answered the request with an error that no other path would change (medium
 * error, invalid field, LBA out of range, NVMe DNR set...). Never causes a failover.
 *
 * <p>Carries the protocol's status so callers can act on it without parsing messages:
 * for NVMe, {@link #status()} is the 11-bit (SCT &lt;&lt; 8 | SC) status and
 * {@link #detail()} 0; for SCSI, {@link #status()} is the SAM status byte and
 * {@link #detail()} is {@code senseKey << 16 | asc << 8 | ascq} (0 without sense).
 */
public class TargetErrorException extends MpathException {
  private static final long serialVersionUID = 1L;

  private final String protocol;
  private final int status;
  private final int detail;

  /**
   * @param protocol "nvme", "scsi" or a plugin's protocol name
   * @param status protocol status, see the class comment
   * @param detail protocol detail, see the class comment
   */
  public TargetErrorException(String message, String protocol, int status, int detail) {
    super(message);
    this.protocol = protocol;
    this.status = status;
    this.detail = detail;
  }

  /** The protocol whose status this is. */
  public String protocol() {
    return protocol;
  }

  /** The protocol status (see the class comment). */
  public int status() {
    return status;
  }

  /** The protocol detail (see the class comment). */
  public int detail() {
    return detail;
  }
}
