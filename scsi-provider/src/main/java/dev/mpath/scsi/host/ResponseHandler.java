package dev.mpath.scsi.host;

/** Where a transport delivers the responses of one I_T nexus. One instance per login. */
public interface ResponseHandler {

  /**
   * The response to the command with {@code tag}; never on the submitter's stack.
   *
   * @param sense sense data with CHECK CONDITION, else null
   * @param residual positive for an underflow, negative for an overflow (iSCSI convention)
   */
  void response(long tag, int status, byte[] sense, int transferred, int residual);

  /** The nexus is gone: outstanding commands get no response. */
  void disconnected(String reason);
}
