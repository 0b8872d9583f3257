package dev.mpath.spi;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SLF4J logging for paths that can storm (every failed I/O of a dying path, every refused
 * connection of a misbehaving peer).
 *
 * <p>A line is limited per <em>message and subject</em>: each pair is logged at most once per
 * interval, and the next line of that pair says how many of that pair were suppressed. The
 * subject is the first argument (by convention the head, path or connection the line is
 * about, as in {@code "{}: path faulted"}), or the one given to {@link #infoFor}/{@link
 * #warnFor}. So a storm on one path never hides the first line of another path, and a count
 * is never reported on a message it does not belong to. Debug messages are not limited (they
 * are off by default).
 *
 * <p>Per-pair state is held in a bounded map whose entries expire when unused, so subjects
 * that come and go (paths, connections) do not accumulate. Thread-safe; one instance can
 * serve every head of a class.
 */
public final class RateLimitedLog {
  /** Entries kept at most; beyond it the least used pair starts afresh. */
  static final int MAX_SUBJECTS = 4096;

  private final Logger log;
  private final long intervalNanos;
  private final Ticker ticker;
  private final Cache<Key, Slot> slots;

  /** Logs through {@code owner}'s logger, each message and subject at most once per interval. */
  public RateLimitedLog(Class<?> owner, long intervalMillis) {
    this(LoggerFactory.getLogger(owner), intervalMillis, Ticker.systemTicker());
  }

  RateLimitedLog(Logger log, long intervalMillis, Ticker ticker) {
    if (intervalMillis <= 0) {
      throw new IllegalArgumentException("interval must be positive: " + intervalMillis);
    }
    this.log = log;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    this.ticker = ticker;
    // Long enough that a pair storming at the interval never expires between two lines.
    Duration idle = Duration.ofNanos(Math.max(intervalNanos * 100, TimeUnit.MINUTES.toNanos(10)));
    this.slots = Caffeine.newBuilder()
        .maximumSize(MAX_SUBJECTS)
        .expireAfterAccess(idle)
        .ticker(ticker::read)
        .executor(Runnable::run) // maintenance on the caller: no pool threads for a log limiter
        .build();
  }

  public void debug(String format, Object... args) {
    if (log.isDebugEnabled()) {
      log.debug(format, args);
    }
  }

  /** Info, limited per {@code format} and the first argument. */
  public void info(String format, Object... args) {
    if (log.isInfoEnabled()) {
      String f = admit(format, subjectOf(args));
      if (f != null) {
        log.info(f, args);
      }
    }
  }

  /** Warn, limited per {@code format} and the first argument. */
  public void warn(String format, Object... args) {
    if (log.isWarnEnabled()) {
      String f = admit(format, subjectOf(args));
      if (f != null) {
        log.warn(f, args);
      }
    }
  }

  /** Info, limited per {@code format} and {@code subject}. */
  public void infoFor(Object subject, String format, Object... args) {
    if (log.isInfoEnabled()) {
      String f = admit(format, String.valueOf(subject));
      if (f != null) {
        log.info(f, args);
      }
    }
  }

  /** Warn, limited per {@code format} and {@code subject}. */
  public void warnFor(Object subject, String format, Object... args) {
    if (log.isWarnEnabled()) {
      String f = admit(format, String.valueOf(subject));
      if (f != null) {
        log.warn(f, args);
      }
    }
  }

  private static String subjectOf(Object[] args) {
    return args.length == 0 || args[0] instanceof Throwable ? "" : String.valueOf(args[0]);
  }

  /**
   * The format to log now, with this pair's suppressed count appended when there is one, or
   * null when the pair was logged less than an interval ago (the line is counted).
   */
  String admit(String format, String subject) {
    Slot slot = slots.get(new Key(format, subject), k -> new Slot());
    long now = ticker.read();
    long n;
    synchronized (slot) {
      if (slot.logged && now - slot.lastNanos <= intervalNanos) {
        slot.suppressed++;
        return null;
      }
      slot.logged = true;
      slot.lastNanos = now;
      n = slot.suppressed;
      slot.suppressed = 0;
    }
    return n == 0 ? format : format + " (" + n + " similar messages suppressed)";
  }

  private record Key(String format, String subject) {
    Key {
      Objects.requireNonNull(format, "format");
    }
  }

  private static final class Slot {
    boolean logged;
    long lastNanos;
    long suppressed;
  }
}
