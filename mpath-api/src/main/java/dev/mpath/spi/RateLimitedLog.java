package dev.mpath.spi;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SLF4J logging for paths that can storm (every failed I/O of a dying path): each message
 * format is logged at most once per interval, and the next one says how many were
 * suppressed. Debug messages are not limited (they are off by default). For providers and
 * transports too: a misbehaving peer must not be able to flood the log. Thread-safe.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, long[]> last = new ConcurrentHashMap<>();
  private final AtomicLong suppressed = new AtomicLong();

  /** Logs through {@code owner}'s logger, each format at most once per {@code intervalMillis}. */
  public RateLimitedLog(Class<?> owner, long intervalMillis) {
    this.log = LoggerFactory.getLogger(owner);
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  public void debug(String format, Object... args) {
    if (log.isDebugEnabled()) {
      log.debug(format, args);
    }
  }

  public void info(String format, Object... args) {
    if (log.isInfoEnabled() && allow(format)) {
      log.info(withSuppressed(format), args);
    }
  }

  public void warn(String format, Object... args) {
    if (log.isWarnEnabled() && allow(format)) {
      log.warn(withSuppressed(format), args);
    }
  }

  private boolean allow(String format) {
    long now = System.nanoTime();
    long[] slot = last.computeIfAbsent(format, k -> new long[] {now - intervalNanos - 1});
    synchronized (slot) {
      if (now - slot[0] > intervalNanos) {
        slot[0] = now;
        return true;
      }
    }
    suppressed.incrementAndGet();
    return false;
  }

  private String withSuppressed(String format) {
    long n = suppressed.getAndSet(0);
    return n == 0 ? format : format + " (" + n + " similar messages suppressed)";
  }
}
