package dev.mpath.testing;

import dev.mpath.RegisteredKeys;
import dev.mpath.Reservation;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal persistent-reservation model keyed by nexus (SPC-4 semantics reduced to what
 * the head's fan-out needs), and per-nexus {@link PathReservations} views onto it.
 */
public final class FakePrDevice {
  private final Map<String, Long> registrations = new LinkedHashMap<>();
  private long generation;
  private Long holderKey;
  private ReservationType type;

  public synchronized RegisteredKeys keys() {
    return new RegisteredKeys(generation, new ArrayList<>(registrations.values()));
  }

  public synchronized Map<String, Long> registrations() {
    return new LinkedHashMap<>(registrations);
  }

  /** A path's view: commands come from {@code nexus}. */
  public Nexus nexus(String nexus) {
    return new Nexus(nexus);
  }

  private static ReservationConflictException conflict(String why) {
    return new ReservationConflictException(why, "fake", 0x18);
  }

  /** One I_T nexus. {@link #failNext} makes the next commands fail as path failures. */
  public final class Nexus implements PathReservations {
    final String name;
    public final AtomicInteger failNext = new AtomicInteger();
    public final AtomicInteger commands = new AtomicInteger();

    Nexus(String name) {
      this.name = name;
    }

    private <T> CompletableFuture<T> run(java.util.function.Supplier<T> op) {
      commands.incrementAndGet();
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return CompletableFuture.failedFuture(new PathFailureException(name + " is down"));
      }
      synchronized (FakePrDevice.this) {
        try {
          return CompletableFuture.completedFuture(op.get());
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e.getCause() != null ? e.getCause() : e);
        }
      }
    }

    private RuntimeException wrap(Exception e) {
      return new RuntimeException(e);
    }

    @Override
    public CompletableFuture<Void> register(
        long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
      return run(() -> {
        long current = registrations.getOrDefault(name, 0L);
        if (!ignoreExisting && current != oldKey) {
          throw wrap(conflict("key mismatch on " + name));
        }
        if (newKey == 0) {
          registrations.remove(name);
        } else {
          registrations.put(name, newKey);
        }
        generation++;
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> reserve(long key, ReservationType t) {
      return run(() -> {
        if (registrations.getOrDefault(name, 0L) != key) {
          throw wrap(conflict("not registered"));
        }
        if (holderKey != null && holderKey != key) {
          throw wrap(conflict("held by another"));
        }
        holderKey = key;
        type = t;
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> release(long key, ReservationType t) {
      return run(() -> {
        if (holderKey != null && holderKey == key) {
          holderKey = null;
          type = null;
        }
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> preempt(
        long key, long preemptKey, ReservationType t, boolean abort) {
      return run(() -> {
        if (registrations.getOrDefault(name, 0L) != key) {
          throw wrap(conflict("not registered"));
        }
        registrations.values().removeIf(k -> k == preemptKey);
        if (holderKey != null && holderKey == preemptKey) {
          holderKey = key;
          type = t;
        }
        generation++;
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> clear(long key) {
      return run(() -> {
        registrations.clear();
        holderKey = null;
        type = null;
        generation++;
        return null;
      });
    }

    @Override
    public CompletableFuture<RegisteredKeys> readKeys() {
      return run(FakePrDevice.this::keys);
    }

    @Override
    public CompletableFuture<Optional<Reservation>> readReservation() {
      return run(() ->
          holderKey == null
              ? Optional.<Reservation>empty()
              : Optional.of(new Reservation(generation, holderKey, type)));
    }
  }
}
