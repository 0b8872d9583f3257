package dev.mpath.alua;

import dev.mpath.spi.RateLimitedLog;
import dev.mpath.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host-side ALUA state machine for one path (I_T nexus) to one logical unit, after Linux
 * {@code scsi_dh_alua} and the multipath-tools {@code alua} prioritizer. Transport-neutral: it
 * talks through {@link AluaCommands} and keeps time with a {@link Scheduler}.
 *
 * <p><b>A check</b> ({@link #attach()}, {@link #recheck()}, or a sense from
 * {@link #onSense(int, int, int)}):
 * <ol>
 *   <li>REPORT TARGET PORT GROUPS with the extended header. If the target answers ILLEGAL
 *       REQUEST, it is asked once more without it, and the handler keeps to the length-only
 *       format from then on ({@link #extendedHeaderSupported()}). UNIT ATTENTION is retried up
 *       to {@value #MAX_UNIT_ATTENTION_RETRIES} times. When RETURN DATA LENGTH exceeds the
 *       allocation length, the command is repeated with the full length, up to
 *       {@value #MAX_ALLOCATION_LENGTH} bytes.</li>
 *   <li>The descriptor of this port's target port group (from VPD page 83h, given to the
 *       constructor) yields the state, the PREF bit and the priority. Data that ends inside
 *       its last descriptor is read as far as it goes ({@link RtpgResponse#decode(byte[], int)};
 *       Linux LIO answers so with the extended header).</li>
 *   <li>Unusable data (malformed, or without this port's group): an extended-header answer is
 *       asked for once more in the length-only format, within the check; when that one is
 *       usable, the handler keeps to the length-only format. Otherwise the check completes with
 *       the path assumed active/non-optimized ({@link AluaPathInfo#stateAssumed()}: usable, but
 *       behind any path known to be active/optimized) and RTPG is read again
 *       {@link #TRANSITION_POLL_INTERVAL} later, up to {@value #MAX_UNUSABLE_REREADS} times
 *       until an answer is usable; after that the assumption stands until the next event
 *       (sense, recheck, activation). Never left transitioning.</li>
 *   <li>If TPGS includes explicit and no reported group is active/optimized, SET TARGET PORT
 *       GROUPS asks for active/optimized on the best group that supports it:
 *       active/non-optimized before standby before unavailable; among equals this port's
 *       group, then a preferred one, then the first reported. Every path's handler reads the
 *       same data and picks the same group, so the host settles on one (Linux reaches the same
 *       group through dm-multipath, which activates its best path group: an
 *       active/non-optimized one rather than the group just put in standby). After
 *       {@link #activate()}, this port's group is asked for regardless. Then RTPG runs again.
 *       At most once per check; a refused STPG is logged and the reported state stands.</li>
 *   <li>Transitioning (reported by RTPG, or NOT READY 04h/0Ah): the path is reported
 *       TRANSITIONING, and every {@link #TRANSITION_POLL_INTERVAL} the handler sends TEST UNIT
 *       READY; while that still answers 04h/0Ah it keeps waiting, otherwise it reads RTPG
 *       again. When the transition lasts past the IMPLICIT TRANSITION TIME of the extended
 *       header (or {@link #DEFAULT_TRANSITION_TIMEOUT} when absent or zero), counted from when
 *       it was first seen, the path is treated as STANDBY
 *       ({@link AluaPathInfo#transitionTimedOut()}) and polling stops.</li>
 * </ol>
 * The check's future completes with the resulting {@link AluaPathInfo}, or exceptionally
 * (state unchanged) when the commands fail otherwise. Checks never overlap: a request during
 * a check runs one more check after it (requests coalesce).
 *
 * <p><b>Threading.</b> All work runs in a serial context: on the thread that calls in, a
 * command-completion thread or a scheduler thread, one step at a time, never nested. Public
 * methods are thread-safe and do not block. Futures and the listener are completed/called from
 * that context: their callbacks must not block.
 */
public final class AluaHandler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AluaHandler.class);
  /** For what a misbehaving target can repeat at every check. */
  private static final RateLimitedLog RATE_LIMITED = new RateLimitedLog(AluaHandler.class, 10_000);

  /** Delay between polls while transitioning (scsi_dh_alua's RTPG retry delay). */
  public static final Duration TRANSITION_POLL_INTERVAL = Duration.ofSeconds(2);
  /** Transition timeout when the target gives no IMPLICIT TRANSITION TIME. */
  public static final Duration DEFAULT_TRANSITION_TIMEOUT = Duration.ofSeconds(60);
  /** ALLOCATION LENGTH of the first RTPG. */
  public static final int INITIAL_ALLOCATION_LENGTH = 256;
  /** Largest RTPG ALLOCATION LENGTH the handler will ask for. */
  public static final int MAX_ALLOCATION_LENGTH = 1 << 20;
  /** RTPG retries on UNIT ATTENTION within one check. */
  public static final int MAX_UNIT_ATTENTION_RETRIES = 5;
  /** RTPG repeats with a larger allocation length within one check. */
  static final int MAX_RESIZES = 3;
  /** Scheduled RTPG re-reads after unusable data, until one is usable. */
  public static final int MAX_UNUSABLE_REREADS = 3;

  private final String name;
  private final AluaCommands commands;
  private final Scheduler scheduler;
  private final Tpgs tpgs;
  private final int targetPortGroup;
  private final AluaStateListener listener;
  private final SerialRunner runner = new SerialRunner();

  private volatile AluaPathInfo info;
  private volatile boolean extendedHeader = true;

  // Everything below is confined to the runner.
  private boolean closed;
  private boolean running;
  private boolean rerun;
  private int cycle;
  private List<CompletableFuture<AluaPathInfo>> waiters = new ArrayList<>();
  private List<CompletableFuture<AluaPathInfo>> nextWaiters = new ArrayList<>();
  private Scheduler.Cancellable pollTimer;
  private int pollGeneration;
  /** The pending poll re-reads RTPG after unusable data (else it polls a transition). */
  private boolean pollRereads;
  /** Re-reads scheduled since the last usable answer. */
  private int unusableRereads;
  /** This check asked again in the length-only format after an unusable extended answer. */
  private boolean lengthOnlyRetry;
  private boolean inTransition;
  private long transitionStart;
  private Duration transitionTimeout = DEFAULT_TRANSITION_TIMEOUT;
  private int allocationLength = INITIAL_ALLOCATION_LENGTH;
  private int unitAttentionRetries;
  private int resizes;
  private boolean stpgSent;
  /** Activation asked for the next check (the host has no usable active/optimized path). */
  private boolean activateRequested;
  /** This check activates. */
  private boolean activating;

  /**
   * @param name the path's name, for logs
   * @param commands how to reach the logical unit through this path
   * @param scheduler clock and timers
   * @param tpgs the TPGS field of the logical unit's standard INQUIRY data
   * @param targetPortGroup this port's target port group, from VPD page 83h
   * @param listener told of state changes
   * @throws IllegalArgumentException when {@code tpgs} is {@link Tpgs#NONE} (no ALUA: do not
   *     attach a handler) or the group id is out of range
   */
  public AluaHandler(
      String name,
      AluaCommands commands,
      Scheduler scheduler,
      Tpgs tpgs,
      int targetPortGroup,
      AluaStateListener listener) {
    this.name = Objects.requireNonNull(name, "name");
    this.commands = Objects.requireNonNull(commands, "commands");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.tpgs = Objects.requireNonNull(tpgs, "tpgs");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (!tpgs.supported()) {
      throw new IllegalArgumentException(name + ": TPGS 00b, the logical unit has no ALUA");
    }
    Bytes.checkU16("target port group", targetPortGroup);
    this.targetPortGroup = targetPortGroup;
  }

  /** The path's name. */
  public String name() {
    return name;
  }

  /** This port's target port group id. */
  public int targetPortGroup() {
    return targetPortGroup;
  }

  /** The logical unit's TPGS. */
  public Tpgs tpgs() {
    return tpgs;
  }

  /** The latest view, empty before the first successful check. */
  public Optional<AluaPathInfo> current() {
    return Optional.ofNullable(info);
  }

  /**
   * False once the target refused the extended header with ILLEGAL REQUEST, or answered it
   * with unusable data where its length-only answer was usable.
   */
  public boolean extendedHeaderSupported() {
    return extendedHeader;
  }

  /** The first check; same as {@link #recheck()}. */
  public CompletableFuture<AluaPathInfo> attach() {
    return recheck();
  }

  /**
   * Reads the state again now (cancelling a pending transition poll), or right after the
   * check in progress.
   *
   * @return completes with the result of that check; exceptionally with a
   *     {@link CancellationException} if the handler is closed first
   */
  public CompletableFuture<AluaPathInfo> recheck() {
    CompletableFuture<AluaPathInfo> f = new CompletableFuture<>();
    step(() -> requestCheck(f));
    return f;
  }

  /**
   * Activates this path (Linux {@code scsi_dh_activate}): the host has no usable
   * active/optimized path, so with explicit ALUA the next check sends SET TARGET PORT GROUPS
   * for this port's group even if the target still reports another group active/optimized
   * (that group's ports may all be dead to this host). Without explicit ALUA it is a plain
   * check.
   *
   * @return completes with the result of that check
   */
  public CompletableFuture<AluaPathInfo> activate() {
    CompletableFuture<AluaPathInfo> f = new CompletableFuture<>();
    step(() -> {
      activateRequested = true;
      requestCheck(f);
    });
    return f;
  }

  /**
   * Tells the handler of sense data seen on this path. Starts a check when the sense calls for
   * one ({@link AluaSense#requiresRecheck(int, int, int)}).
   *
   * @return whether a check was requested
   */
  public boolean onSense(int senseKey, int asc, int ascq) {
    if (!AluaSense.requiresRecheck(senseKey, asc, ascq)) {
      return false;
    }
    LOG.debug("{}: sense {}/{}/{} -> ALUA recheck", name, senseKey, asc, ascq);
    step(() -> requestCheck(null));
    return true;
  }

  /** Stops polling; pending and later checks fail with {@link CancellationException}. */
  @Override
  public void close() {
    step(() -> {
      closed = true;
      cancelPoll();
      CancellationException e = new CancellationException(name + ": ALUA handler closed");
      waiters.forEach(f -> f.completeExceptionally(e));
      nextWaiters.forEach(f -> f.completeExceptionally(e));
      waiters = new ArrayList<>();
      nextWaiters = new ArrayList<>();
    });
  }

  // ---- serial context ----

  private void step(Runnable r) {
    runner.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("{}: ALUA handler step failed", name, e);
        if (running) {
          finishCycle(null, e);
        }
      }
    });
  }

  private void requestCheck(CompletableFuture<AluaPathInfo> f) {
    if (closed) {
      if (f != null) {
        f.completeExceptionally(new CancellationException(name + ": ALUA handler closed"));
      }
      return;
    }
    if (running) {
      if (f != null) {
        nextWaiters.add(f);
      }
      rerun = true;
      return;
    }
    if (f != null) {
      waiters.add(f);
    }
    beginCycle();
    sendRtpg();
  }

  private void beginCycle() {
    running = true;
    cycle++;
    unitAttentionRetries = 0;
    resizes = 0;
    lengthOnlyRetry = false;
    stpgSent = false;
    activating = activateRequested;
    activateRequested = false;
    cancelPoll();
  }

  private void finishCycle(AluaPathInfo result, Throwable error) {
    running = false;
    List<CompletableFuture<AluaPathInfo>> done = waiters;
    waiters = new ArrayList<>();
    if (error != null) {
      LOG.warn("{}: ALUA check failed: {}", name, error.toString());
    }
    for (CompletableFuture<AluaPathInfo> f : done) {
      if (error == null) {
        f.complete(result);
      } else {
        f.completeExceptionally(error);
      }
    }
    if (rerun && !closed) {
      rerun = false;
      waiters = nextWaiters;
      nextWaiters = new ArrayList<>();
      beginCycle();
      sendRtpg();
    }
  }

  private <T> void send(Supplier<CompletableFuture<T>> command, BiConsumer<T, Throwable> next) {
    int gen = cycle;
    CompletableFuture<T> f;
    try {
      f = Objects.requireNonNull(command.get(), "AluaCommands returned a null future");
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((value, error) -> step(() -> {
      if (closed || gen != cycle) {
        return; // stale completion
      }
      next.accept(value, unwrap(error));
    }));
  }

  private void sendRtpg() {
    sendRtpg(extendedHeader ? RtpgFormat.EXTENDED : RtpgFormat.LENGTH_ONLY);
  }

  private void sendRtpg(RtpgFormat format) {
    int alloc = allocationLength;
    send(() -> commands.reportTargetPortGroups(format, alloc),
        (data, error) -> onRtpg(format, data, error));
  }

  private void onRtpg(RtpgFormat format, byte[] data, Throwable error) {
    if (error != null) {
      onRtpgFailure(format, error);
      return;
    }
    RtpgResponse response;
    try {
      response = RtpgResponse.decode(Objects.requireNonNull(data, "RTPG returned null data"));
    } catch (IncompleteDataException e) {
      if (e.requiredLength() <= MAX_ALLOCATION_LENGTH && resizes++ < MAX_RESIZES) {
        allocationLength = (int) e.requiredLength();
        sendRtpg(format);
      } else {
        onUnusable(format, "RTPG data needs " + e.requiredLength() + " bytes, more than the "
            + MAX_ALLOCATION_LENGTH + "-byte bound or after " + MAX_RESIZES + " resizes");
      }
      return;
    } catch (AluaProtocolException e) {
      onUnusable(format, e.getMessage());
      return;
    }
    Optional<TargetPortGroupDescriptor> mine = response.group(targetPortGroup);
    if (mine.isEmpty()) {
      onUnusable(format, "target port group " + targetPortGroup + " is not in the RTPG data");
      return;
    }
    if (response.truncated()) {
      RATE_LIMITED.info("{}: RTPG data ends inside its last target port group descriptor"
          + " (RETURN DATA LENGTH {}), read as far as it goes", name, Bytes.u32(data, 0));
    }
    if (lengthOnlyRetry && extendedHeader) {
      LOG.info("{}: the length-only RTPG format is usable where the extended one was not;"
          + " keeping to it", name);
      extendedHeader = false;
    }
    unusableRereads = 0;
    TargetPortGroupDescriptor d = mine.get();
    transitionTimeout = response.format() == RtpgFormat.EXTENDED
            && response.implicitTransitionTime() > 0
        ? Duration.ofSeconds(response.implicitTransitionTime())
        : DEFAULT_TRANSITION_TIMEOUT;
    if (d.state() == AluaState.TRANSITIONING) {
      onTransitioning(d.preferred(), d.supportedStates());
      return;
    }
    inTransition = false;
    int target = activationTarget(response, d);
    if (target >= 0) {
      stpgSent = true;
      byte[] params = StpgParameterList.of(
          new StpgDescriptor(AluaState.ACTIVE_OPTIMIZED, target)).encode();
      LOG.info("{}: {}, STPG group {} to active/optimized", name,
          activating ? "activating" : "no active/optimized group", target);
      send(() -> commands.setTargetPortGroups(params), (v, e) -> onStpg(d, target, e));
      return;
    }
    AluaPathInfo result = infoFor(d.state(), d.preferred(), d.supportedStates(), false);
    publish(result);
    finishCycle(result, null);
  }

  /**
   * The RTPG answer cannot be used: ask again in the length-only format once, else assume
   * active/non-optimized and schedule a bounded re-read.
   */
  private void onUnusable(RtpgFormat format, String reason) {
    if (format == RtpgFormat.EXTENDED && !lengthOnlyRetry) {
      RATE_LIMITED.info("{}: extended-header RTPG data unusable ({}), asking in the length-only"
          + " format", name, reason);
      lengthOnlyRetry = true;
      resizes = 0;
      sendRtpg(RtpgFormat.LENGTH_ONLY);
      return;
    }
    inTransition = false;
    boolean reread = unusableRereads < MAX_UNUSABLE_REREADS;
    RATE_LIMITED.warn("{}: RTPG data unusable ({}); path taken as active/non-optimized{}", name,
        reason, reread ? ", reading again in " + TRANSITION_POLL_INTERVAL.toSeconds() + " s"
            : " until the next ALUA event");
    AluaPathInfo result = new AluaPathInfo(targetPortGroup, AluaState.ACTIVE_NON_OPTIMIZED,
        false, SupportedStates.of(), transitionTimeout, false, true);
    publish(result);
    if (reread) {
      unusableRereads++;
      schedulePoll(TRANSITION_POLL_INTERVAL.toNanos(), true);
    }
    finishCycle(result, null); // may start a queued recheck, which cancels the re-read
  }

  private void onRtpgFailure(RtpgFormat format, Throwable error) {
    if (error instanceof AluaCommandException) {
      AluaCommandException e = (AluaCommandException) error;
      if (format == RtpgFormat.EXTENDED && e.senseKey() == AluaSense.ILLEGAL_REQUEST) {
        LOG.info("{}: RTPG extended header refused ({}), using the length-only format",
            name, e.getMessage());
        extendedHeader = false;
        sendRtpg();
        return;
      }
      if (AluaSense.isTransitioning(e.senseKey(), e.asc(), e.ascq())) {
        AluaPathInfo prev = info;
        onTransitioning(prev != null && prev.preferred(),
            prev != null ? prev.supportedStates() : SupportedStates.of());
        return;
      }
      if (e.senseKey() == AluaSense.UNIT_ATTENTION
          && unitAttentionRetries++ < MAX_UNIT_ATTENTION_RETRIES) {
        sendRtpg(format);
        return;
      }
    }
    finishCycle(null, error);
  }

  /** The group STPG should make active/optimized in this check, or -1 for none. */
  private int activationTarget(RtpgResponse response, TargetPortGroupDescriptor mine) {
    if (!tpgs.explicit() || stpgSent) {
      return -1;
    }
    if (activating) {
      return activationRank(mine) >= 0 ? targetPortGroup : -1;
    }
    if (response.anyActiveOptimized()) {
      return -1;
    }
    TargetPortGroupDescriptor best = null;
    for (TargetPortGroupDescriptor g : response.groups()) {
      int rank = activationRank(g);
      if (rank < 0) {
        continue;
      }
      boolean ours = g.targetPortGroup() == targetPortGroup;
      if (best == null || rank < activationRank(best)
          || rank == activationRank(best) && best.targetPortGroup() != targetPortGroup
              && (ours || g.preferred() && !best.preferred())) {
        best = g;
      }
    }
    return best == null ? -1 : best.targetPortGroup();
  }

  /**
   * How good a candidate for STPG to active/optimized a group is: 0 active/non-optimized, 1
   * standby, 2 unavailable; -1 when it is none (another state, or active/optimized not among
   * its supported states).
   */
  private static int activationRank(TargetPortGroupDescriptor g) {
    if (!g.supportedStates().contains(AluaState.ACTIVE_OPTIMIZED)) {
      return -1;
    }
    switch (g.state()) {
      case ACTIVE_NON_OPTIMIZED:
        return 0;
      case STANDBY:
        return 1;
      case UNAVAILABLE:
        return 2;
      default:
        return -1;
    }
  }

  private void onStpg(TargetPortGroupDescriptor d, int target, Throwable error) {
    if (error == null) {
      sendRtpg(); // read the outcome
      return;
    }
    LOG.warn("{}: STPG of group {} to active/optimized failed: {}",
        name, target, error.toString());
    AluaPathInfo result = infoFor(d.state(), d.preferred(), d.supportedStates(), false);
    publish(result);
    finishCycle(result, null);
  }

  /** This port's group is transitioning: report it, then poll or give up. */
  private void onTransitioning(boolean preferred, SupportedStates supported) {
    long now = scheduler.nanoTime();
    if (!inTransition) {
      inTransition = true;
      transitionStart = now;
    }
    long remaining = transitionStart + transitionTimeout.toNanos() - now;
    if (remaining <= 0) {
      inTransition = false;
      LOG.warn("{}: group {} still transitioning after {}, treating the path as standby",
          name, targetPortGroup, transitionTimeout);
      AluaPathInfo result = infoFor(AluaState.STANDBY, preferred, supported, true);
      publish(result);
      finishCycle(result, null);
      return;
    }
    AluaPathInfo result = infoFor(AluaState.TRANSITIONING, preferred, supported, false);
    publish(result);
    schedulePoll(Math.min(TRANSITION_POLL_INTERVAL.toNanos(), remaining), false);
    finishCycle(result, null); // may start a queued recheck, which cancels the poll
  }

  /** Schedules the next poll: an RTPG re-read when {@code reread}, else a transition poll. */
  private void schedulePoll(long delayNanos, boolean reread) {
    cancelPoll();
    pollRereads = reread;
    int gen = pollGeneration;
    pollTimer = scheduler.schedule(() -> step(() -> onPollTimer(gen)), delayNanos,
        TimeUnit.NANOSECONDS);
  }

  private void cancelPoll() {
    pollGeneration++;
    if (pollTimer != null) {
      pollTimer.cancel();
      pollTimer = null;
    }
  }

  private void onPollTimer(int gen) {
    if (closed || running || gen != pollGeneration) {
      return;
    }
    pollTimer = null;
    beginCycle();
    if (pollRereads) {
      sendRtpg();
      return;
    }
    AluaPathInfo prev = info;
    boolean preferred = prev != null && prev.preferred();
    SupportedStates supported = prev != null ? prev.supportedStates() : SupportedStates.of();
    // Ask first, even at the deadline: the transition may have finished meanwhile; only a
    // group that still reports transitioning is treated as standby (onTransitioning).
    send(commands::testUnitReady, (v, error) -> {
      if (error instanceof AluaCommandException) {
        AluaCommandException e = (AluaCommandException) error;
        if (AluaSense.isTransitioning(e.senseKey(), e.asc(), e.ascq())) {
          onTransitioning(preferred, supported);
          return;
        }
      }
      sendRtpg(); // ready, or some other condition: RTPG tells
    });
  }

  private AluaPathInfo infoFor(
      AluaState state, boolean preferred, SupportedStates supported, boolean timedOut) {
    return new AluaPathInfo(targetPortGroup, state, preferred, supported, transitionTimeout,
        timedOut, false);
  }

  private void publish(AluaPathInfo now) {
    AluaPathInfo prev = info;
    info = now;
    if (!now.differsFrom(prev)) {
      return;
    }
    LOG.info("{}: ALUA group {} {} -> {}{}", name, targetPortGroup,
        prev == null ? "unknown" : prev.aluaState(), now.aluaState(),
        now.preferred() ? " (preferred)" : "");
    try {
      listener.stateChanged(prev, now);
    } catch (RuntimeException e) {
      LOG.warn("{}: ALUA state listener failed", name, e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
