package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AnaGroupDescriptor;
import dev.mpath.nvme.proto.AnaState;
import dev.mpath.spi.Scheduler;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One ANA group (NVMe base 2.0, 8.1): its state and change count per port (a group has one
 * state per controller in NVMe; here every controller of a port shares it, as with Linux
 * nvmet), and the transition in progress per port. Mutations hold the subsystem's lock;
 * {@link #states} is replaced as a whole so the I/O path reads it without locking.
 */
final class AnaGroup {

  final int id;
  /** State per port, index = port id (0 unused). Copy-on-write. */
  private volatile AnaState[] states;
  /** Change count per port (subsystem lock). */
  private final long[] changeCount;
  /** Pending end of a transition per port (subsystem lock). */
  private final Scheduler.Cancellable[] pending;
  /** Transition generation per port: a stale timer compares and gives up (subsystem lock). */
  private final long[] transitionSeq;

  AnaGroup(int id, AnaState[] initial) {
    this.id = id;
    this.states = initial.clone();
    this.changeCount = new long[initial.length];
    this.pending = new Scheduler.Cancellable[initial.length];
    this.transitionSeq = new long[initial.length];
  }

  /**
   * The groups of a subsystem with ports 1..{@code portCount}: those declared (with their
   * initial state per port, Optimized where none is given) and those a namespace names, or
   * group 1 alone when there are none.
   */
  static NavigableMap<Integer, AnaGroup> of(Map<Integer, Map<Integer, AnaState>> declaredGroups,
      Collection<NamespaceSpec> namespaces, int portCount) {
    TreeMap<Integer, Map<Integer, AnaState>> declared = new TreeMap<>(Integer::compareUnsigned);
    declared.putAll(declaredGroups);
    for (NamespaceSpec s : namespaces) {
      declared.computeIfAbsent(s.anaGroup(), g -> new TreeMap<>());
    }
    if (declared.isEmpty()) {
      declared.put(1, new TreeMap<>());
    }
    TreeMap<Integer, AnaGroup> gs = new TreeMap<>(Integer::compareUnsigned);
    for (Map.Entry<Integer, Map<Integer, AnaState>> e : declared.entrySet()) {
      AnaState[] initial = new AnaState[portCount + 1];
      for (int p = 1; p <= portCount; p++) {
        initial[p] = e.getValue().getOrDefault(p, AnaState.OPTIMIZED);
      }
      gs.put(e.getKey(), new AnaGroup(e.getKey(), initial));
    }
    return Collections.unmodifiableNavigableMap(gs);
  }

  AnaState state(int port) {
    return states[port];
  }

  /**
   * Sets the state on {@code port} (subsystem lock): the change count moves on.
   *
   * @return false when the state was already that
   */
  boolean setState(int port, AnaState state) {
    if (states[port] == state) {
      return false;
    }
    AnaState[] next = states.clone();
    next[port] = state;
    states = next;
    changeCount[port]++;
    return true;
  }

  /**
   * A new transition (or a state set at once) on {@code port} supersedes the one in progress
   * (subsystem lock): its timer is cancelled and, should it fire anyway, is stale.
   *
   * @return the new transition's generation
   */
  long newTransition(int port) {
    long seq = ++transitionSeq[port];
    if (pending[port] != null) {
      pending[port].cancel();
      pending[port] = null;
    }
    return seq;
  }

  /** The timer that ends transition {@code seq} on {@code port} (subsystem lock). */
  void pending(int port, Scheduler.Cancellable timer) {
    pending[port] = timer;
  }

  /**
   * The timer of transition {@code seq} on {@code port} fired (subsystem lock).
   *
   * @return whether it is still the current transition (it is no longer pending then)
   */
  boolean endTransition(int port, long seq) {
    if (transitionSeq[port] != seq) {
      return false;
    }
    pending[port] = null;
    return true;
  }

  /** The group's ANA log page descriptor as {@code port} sees it (subsystem lock). */
  AnaGroupDescriptor descriptor(int port, List<Integer> nsids) {
    return new AnaGroupDescriptor(id, changeCount[port], state(port), nsids);
  }
}
