package dev.mpath.spi;

/**
 * A provider's verdict on one completed attempt (design.md §2 Completion). The head acts
 * on it; the provider never retries or fails over by itself.
 */
public enum Disposition {
  /** Done: complete the caller. */
  SUCCESS,
  /**
   * The path, not the device, failed the request (NVMe SCT 3h, transport loss, controller
   * not ready; SCSI transport failure, ABORTED COMMAND, ALUA 04/0A past its timeout...):
   * the head marks the path faulted and moves the original request to another path.
   */
  PATH_ERROR,
  /**
   * Try again on the same path after an optional delay (NVMe CRD; SCSI UNIT ATTENTION),
   * at most {@code maxRetries} times, then complete with the error.
   */
  RETRY,
  /**
   * The device refused the request and no other path would do better (medium error,
   * invalid field, DNR, RESERVATION CONFLICT): complete the caller with the error.
   */
  TARGET_ERROR
}
