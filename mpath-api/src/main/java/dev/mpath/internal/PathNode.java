package dev.mpath.internal;

import dev.mpath.AccessState;
import dev.mpath.IoRequest;
import dev.mpath.IoStats;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import dev.mpath.PathState;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The head's record of one attached path: what the provider last reported, what the head
 * decided on top of it (faulted, awaiting reservation registration), and the per-path
 * accounting the selectors read.
 *
 * <p>The reported and decided fields change only under the head's lock and are volatile
 * so the listing and JMX see them; the hot fields (in flight, latency average) are
 * updated lock-free.
 */
final class PathNode implements PathInfo, PathSink {
  /** Weight of a new sample in the latency moving average: 1/8, as in multipath-tools. */
  private static final int EWMA_SHIFT = 3;

  final Head head;
  final ProviderPath path;
  final int index;
  final String name;
  final Counters counters = new Counters();
  final AtomicInteger inFlight = new AtomicInteger();
  private volatile long ewmaNanos;

  // Provider-reported view, refreshed by stateChanged().
  volatile PathState state;
  volatile AccessState access;
  volatile int priority;
  volatile boolean preferred;

  // Head decisions.
  volatile boolean faulted;
  /** Waiting for its reservation key registration before it may carry I/O. */
  volatile boolean gated;
  volatile boolean detached;
  /** A check is outstanding (under the head's lock); its number tells a late verdict. */
  boolean checking;
  int checkSeq;
  /** activate() was asked for in the current no-usable-path episode. */
  volatile boolean activationRequested;
  /** The key the head registered through this path (PER_NEXUS), 0 if none. */
  volatile long registeredKey;

  PathNode(Head head, ProviderPath path, int index, String name) {
    this.head = head;
    this.path = path;
    this.index = index;
    this.name = name;
    this.state = path.state();
    this.access = path.accessState();
    this.priority = path.priority();
    this.preferred = path.preferred();
  }

  /** Whether the provider's view alone allows I/O. */
  boolean reportedUsable() {
    return state == PathState.LIVE && access.isActive();
  }

  void recordLatency(long nanos) {
    long old = ewmaNanos;
    // Racy read-modify-write: a lost sample only slows the average down a little.
    ewmaNanos = old == 0 ? nanos : old + ((nanos - old) >> EWMA_SHIFT);
  }

  // --- PathSink (provider -> head) ---

  @Override
  public void complete(IoRequest attempt, Disposition disposition, Throwable error) {
    head.onComplete(this, attempt, disposition, error, 0L);
  }

  @Override
  public void retry(IoRequest attempt, Throwable error, long delay, TimeUnit unit) {
    head.onComplete(this, attempt, Disposition.RETRY, error, Math.max(0, unit.toNanos(delay)));
  }

  @Override
  public void stateChanged() {
    head.refresh(this);
  }

  @Override
  public void detach() {
    head.detach(this);
  }

  @Override
  public MultipathDevice device() {
    return head;
  }

  // --- PathInfo ---

  @Override
  public String name() {
    return name;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public String transport() {
    return path.transport();
  }

  @Override
  public PathState state() {
    return state;
  }

  @Override
  public AccessState accessState() {
    return access;
  }

  @Override
  public boolean faulted() {
    return faulted;
  }

  @Override
  public boolean usable() {
    return !detached && !faulted && !gated && reportedUsable();
  }

  @Override
  public int locality() {
    return path.locality();
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public boolean preferred() {
    return preferred;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public long serviceTimeNanos() {
    return ewmaNanos;
  }

  @Override
  public IoStats stats() {
    return counters.snapshot();
  }

  @Override
  public String toString() {
    return name + " [" + state + "/" + access + (faulted ? " faulted" : "")
        + (gated ? " gated" : "") + "]";
  }
}
