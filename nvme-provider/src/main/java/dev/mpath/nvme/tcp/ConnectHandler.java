package dev.mpath.nvme.tcp;

import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.CompletionSink;
import dev.mpath.nvme.target.FabricsController;
import dev.mpath.nvme.target.NvmeConnectException;
import dev.mpath.nvme.target.TargetController;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fabrics Connect command (NVMe over Fabrics 1.1, 3.3) as a target queue receives it:
 * checks the command and its data (record format, NQNs, KATO, CNTLID, SQSIZE) and connects
 * either an admin queue (a new controller of the subsystem or of the discovery service) or
 * an I/O queue of a controller made through the same port for the same host. A refusal is
 * a Connect status with, for Invalid Parameters, the offending field in Dword 0.
 *
 * <p>Thread-safety: stateless; runs on the queue's event loop.
 */
final class ConnectHandler {
  /** The queue's log: a refused Connect is part of its story. */
  private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpTargetQueue.class);

  private ConnectHandler() {}

  /**
   * What a Connect came to: the connected controller with the queue's id, size and flow
   * control, or (controller null) the status and Dword 0 to complete it with.
   */
  record Outcome(FabricsController controller, int qid, int entries, boolean sqFlowDisabled,
      int status, int dw0) {
    static Outcome refused(int status, int dw0) {
      return new Outcome(null, -1, 0, false, status, dw0);
    }
  }

  /**
   * Connects {@code sink}'s queue as the Connect command {@code sqe} (with its data) asks.
   * The command is the queue's own; nothing of it is kept.
   */
  static Outcome connect(NvmeTcpListener listener, String name, SubmissionQueueEntry sqe,
      ByteBuffer data, CompletionSink sink) {
    if (data == null || data.remaining() != FabricsCommands.CONNECT_DATA_LENGTH
        || sqe.sglLength() != FabricsCommands.CONNECT_DATA_LENGTH) {
      return Outcome.refused(NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT, 0);
    }
    int recfmt = sqe.cdw10() & 0xFFFF;
    int q = sqe.cdw10() >>> 16;
    int sqsize = sqe.cdw11() & 0xFFFF;
    int cattr = sqe.cdw11() >>> 16 & 0xFF;
    int kato = sqe.cdw12();
    if (recfmt != 0) {
      return Outcome.refused(
          FabricsCommands.connectStatus(FabricsCommands.SC_CONNECT_INCOMPATIBLE_FORMAT), 0);
    }
    UUID hostId = FabricsCommands.hostId(data);
    int cntlid = FabricsCommands.cntlid(data);
    String subNqn = FabricsCommands.nqn(data, FabricsCommands.CD_SUBNQN);
    String hostNqn = FabricsCommands.nqn(data, FabricsCommands.CD_HOSTNQN);
    boolean toDiscovery = FabricsCommands.DISCOVERY_NQN.equals(subNqn)
        && listener.discovery != null;
    if (subNqn == null || !subNqn.equals(listener.subsystem().nqn()) && !toDiscovery) {
      return invalidParameter(name, true, FabricsCommands.CD_SUBNQN, "unknown subsystem " + subNqn);
    }
    if (hostNqn == null || hostNqn.isEmpty()) {
      return invalidParameter(name, true, FabricsCommands.CD_HOSTNQN, "no host NQN");
    }
    if (kato < 0) {
      return invalidParameter(name, false, 48, "KATO " + Integer.toUnsignedString(kato));
    }
    FabricsController c;
    if (toDiscovery && q != 0) {
      return invalidParameter(name, false, 42, "a discovery controller has no I/O queues");
    }
    int portId = listener.portId();
    if (q == 0) {
      if (cntlid != FabricsCommands.CNTLID_DYNAMIC) {
        return invalidParameter(name, true, FabricsCommands.CD_CNTLID,
            "CNTLID " + cntlid + " (only the dynamic model, FFFFh, is served)");
      }
      if (sqsize < 1 || sqsize >= TargetController.ADMIN_QUEUE_ENTRIES) {
        return invalidParameter(name, false, 44, "admin SQSIZE " + sqsize);
      }
      try {
        c = toDiscovery ? listener.discovery.connect(portId, hostNqn, hostId, kato, sink)
            : listener.subsystem().connect(portId, hostNqn, hostId, kato, sink);
      } catch (NvmeConnectException e) {
        LOG.info("{}: Connect refused: {}", name, e.getMessage());
        return Outcome.refused(FabricsCommands.connectStatus(
            e.reason() == NvmeConnectException.Reason.UNKNOWN_PORT
                ? FabricsCommands.SC_CONNECT_INVALID_PARAMETERS
                : FabricsCommands.SC_CONNECT_CONTROLLER_BUSY), 0);
      }
    } else {
      c = listener.subsystem().controller(cntlid).orElse(null);
      if (c == null || c.port() != portId) {
        return invalidParameter(name, true, FabricsCommands.CD_CNTLID,
            "no controller " + cntlid + " on port " + portId);
      }
      if (!c.hostNqn().equals(hostNqn) || !c.hostId().equals(hostId)) {
        return invalidParameter(name, true, FabricsCommands.CD_HOSTNQN,
            "controller " + cntlid + " belongs to another host");
      }
      try {
        c.connectIoQueue(q, sqsize + 1, sink);
      } catch (IllegalArgumentException | IllegalStateException e) {
        return invalidParameter(name, false, 42, e.getMessage());
      }
    }
    return new Outcome(c, q, sqsize + 1,
        (cattr & FabricsCommands.CATTR_DISABLE_SQ_FLOW_CONTROL) != 0, 0, c.cntlid());
  }

  private static Outcome invalidParameter(String name, boolean inData, int offset, String why) {
    NvmeTcpTargetQueue.RLOG.info("{}: Connect refused: {}", name, why);
    return Outcome.refused(
        FabricsCommands.connectStatus(FabricsCommands.SC_CONNECT_INVALID_PARAMETERS),
        FabricsCommands.invalidParameter(inData, offset));
  }
}
