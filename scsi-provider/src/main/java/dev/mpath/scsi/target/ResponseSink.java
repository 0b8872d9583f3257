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
   * Whether the logical unit may execute this nexus's commands on the submitting thread when
   * it has nothing else to do (then {@link #complete} runs on the stack of {@link
   * Session#execute}): no thread hand-off per command, as a kernel target executes in its
   * transport's receive work. The submitter must then hold no lock of its own that {@link
   * #complete} takes. Default false.
   */
  default boolean runsCommandsInline() {
    return false;
  }

  /**
   * Whether the data buffers given to {@link Session#execute} are the transport's own, touched
   * by nothing else until their answer (and never again for a command that gets none): then
   * the logical unit moves their position and limit while it works (they are back in place
   * when the answer is delivered) instead of working on a duplicate per command. Default false.
   */
  default boolean lendsBuffers() {
    return false;
  }

  /**
   * One command finished. Called on the logical unit's thread, never on the submitter's stack
   * (unless {@link #runsCommandsInline}).
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
