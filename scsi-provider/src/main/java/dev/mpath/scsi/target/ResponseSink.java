package dev.mpath.scsi.target;

/**
 * Where the answers to one I_T nexus's commands go; implemented by the transport (the loop
 * transport, later an iSCSI listener).
 *
 * <p>Implementations must be thread-safe and must not block: commands for different logical
 * units run on different threads, so {@link #complete} may be called from several threads for
 * the same sink (never concurrently for the same session, see {@link Session}).
 */
public interface ResponseSink {

  /**
   * One command finished. Called on the logical unit's thread, never on the submitter's stack.
   *
   * @param tag the tag given to {@link Session#execute}
   * @param response status, sense and transfer counts
   */
  void complete(long tag, ScsiResponse response);

  /**
   * The nexus is gone (target port killed, target closed, session reinstated by a new login):
   * commands still outstanding get no response, and no {@link #complete} follows this call.
   *
   * @param reason human-readable cause
   */
  void disconnected(String reason);
}
