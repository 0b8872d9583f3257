package dev.mpath.scsi.loop;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiTransport;
import dev.mpath.scsi.target.ResponseSink;
import dev.mpath.scsi.target.ScsiResponse;
import dev.mpath.scsi.target.Session;
import dev.mpath.spi.PathFailureException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The in-process SCSI transport: one I_T nexus (this host's initiator port x one target
 * port) into the LU emulator, which answers on its own thread. Data buffers are used in
 * place.
 */
public final class ScsiLoopTransport implements ScsiTransport {
  private final ScsiLoopTarget target;
  private final int port;
  private final String initiatorPort;
  private volatile Session session;
  private volatile boolean closed;

  public ScsiLoopTransport(ScsiLoopTarget target, int port, String initiatorPort) {
    this.target = target;
    this.port = port;
    this.initiatorPort = initiatorPort;
  }

  @Override
  public String address() {
    return "scsi+loop://" + target.name() + "/" + target.target().name() + " port " + port;
  }

  @Override
  public CompletableFuture<Void> login(ResponseHandler handler) {
    try {
      session = target.target().login(initiatorPort, port, new ResponseSink() {
        @Override
        public void complete(long tag, ScsiResponse r) {
          if (!closed) {
            handler.response(tag, r.status(), r.sense(), r.dataTransferred(), r.residual());
          }
        }

        @Override
        public void disconnected(String reason) {
          if (!closed) {
            handler.disconnected(reason);
          }
        }
      });
      return CompletableFuture.completedFuture(null);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(
          new PathFailureException(address() + ": login refused: " + e.getMessage(), e));
    }
  }

  @Override
  public void execute(long tag, int lun, byte[] cdb, ByteBuffer data, int dataLength) {
    Session s = session;
    if (s != null && !closed) {
      s.execute(tag, lun, cdb, data, dataLength);
    }
  }

  @Override
  public CompletableFuture<Boolean> abortTask(long tag, int lun) {
    Session s = session;
    return CompletableFuture.completedFuture(s != null && !closed && s.abortTask(tag));
  }

  @Override
  public CompletableFuture<Boolean> lunReset(int lun) {
    Session s = session;
    return CompletableFuture.completedFuture(s != null && !closed && s.lunReset(lun));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Session s = session;
    if (s != null) {
      s.logout();
    }
  }
}
