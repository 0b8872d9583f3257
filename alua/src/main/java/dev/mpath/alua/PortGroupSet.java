package dev.mpath.alua;

import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target port groups of one emulated logical unit, and the device-server side of ALUA
 * (SPC-4 5.16): state lookup by relative target port, REPORT TARGET PORT GROUPS data, SET
 * TARGET PORT GROUPS, and implicit transitions through the transitioning state.
 *
 * <p>Group membership is fixed at build time (every target port belongs to at most one group,
 * SPC-4 5.16.2.3); states and status codes change.
 *
 * <p><b>Changes.</b>
 * <ul>
 *   <li>Explicit ({@link #setTargetPortGroups(byte[], int, Object)}): validated as a whole,
 *       then applied at once, STATUS CODE 01h. A request for the current state is a no-op.
 *       Other groups are not touched (no implied demotion). An explicit request for a group in
 *       an implicit transition cancels that transition.</li>
 *   <li>Implicit ({@link #transition(int, AluaState, Duration)}): when the transition time is
 *       positive and the group supports transitioning, the group enters transitioning at once,
 *       and the target state after the time (via the {@link Scheduler}); otherwise it changes at
 *       once. STATUS CODE 02h. A new transition for the same group supersedes a pending one.</li>
 * </ul>
 * Every state change, including each step through transitioning, is reported to the
 * {@link PortGroupListener}s in the order the changes were made, outside the model's lock.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class PortGroupSet {
  private static final Logger LOG = LoggerFactory.getLogger(PortGroupSet.class);
  private static final int MAX_IMPLICIT_TRANSITION_TIME = 0xFF;

  private final Scheduler scheduler;
  private final Tpgs tpgs;
  private final Map<Integer, Integer> groupByPort;
  private final List<PortGroupListener> listeners = new CopyOnWriteArrayList<>();
  private final SerialRunner events = new SerialRunner();

  private final Object lock = new Object();
  /** Current groups in build order. Guarded by {@link #lock}. */
  private final LinkedHashMap<Integer, TargetPortGroup> groups;
  /** Pending implicit transitions by group id. Guarded by {@link #lock}. */
  private final Map<Integer, Pending> pending = new HashMap<>();
  /** Guarded by {@link #lock}. */
  private Duration implicitTransitionTime;

  private PortGroupSet(Builder b) {
    this.scheduler = b.scheduler;
    this.tpgs = b.tpgs;
    this.implicitTransitionTime = b.implicitTransitionTime;
    this.groups = new LinkedHashMap<>();
    Map<Integer, Integer> byPort = new HashMap<>();
    for (TargetPortGroup g : b.groups) {
      if (groups.put(g.id(), g) != null) {
        throw new IllegalArgumentException("target port group " + g.id() + " defined twice");
      }
      for (int port : g.relativePorts()) {
        Integer other = byPort.put(port, g.id());
        if (other != null) {
          throw new IllegalArgumentException("relative target port " + port
              + " is in groups " + other + " and " + g.id());
        }
      }
    }
    this.groupByPort = Map.copyOf(byPort);
  }

  /** Starts a model using {@code scheduler} for implicit transition timers. */
  public static Builder builder(Scheduler scheduler) {
    return new Builder(scheduler);
  }

  /** The TPGS value the logical unit reports in INQUIRY. */
  public Tpgs tpgs() {
    return tpgs;
  }

  /** Default time an implicit transition spends in transitioning. */
  public Duration implicitTransitionTime() {
    synchronized (lock) {
      return implicitTransitionTime;
    }
  }

  /** Changes the default implicit transition time (zero: transitions are immediate). */
  public void setImplicitTransitionTime(Duration time) {
    checkTime(time);
    synchronized (lock) {
      implicitTransitionTime = time;
    }
  }

  /** Subscribes to state changes. */
  public void addListener(PortGroupListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Unsubscribes. */
  public void removeListener(PortGroupListener listener) {
    listeners.remove(listener);
  }

  /** Snapshot of every group, in build order. */
  public List<TargetPortGroup> groups() {
    synchronized (lock) {
      return List.copyOf(groups.values());
    }
  }

  /** Snapshot of group {@code id}, if it exists. */
  public Optional<TargetPortGroup> group(int id) {
    synchronized (lock) {
      return Optional.ofNullable(groups.get(id));
    }
  }

  /** Snapshot of the group holding relative target port {@code relativePort}, if any. */
  public Optional<TargetPortGroup> groupOfPort(int relativePort) {
    Integer id = groupByPort.get(relativePort);
    return id == null ? Optional.empty() : group(id);
  }

  /**
   * The asymmetric access state seen through relative target port {@code relativePort}.
   *
   * @throws IllegalArgumentException when the port is in no group
   */
  public AluaState stateOfPort(int relativePort) {
    Integer id = groupByPort.get(relativePort); // asked per command: no Optional or lambda
    TargetPortGroup g;
    synchronized (lock) {
      g = id == null ? null : groups.get(id);
    }
    if (g == null) {
      throw new IllegalArgumentException(
          "relative target port " + relativePort + " is in no target port group");
    }
    return g.state();
  }

  /** Whether an implicit transition of group {@code id} is waiting for its timer. */
  public boolean isTransitionPending(int id) {
    synchronized (lock) {
      return pending.containsKey(id);
    }
  }

  /**
   * REPORT TARGET PORT GROUPS data for the current states. The extended header's IMPLICIT
   * TRANSITION TIME is the default implicit transition time rounded up to whole seconds,
   * capped at 255 (0 when the time is zero: "not specified").
   */
  public RtpgResponse report(RtpgFormat format) {
    synchronized (lock) {
      List<TargetPortGroupDescriptor> descriptors = new ArrayList<>(groups.size());
      for (TargetPortGroup g : groups.values()) {
        descriptors.add(g.toDescriptor());
      }
      int time = 0;
      if (format == RtpgFormat.EXTENDED) {
        long millis = implicitTransitionTime.toMillis();
        time = (int) Math.min(MAX_IMPLICIT_TRANSITION_TIME, (millis + 999) / 1000);
      }
      return new RtpgResponse(format, time, descriptors);
    }
  }

  /**
   * The REPORT TARGET PORT GROUPS data-in buffer: the full data truncated to
   * {@code allocationLength} (RETURN DATA LENGTH still gives the full length, SPC-4 6.37).
   */
  public byte[] reportTargetPortGroups(RtpgFormat format, long allocationLength) {
    Bytes.checkU32("ALLOCATION LENGTH", allocationLength);
    byte[] full = report(format).encode();
    return full.length <= allocationLength ? full : Arrays.copyOf(full, (int) allocationLength);
  }

  /**
   * Handles a SET TARGET PORT GROUPS parameter list (SPC-4 6.45).
   *
   * @param parameterList the data-out buffer
   * @param length bytes transferred (the CDB's PARAMETER LIST LENGTH)
   * @param requester opaque token passed to listeners (e.g. the I_T nexus), may be null
   * @return the changes made, in order (empty for a zero-length list or no-op requests)
   * @throws StpgRejectedException when explicit ALUA is not supported, the length is not 4 +
   *     4n, a state code is reserved or transitioning, a state is not supported by its group,
   *     a group id is unknown or given twice; nothing changes then
   */
  public List<PortGroupChange> setTargetPortGroups(
      byte[] parameterList, int length, Object requester) {
    if (!tpgs.explicit()) {
      throw new StpgRejectedException(StpgRejectedException.Reason.EXPLICIT_NOT_SUPPORTED,
          "SET TARGET PORT GROUPS: the logical unit supports only " + tpgs + " ALUA", 1);
    }
    if (length < 0 || length > parameterList.length) {
      throw new IllegalArgumentException(
          "length " + length + " outside the " + parameterList.length + "-byte buffer");
    }
    if (!StpgParameterList.isValidLength(length)) {
      throw new StpgRejectedException(StpgRejectedException.Reason.PARAMETER_LIST_LENGTH,
          "SET TARGET PORT GROUPS parameter list length " + length
              + " is not 4 + 4n bytes", -1);
    }
    StpgParameterList list;
    try {
      list = StpgParameterList.decode(parameterList, length);
    } catch (AluaProtocolException e) {
      throw new StpgRejectedException(StpgRejectedException.Reason.INVALID_STATE,
          "SET TARGET PORT GROUPS: " + e.getMessage(), e.fieldOffset());
    }
    return setTargetPortGroups(list, requester);
  }

  /**
   * Applies a decoded SET TARGET PORT GROUPS parameter list; see
   * {@link #setTargetPortGroups(byte[], int, Object)}. Field offsets in the exception refer to
   * the list's encoding.
   */
  public List<PortGroupChange> setTargetPortGroups(StpgParameterList list, Object requester) {
    if (!tpgs.explicit()) {
      throw new StpgRejectedException(StpgRejectedException.Reason.EXPLICIT_NOT_SUPPORTED,
          "SET TARGET PORT GROUPS: the logical unit supports only " + tpgs + " ALUA", 1);
    }
    List<PortGroupChange> changes = new ArrayList<>();
    synchronized (lock) {
      validate(list);
      for (StpgDescriptor d : list.descriptors()) {
        cancelPending(d.targetPortGroup());
        TargetPortGroup g = groups.get(d.targetPortGroup());
        if (g.state() != d.state()) {
          changes.add(apply(g, d.state(), PortGroupChange.Cause.EXPLICIT, requester));
        }
      }
    }
    events.drain();
    return changes;
  }

  /** Implicit transition using the default implicit transition time. */
  public void transition(int groupId, AluaState target) {
    transition(groupId, target, implicitTransitionTime());
  }

  /**
   * Starts an implicit transition of group {@code groupId} to {@code target}: through
   * transitioning for {@code time} when {@code time} is positive and the group supports
   * transitioning, otherwise at once. Supersedes a pending transition of the group. Requesting
   * the current state with nothing pending does nothing.
   *
   * @throws IllegalArgumentException for an unknown group, a target of transitioning, or a
   *     target the group does not support
   */
  public void transition(int groupId, AluaState target, Duration time) {
    Objects.requireNonNull(target, "target");
    checkTime(time);
    if (target == AluaState.TRANSITIONING) {
      throw new IllegalArgumentException("transitioning is a passage, not a target state");
    }
    synchronized (lock) {
      TargetPortGroup g = groups.get(groupId);
      if (g == null) {
        throw new IllegalArgumentException("no target port group " + groupId);
      }
      if (!g.supportedStates().contains(target)) {
        throw new IllegalArgumentException("group " + groupId + " does not support " + target
            + " (supported " + g.supportedStates() + ")");
      }
      boolean wasPending = cancelPending(groupId);
      boolean throughTransitioning = !time.isZero()
          && g.supportedStates().contains(AluaState.TRANSITIONING);
      if (!throughTransitioning) {
        if (g.state() != target) {
          apply(g, target, PortGroupChange.Cause.IMPLICIT, null);
        }
      } else if (wasPending || g.state() != target) {
        if (g.state() != AluaState.TRANSITIONING) {
          apply(g, AluaState.TRANSITIONING, PortGroupChange.Cause.IMPLICIT, null);
        }
        Pending p = new Pending(target);
        pending.put(groupId, p);
        p.timer = scheduler.schedule(() -> complete(groupId, p), time.toNanos(),
            TimeUnit.NANOSECONDS);
      }
    }
    events.drain();
  }

  private void complete(int groupId, Pending p) {
    synchronized (lock) {
      if (pending.get(groupId) != p) {
        return; // superseded or cancelled
      }
      pending.remove(groupId);
      TargetPortGroup g = groups.get(groupId);
      if (g.state() != p.target) {
        apply(g, p.target, PortGroupChange.Cause.IMPLICIT, null);
      }
    }
    events.drain();
  }

  /** Validates the whole list before anything changes. Caller holds the lock. */
  private void validate(StpgParameterList list) {
    Set<Integer> seen = new HashSet<>();
    int off = StpgParameterList.HEADER_LENGTH;
    for (StpgDescriptor d : list.descriptors()) {
      int groupField = off + StpgDescriptor.TARGET_PORT_GROUP_OFFSET;
      TargetPortGroup g = groups.get(d.targetPortGroup());
      if (g == null) {
        throw new StpgRejectedException(StpgRejectedException.Reason.UNKNOWN_GROUP,
            "SET TARGET PORT GROUPS: no target port group " + d.targetPortGroup(), groupField);
      }
      if (!seen.add(d.targetPortGroup())) {
        throw new StpgRejectedException(StpgRejectedException.Reason.DUPLICATE_GROUP,
            "SET TARGET PORT GROUPS: target port group " + d.targetPortGroup()
                + " given twice", groupField);
      }
      if (d.state() == AluaState.TRANSITIONING) {
        throw new StpgRejectedException(StpgRejectedException.Reason.INVALID_STATE,
            "SET TARGET PORT GROUPS: transitioning cannot be requested (group "
                + d.targetPortGroup() + ")", off);
      }
      if (!g.supportedStates().contains(d.state())) {
        throw new StpgRejectedException(StpgRejectedException.Reason.UNSUPPORTED_STATE,
            "SET TARGET PORT GROUPS: group " + d.targetPortGroup() + " does not support "
                + d.state() + " (supported " + g.supportedStates() + ")", off);
      }
      off += StpgDescriptor.LENGTH;
    }
  }

  /** Records a state change and queues its event. Caller holds the lock. */
  private PortGroupChange apply(
      TargetPortGroup g, AluaState state, PortGroupChange.Cause cause, Object requester) {
    PortGroupStatus status = cause == PortGroupChange.Cause.EXPLICIT
        ? PortGroupStatus.ALTERED_BY_STPG
        : PortGroupStatus.ALTERED_BY_IMPLICIT;
    TargetPortGroup after = g.withState(state, status);
    groups.put(g.id(), after);
    PortGroupChange change = new PortGroupChange(g, after, cause, requester);
    LOG.debug("target port group {}: {} -> {} ({})", g.id(), g.state(), state, cause);
    events.enqueue(() -> fire(change));
    return change;
  }

  /** Caller holds the lock. Returns whether a transition was pending. */
  private boolean cancelPending(int groupId) {
    Pending p = pending.remove(groupId);
    if (p == null) {
      return false;
    }
    if (p.timer != null) {
      p.timer.cancel();
    }
    return true;
  }

  private void fire(PortGroupChange change) {
    for (PortGroupListener l : listeners) {
      try {
        l.accessStateChanged(change);
      } catch (RuntimeException e) {
        LOG.warn("port group listener failed on {}", change, e);
      }
    }
  }

  private static void checkTime(Duration time) {
    if (time == null || time.isNegative()) {
      throw new IllegalArgumentException("transition time must be zero or positive: " + time);
    }
  }

  /** A pending implicit transition; identity distinguishes superseded timers. */
  private static final class Pending {
    final AluaState target;
    Scheduler.Cancellable timer;

    Pending(AluaState target) {
      this.target = target;
    }
  }

  /** Builds a {@link PortGroupSet}. Not thread-safe. */
  public static final class Builder {
    private final Scheduler scheduler;
    private final List<TargetPortGroup> groups = new ArrayList<>();
    private Tpgs tpgs = Tpgs.BOTH;
    private Duration implicitTransitionTime = Duration.ZERO;

    private Builder(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** TPGS to report and enforce (default {@link Tpgs#BOTH}); must not be NONE. */
    public Builder tpgs(Tpgs value) {
      if (value == null || !value.supported()) {
        throw new IllegalArgumentException("a port group model needs ALUA support, not " + value);
      }
      this.tpgs = value;
      return this;
    }

    /** Default implicit transition time (default zero: immediate). */
    public Builder implicitTransitionTime(Duration time) {
      checkTime(time);
      this.implicitTransitionTime = time;
      return this;
    }

    /** Adds a group. */
    public Builder addGroup(TargetPortGroup group) {
      groups.add(Objects.requireNonNull(group, "group"));
      return this;
    }

    /**
     * @throws IllegalArgumentException with no group, a duplicate group id, or a port in two
     *     groups
     */
    public PortGroupSet build() {
      if (groups.isEmpty()) {
        throw new IllegalArgumentException("at least one target port group is required");
      }
      return new PortGroupSet(this);
    }
  }
}
