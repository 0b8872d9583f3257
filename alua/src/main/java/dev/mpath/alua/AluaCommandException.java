package dev.mpath.alua;

/**
 * A command sent through {@link AluaCommands} ended with a non-GOOD SCSI status. With CHECK
 * CONDITION the decoded sense (sense key, ASC, ASCQ) comes along; the provider decodes sense
 * data, this package only reads the three values.
 */
public final class AluaCommandException extends Exception {
  private static final long serialVersionUID = 1L;

  /** SCSI status CHECK CONDITION (SAM-5). */
  public static final int CHECK_CONDITION = 0x02;
  /** SCSI status BUSY (SAM-5). */
  public static final int BUSY = 0x08;

  private final int status;
  private final int senseKey;
  private final int asc;
  private final int ascq;

  /**
   * @param status the SCSI status byte
   * @param senseKey SENSE KEY (0..15), or -1 without sense data
   * @param asc ADDITIONAL SENSE CODE, or -1
   * @param ascq ADDITIONAL SENSE CODE QUALIFIER, or -1
   */
  public AluaCommandException(int status, int senseKey, int asc, int ascq) {
    super(describe(status, senseKey, asc, ascq));
    this.status = status;
    this.senseKey = senseKey;
    this.asc = asc;
    this.ascq = ascq;
  }

  /** CHECK CONDITION with this sense. */
  public static AluaCommandException checkCondition(int senseKey, int asc, int ascq) {
    return new AluaCommandException(CHECK_CONDITION, senseKey, asc, ascq);
  }

  /** A non-GOOD status without sense data. */
  public static AluaCommandException status(int status) {
    return new AluaCommandException(status, -1, -1, -1);
  }

  /** The SCSI status byte. */
  public int status() {
    return status;
  }

  /** Whether sense data came with the status. */
  public boolean hasSense() {
    return senseKey >= 0;
  }

  /** SENSE KEY, or -1. */
  public int senseKey() {
    return senseKey;
  }

  /** ADDITIONAL SENSE CODE, or -1. */
  public int asc() {
    return asc;
  }

  /** ADDITIONAL SENSE CODE QUALIFIER, or -1. */
  public int ascq() {
    return ascq;
  }

  private static String describe(int status, int senseKey, int asc, int ascq) {
    if (senseKey < 0) {
      return String.format("SCSI status 0x%02X", status);
    }
    return String.format("SCSI status 0x%02X, sense key 0x%X, ASC/ASCQ %02X/%02X",
        status, senseKey, asc, ascq);
  }
}
