package dev.mpath.spi;

import com.google.common.base.Splitter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Numeric options given in a URI's query ({@code ?io_timeout_ms=5000&nr_io_queues=2&hdgst=1}):
 * the provider takes the keys it knows out and hands the rest of the URI to its transport.
 * Values are positive whole numbers: milliseconds for a {@link #duration}, a count for a
 * {@link #count}. Immutable.
 */
public final class UriOptions {
  private final URI rest;
  private final Map<String, Long> values;

  private UriOptions(URI rest, Map<String, Long> values) {
    this.rest = rest;
    this.values = values;
  }

  /**
   * Takes {@code keys} out of {@code uri}'s query.
   *
   * @throws IllegalArgumentException a value that is not a positive whole number
   */
  public static UriOptions take(URI uri, Set<String> keys) {
    String q = uri.getRawQuery();
    Map<String, Long> found = new HashMap<>();
    if (q == null || q.isEmpty()) {
      return new UriOptions(uri, found);
    }
    List<String> left = new ArrayList<>();
    for (String kv : Splitter.on('&').omitEmptyStrings().split(q)) {
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      if (!keys.contains(k)) {
        left.add(kv);
        continue;
      }
      long ms;
      try {
        ms = Long.parseLong(eq < 0 ? "" : kv.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(k + " must be a positive whole number"
            + (k.endsWith("_ms") ? " of ms" : "") + " in " + uri);
      }
      if (ms <= 0) {
        throw new IllegalArgumentException(k + " must be positive in " + uri);
      }
      found.put(k, ms);
    }
    String s = uri.toString();
    String base = s.substring(0, s.indexOf('?'));
    return new UriOptions(URI.create(left.isEmpty() ? base : base + "?" + String.join("&", left)),
        found);
  }

  /** The URI without the keys taken. */
  public URI rest() {
    return rest;
  }

  /** The value of {@code key}, when the URI gave it. */
  public Optional<Duration> duration(String key) {
    return Optional.ofNullable(values.get(key)).map(Duration::ofMillis);
  }

  /**
   * The value of {@code key} as a count, when the URI gave it.
   *
   * @throws IllegalArgumentException above {@link Integer#MAX_VALUE}
   */
  public Optional<Integer> count(String key) {
    Long v = values.get(key);
    if (v != null && v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " " + v + " is too large");
    }
    return Optional.ofNullable(v).map(Long::intValue);
  }
}
