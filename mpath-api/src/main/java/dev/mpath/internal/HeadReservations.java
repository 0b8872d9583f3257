package dev.mpath.internal;

import dev.mpath.AccessState;
import dev.mpath.MultipathEvent;
import dev.mpath.NoPathException;
import dev.mpath.PartialRegistrationException;
import dev.mpath.PathState;
import dev.mpath.RegisteredKeys;
import dev.mpath.Registration;
import dev.mpath.ReservationCapabilities;
import dev.mpath.Reservation;
import dev.mpath.ReservationType;
import dev.mpath.Reservations;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import dev.mpath.spi.ReservationFanout;
import dev.mpath.spi.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The head's reservation API and the two fan-out strategies (design.md §2 Reservations,
 * after Linux {@code nvme_pr_*} and multipath-tools mpathpersist):
 *
 * <ul>
 *   <li>{@link ReservationFanout#PER_HOST}: every command through one path, trying the next
 *       path when one fails with {@link PathFailureException}.
 *   <li>{@link ReservationFanout#PER_NEXUS}: REGISTER to every path that is live and in an
 *       access state that accepts reservation commands (optimized, non-optimized,
 *       standby); failures on some paths are repaired with REGISTER AND IGNORE EXISTING
 *       KEY, and what stays failed is reported. A path that later becomes usable is held
 *       back (gated) until it is registered, but only if READ KEYS through it still shows
 *       the key: a preempted host must stay fenced. Other commands go through one path.
 * </ul>
 *
 * <p>The key the head registered is remembered for this process only; a registration made
 * by another process (or before a restart) is not re-applied to new paths.
 */
final class HeadReservations implements Reservations {
  private final Head head;
  private final ReservationFanout fanout;
  private final Scheduler scheduler;
  private volatile long registeredKey;
  private volatile boolean aptpl;

  HeadReservations(Head head, ReservationFanout fanout, Scheduler scheduler) {
    this.head = head;
    this.fanout = fanout;
    this.scheduler = scheduler;
  }

  /** The key this head registered, 0 if none. */
  long registeredKey() {
    return registeredKey;
  }

  // ------------------------------------------------------------------ API

  @Override
  public CompletableFuture<Void> register(
      long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
    if (fanout == ReservationFanout.PER_HOST) {
      return onePath(pr -> pr.register(oldKey, newKey, ignoreExisting, aptpl))
          .thenRun(() -> registered(newKey, aptpl, List.of()));
    }
    List<PathNode> targets = new ArrayList<>();
    for (PathNode p : head.pathNodes()) {
      if (acceptsReservations(p)) {
        targets.add(p);
      }
    }
    if (targets.isEmpty()) {
      return CompletableFuture.failedFuture(
          new NoPathException(head.name() + ": no path can carry a registration"));
    }
    List<CompletableFuture<Void>> attempts = new ArrayList<>();
    for (PathNode p : targets) {
      attempts.add(p.path.reservations().register(oldKey, newKey, ignoreExisting, aptpl));
    }
    return settle(attempts)
        .thenCompose(
            errors -> {
              List<PathNode> failed = new ArrayList<>();
              for (int i = 0; i < targets.size(); i++) {
                if (errors.get(i) != null) {
                  failed.add(targets.get(i));
                }
              }
              if (failed.size() == targets.size()) {
                return CompletableFuture.failedFuture(errors.get(0)); // nothing took: plain error
              }
              if (failed.isEmpty()) {
                registered(newKey, aptpl, targets);
                return CompletableFuture.completedFuture(null);
              }
              return repair(failed, newKey, aptpl, targets);
            });
  }

  /** Some paths took the registration: bring the others in line with IGNORE EXISTING KEY. */
  private CompletableFuture<Void> repair(
      List<PathNode> failed, long newKey, boolean aptpl, List<PathNode> targets) {
    List<CompletableFuture<Void>> retries = new ArrayList<>();
    for (PathNode p : failed) {
      retries.add(p.path.reservations().register(0, newKey, true, aptpl));
    }
    return settle(retries)
        .thenCompose(
            errors -> {
              List<String> still = new ArrayList<>();
              Throwable first = null;
              List<PathNode> ok = new ArrayList<>(targets);
              for (int i = 0; i < failed.size(); i++) {
                if (errors.get(i) != null) {
                  still.add(failed.get(i).name);
                  ok.remove(failed.get(i));
                  first = first == null ? errors.get(i) : first;
                }
              }
              registered(newKey, aptpl, ok);
              if (still.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              return CompletableFuture.failedFuture(
                  new PartialRegistrationException(
                      head.name() + ": registration incomplete", still, first));
            });
  }

  private void registered(long key, boolean aptpl, List<PathNode> through) {
    this.registeredKey = key;
    this.aptpl = aptpl;
    for (PathNode p : head.pathNodes()) {
      p.registeredKey = through.contains(p) ? key : 0;
    }
  }

  @Override
  public CompletableFuture<Void> reserve(long key, ReservationType type) {
    return onePath(pr -> pr.reserve(key, type));
  }

  @Override
  public CompletableFuture<Void> release(long key, ReservationType type) {
    return onePath(pr -> pr.release(key, type));
  }

  @Override
  public CompletableFuture<Void> preempt(
      long key, long preemptKey, ReservationType type, boolean abort) {
    return onePath(pr -> pr.preempt(key, preemptKey, type, abort));
  }

  @Override
  public CompletableFuture<Void> clear(long key) {
    return onePath(pr -> pr.clear(key)).thenRun(() -> registered(0, false, List.of()));
  }

  @Override
  public CompletableFuture<RegisteredKeys> readKeys() {
    return onePath(PathReservations::readKeys);
  }

  @Override
  public CompletableFuture<Optional<Reservation>> readReservation() {
    return onePath(PathReservations::readReservation);
  }

  @Override
  public CompletableFuture<List<Registration>> readFullStatus() {
    return onePath(PathReservations::readFullStatus);
  }

  @Override
  public CompletableFuture<ReservationCapabilities> reportCapabilities() {
    return onePath(PathReservations::reportCapabilities);
  }

  // ------------------------------------------------------------------ one path

  /** Runs {@code op} on the first path that answers without a path failure. */
  private <T> CompletableFuture<T> onePath(Function<PathReservations, CompletableFuture<T>> op) {
    Set<PathNode> order = new LinkedHashSet<>();
    Snapshot s = head.snapshot();
    for (int i = 0; i < s.optimized.size(); i++) {
      order.add(s.optimized.node(i));
    }
    for (int i = 0; i < s.nonOptimized.size(); i++) {
      order.add(s.nonOptimized.node(i));
    }
    for (PathNode p : head.pathNodes()) {
      if (acceptsReservations(p)) {
        order.add(p);
      }
    }
    order.removeIf(p -> p.path.reservations() == null);
    if (order.isEmpty()) {
      boolean anyPath = head.pathNodes().length > 0;
      return CompletableFuture.failedFuture(
          anyPath && noneSupport()
              ? new UnsupportedOperationException(head.name() + ": no reservation support")
              : new NoPathException(head.name() + ": no path for a reservation command"));
    }
    return tryNext(new ArrayList<>(order), 0, op, null);
  }

  private boolean noneSupport() {
    for (PathNode p : head.pathNodes()) {
      if (p.path.reservations() != null) {
        return false;
      }
    }
    return true;
  }

  private <T> CompletableFuture<T> tryNext(
      List<PathNode> paths, int i, Function<PathReservations, CompletableFuture<T>> op,
      Throwable last) {
    if (i >= paths.size()) {
      return CompletableFuture.failedFuture(
          new NoPathException(head.name() + ": every path failed the reservation command", last));
    }
    CompletableFuture<T> f;
    try {
      f = op.apply(paths.get(i).path.reservations());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle(
            (v, e) -> {
              Throwable cause = unwrap(e);
              if (cause == null) {
                return CompletableFuture.completedFuture(v);
              }
              if (cause instanceof PathFailureException) {
                return tryNext(paths, i + 1, op, cause);
              }
              return CompletableFuture.<T>failedFuture(cause);
            })
        .thenCompose(Function.identity());
  }

  // ------------------------------------------------------------------ gating

  /**
   * Called under the head lock when {@code p} is about to become usable: holds it back
   * until its nexus carries the head's registration, if the head registered one.
   */
  void gateIfNeeded(PathNode p) {
    long key = registeredKey;
    if (fanout != ReservationFanout.PER_NEXUS
        || key == 0
        || p.registeredKey == key
        || p.path.reservations() == null) {
      return;
    }
    p.gated = true;
    scheduler.schedule(() -> registerBeforeIo(p, key), 0, TimeUnit.NANOSECONDS);
  }

  private void registerBeforeIo(PathNode p, long key) {
    PathReservations pr = p.path.reservations();
    CompletableFuture<Boolean> f;
    try {
      f = pr.readKeys()
          .thenCompose(
              keys ->
                  keys.contains(key)
                      ? pr.register(0, key, true, aptpl).thenApply(v -> true)
                      : CompletableFuture.completedFuture(false));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((registered, e) -> ungate(p, key, Boolean.TRUE.equals(registered), e));
  }

  private void ungate(PathNode p, long key, boolean registered, Throwable error) {
    boolean faulted = false;
    synchronized (head.lock()) {
      if (!p.gated) {
        return;
      }
      p.gated = false;
      if (error != null) {
        p.faulted = true; // the checker retries, and gating runs again on reinstatement
        faulted = true;
      } else if (registered) {
        p.registeredKey = key;
      }
      head.rebuild();
    }
    if (faulted) {
      head.publish(new MultipathEvent.PathFaulted(head, p, true));
    }
  }

  // ------------------------------------------------------------------ helpers

  private static boolean acceptsReservations(PathNode p) {
    return !p.detached
        && !p.faulted
        && p.state == PathState.LIVE
        && (p.access.isActive() || p.access == AccessState.STANDBY)
        && p.path.reservations() != null;
  }

  /** Waits for every future; yields each one's error, or null. */
  private static CompletableFuture<List<Throwable>> settle(List<CompletableFuture<Void>> fs) {
    List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
    for (CompletableFuture<Void> f : fs) {
      outcomes.add(f.handle((v, e) -> unwrap(e)));
    }
    return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              List<Throwable> errors = new ArrayList<>();
              for (CompletableFuture<Throwable> o : outcomes) {
                errors.add(o.join());
              }
              return errors;
            });
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
