package dev.mpath.scsi.host;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One I_T nexus as a transport carries it (loop, iSCSI session). A new login after a loss
 * is a new instance.
 */
public interface ScsiTransport {

  /** Where the nexus goes, for listings. */
  String address();

  /** Logs in; responses then go to {@code handler}. */
  CompletableFuture<Void> login(ResponseHandler handler);

  /**
   * Sends one command. {@code data} is the data-out buffer (read from its position) or the
   * data-in buffer (filled from its position); neither position nor limit moves.
   * {@code dataLength} is the expected transfer length.
   */
  void execute(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength);

  /**
   * ABORT TASK for the command sent with {@code tag}. Completes true on FUNCTION COMPLETE
   * (or when the task is no longer outstanding); from then on no response for {@code tag}
   * arrives. False, or an exceptional completion, means the task may still be running.
   */
  CompletableFuture<Boolean> abortTask(long tag, int lun);

  /**
   * LOGICAL UNIT RESET of {@code lun}. Completes true on FUNCTION COMPLETE; from then on no
   * response arrives for the LU's commands sent before it.
   */
  CompletableFuture<Boolean> lunReset(int lun);

  /** Logs out or drops the nexus; no response arrives afterwards. Idempotent. */
  void close();
}
