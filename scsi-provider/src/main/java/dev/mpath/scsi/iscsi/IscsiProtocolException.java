package dev.mpath.scsi.iscsi;

import java.io.IOException;

/**
 * A peer broke RFC 7143: a malformed or out-of-bounds PDU, a digest mismatch, a bad key=value
 * text, or an answer that does not fit the exchange. The connection it came in on is
 * unusable afterwards (ErrorRecoveryLevel 0).
 */
public class IscsiProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  public IscsiProtocolException(String message) {
    super(message);
  }

  public IscsiProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
