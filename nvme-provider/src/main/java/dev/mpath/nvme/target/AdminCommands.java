package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AbortCommand;
import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.ControllerList;
import dev.mpath.nvme.proto.NamespaceAttachmentCommand;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.NavigableMap;

/**
 * The admin command set (NVMe base 2.0, 5) of one controller, once it is ready: Identify
 * ({@link IdentifyHandler}), Get Log Page ({@link LogPages}), Asynchronous Event Request
 * ({@link AsyncEvents}), Keep Alive, Get/Set Features ({@link Features}), Namespace
 * Attachment and Abort. Fabrics commands and the readiness check stay with the
 * {@link TargetController}, which dispatches here. Returns a status field (0: success) or
 * {@link #HELD}; Dword 0 of the completion goes to the controller.
 *
 * <p>Thread-safety: runs on the controller's executor, where all the state it reaches is
 * confined.
 */
final class AdminCommands {
  /** Status of a command that completes later (an Asynchronous Event Request). */
  static final int HELD = -1;
  private static final int OK = 0;
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final TargetController ctrl;
  private final NvmeSubsystem subsystem;
  private final Faults faults;
  private final AsyncEvents events;
  private final IdentifyHandler identify;
  private final LogPages logPages;
  private final Features features;

  AdminCommands(TargetController ctrl, NvmeSubsystem subsystem, Faults faults,
      AsyncEvents events, KeepAliveTimer keepAlive) {
    this.ctrl = ctrl;
    this.subsystem = subsystem;
    this.faults = faults;
    this.events = events;
    this.identify = new IdentifyHandler(subsystem, ctrl.cntlid());
    this.logPages = new LogPages(subsystem, ctrl.port(), events);
    this.features = new Features(ctrl, subsystem.maxIoQueues, ctrl.hostId(), events, keepAlive);
  }

  int execute(SubmissionQueueEntry cmd, NavigableMap<Integer, Namespace> attached,
      ByteBuffer data) {
    switch (cmd.opcode()) {
      case AdminOpcode.IDENTIFY:
        return identify.identify(cmd, attached, data);
      case AdminOpcode.GET_LOG_PAGE:
        return logPages.getLogPage(cmd, attached, data);
      case AdminOpcode.ASYNC_EVENT_REQUEST:
        return events.request(cmd.cid());
      case AdminOpcode.KEEP_ALIVE:
        return OK; // the timer was reset when the command arrived
      case AdminOpcode.SET_FEATURES:
        return features.setFeatures(cmd);
      case AdminOpcode.GET_FEATURES:
        return features.getFeatures(cmd, data);
      case AdminOpcode.NAMESPACE_ATTACHMENT:
        return namespaceAttachment(cmd, data);
      case AdminOpcode.ABORT:
        return abort(cmd);
      default:
        return NvmeStatus.INVALID_OPCODE.field() | DNR;
    }
  }

  private int namespaceAttachment(SubmissionQueueEntry cmd, ByteBuffer data) {
    int nsid = cmd.nsid();
    if (nsid == SubmissionQueueEntry.NSID_ALL) {
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    int sel = NamespaceAttachmentCommand.sel(cmd);
    if (sel != NamespaceAttachmentCommand.SEL_ATTACH && sel != NamespaceAttachmentCommand.SEL_DETACH) {
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    if (subsystem.namespace(nsid) == null) {
      return NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.field() | DNR;
    }
    if (data == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    ControllerList list;
    try {
      list = ControllerList.decode(data.duplicate());
    } catch (NvmeProtocolException e) {
      return NvmeStatus.CONTROLLER_LIST_INVALID.field() | DNR;
    }
    return subsystem.changeAttachment(
        nsid, list.controllerIds(), sel == NamespaceAttachmentCommand.SEL_ATTACH);
  }

  /**
   * Abort (NVMe base 2.0 5.1): a command still held in a stalled queue is taken out and
   * completed with Command Abort Requested; Dword 0 bit 0 is cleared when it was aborted and
   * set when it was not (already executing or done, or unknown).
   */
  private int abort(SubmissionQueueEntry cmd) {
    int sqid = AbortCommand.sqid(cmd);
    int cid = AbortCommand.targetCid(cmd);
    ctrl.dw0(1);
    if (faults.refusesAborts()) {
      return OK;
    }
    if (ctrl.abortHeld(sqid, cid)) {
      ctrl.dw0(0);
    }
    return OK;
  }
}
