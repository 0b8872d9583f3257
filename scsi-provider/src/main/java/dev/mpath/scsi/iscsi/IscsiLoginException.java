package dev.mpath.scsi.iscsi;

/**
 * The target refused a login (RFC 7143 11.13.5: Status-Class non-zero), or the negotiation
 * could not be completed. {@link #statusClass()} and {@link #statusDetail()} are the target's
 * answer, or -1 when the initiator gave up on its own (for example, no acceptable
 * AuthMethod).
 */
public final class IscsiLoginException extends IscsiProtocolException {
  private static final long serialVersionUID = 1L;
  private final int statusClass;
  private final int statusDetail;

  public IscsiLoginException(String message, int statusClass, int statusDetail) {
    super(message);
    this.statusClass = statusClass;
    this.statusDetail = statusDetail;
  }

  public int statusClass() {
    return statusClass;
  }

  public int statusDetail() {
    return statusDetail;
  }

  /** Whether the target said the credentials were wrong (Status 0201h). */
  public boolean authenticationFailure() {
    return statusClass == 2 && statusDetail == 1;
  }

  /** RFC 7143 11.13.5 wording for a Status-Class / Status-Detail pair. */
  public static String describe(int statusClass, int statusDetail) {
    int s = (statusClass << 8) | statusDetail;
    switch (s) {
      case 0x0101: return "target moved temporarily";
      case 0x0102: return "target moved permanently";
      case 0x0200: return "initiator error";
      case 0x0201: return "authentication failure";
      case 0x0202: return "authorization failure";
      case 0x0203: return "target not found";
      case 0x0204: return "target removed";
      case 0x0205: return "unsupported version";
      case 0x0206: return "too many connections";
      case 0x0207: return "missing parameter";
      case 0x0208: return "cannot include in session";
      case 0x0209: return "session type not supported";
      case 0x020A: return "session does not exist";
      case 0x020B: return "invalid request during login";
      case 0x0300: return "target error";
      case 0x0301: return "service unavailable";
      case 0x0302: return "out of resources";
      default: return "status class " + statusClass + " detail " + statusDetail;
    }
  }
}
