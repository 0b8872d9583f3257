package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.ChangedNamespaceList;
import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeStatus;
import java.util.ArrayDeque;
import java.util.List;
import java.util.TreeSet;

/**
 * Asynchronous events of one controller (NVMe base 2.0, 5.2 Asynchronous Event Request): the
 * outstanding Asynchronous Event Requests, the events waiting for one, the Asynchronous Event
 * Configuration (Feature 0Bh), the per-type mask held until the host reads the event's log page,
 * and the Changed Namespace List (log page 04h) behind the Namespace Attribute notice.
 *
 * <p>Thread-safety: confined to the controller's executor; only the configuration
 * ({@link #aec}) is volatile, as Get Features reads it.
 */
final class AsyncEvents {
  /** Event type: Namespace Attribute Changed (the Changed Namespace List has news). */
  static final int EV_NAMESPACE = 1;
  /** Event type: Asymmetric Namespace Access Change (the ANA log page has news). */
  static final int EV_ANA = 2;
  /** AEC bits the controller supports and enables at start (as nvmet). */
  static final int AEC_SUPPORTED =
      FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES | FeatureCommand.AEC_ANA_CHANGE_NOTICES;

  private final TargetController ctrl;
  private final Faults faults;
  private volatile int aec = AEC_SUPPORTED;
  private final ArrayDeque<Integer> aers = new ArrayDeque<>();
  private final ArrayDeque<Integer> pendingEvents = new ArrayDeque<>();
  private int maskedEvents;
  private final TreeSet<Integer> changedNsids = new TreeSet<>(Integer::compareUnsigned);
  private boolean changedOverflow;

  AsyncEvents(TargetController ctrl, Faults faults) {
    this.ctrl = ctrl;
    this.faults = faults;
  }

  /** The Asynchronous Event Configuration (Feature 0Bh). */
  int aec() {
    return aec;
  }

  void aec(int v) {
    aec = v;
  }

  /**
   * An Asynchronous Event Request arrived: it is held until an event is there for it.
   *
   * @return {@link AdminCommands#HELD}, or Asynchronous Event Request Limit Exceeded (DNR)
   */
  int request(int cid) {
    if (aers.size() > TargetController.AERL) {
      return NvmeStatus.ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED.field() | NvmeStatus.DNR_BIT;
    }
    aers.add(cid);
    deliver();
    return AdminCommands.HELD;
  }

  /** Namespace {@code nsid} was attached or detached: into the list, and the notice raised. */
  void namespaceChanged(int nsid) {
    if (changedNsids.size() >= ChangedNamespaceList.MAX_ENTRIES
        && !changedNsids.contains(nsid)) {
      changedOverflow = true;
    } else {
      changedNsids.add(nsid);
    }
    raise(EV_NAMESPACE);
  }

  /** The ANA state of a group on the controller's port changed. */
  void anaChanged() {
    raise(EV_ANA);
  }

  /**
   * Raises an event. Like nvmet, an event type is masked from the moment it is raised
   * until the host reads its log page with RAE cleared; further events of the type are
   * dropped meanwhile (the log page already tells the news).
   */
  private void raise(int kind) {
    if (!ctrl.isLive()) {
      return;
    }
    int aecBit = kind == EV_ANA
        ? FeatureCommand.AEC_ANA_CHANGE_NOTICES
        : FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES;
    if ((aec & aecBit) == 0 || (maskedEvents & kind) != 0) {
      return;
    }
    maskedEvents |= kind;
    pendingEvents.add(kind);
    deliver();
  }

  /** Completes held requests with pending events, in order (not while the port hangs). */
  void deliver() {
    if (!ctrl.isLive() || faults.isHung()) {
      return;
    }
    while (!aers.isEmpty() && !pendingEvents.isEmpty()) {
      int kind = pendingEvents.poll();
      int cid = aers.poll();
      AsyncEvent ev = kind == EV_ANA ? AsyncEvent.ANA_CHANGE : AsyncEvent.NAMESPACE_ATTRIBUTE_CHANGED;
      ctrl.completeAdmin(cid, ev.toDw0());
    }
  }

  /** The Changed Namespace List log page as it stands. */
  ChangedNamespaceList changedNamespaceList() {
    return changedOverflow
        ? new ChangedNamespaceList(List.of(), true)
        : ChangedNamespaceList.of(changedNsids);
  }

  /** Log page {@code lid} was read with RAE cleared: its event type is unmasked (and cleared). */
  void logPageRead(int lid) {
    if (lid == LogPageId.ASYMMETRIC_NAMESPACE_ACCESS) {
      maskedEvents &= ~EV_ANA;
    } else if (lid == LogPageId.CHANGED_NAMESPACE_LIST) {
      changedNsids.clear();
      changedOverflow = false;
      maskedEvents &= ~EV_NAMESPACE;
    }
  }

  /** Controller reset (CC.EN 1 to 0): outstanding requests are dropped. */
  void reset() {
    aers.clear();
  }

  /** The controller is gone: outstanding requests and pending events are dropped. */
  void clear() {
    aers.clear();
    pendingEvents.clear();
  }
}
