package dev.mpath.examples.plugin;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed {@code file+mp:///abs/path?paths=N&blockSize=B&blocks=C} URI (see the package
 * documentation). Every value is checked and bounded here, before anything is opened.
 *
 * @param file the image file (absolute)
 * @param paths number of paths, 1 to {@value #MAX_PATHS}
 * @param blockSize logical block size: 512, 1024, 2048 or 4096
 * @param blocks capacity in blocks, or 0 to take it from an existing file's size
 */
record ImageSpec(Path file, int paths, int blockSize, long blocks) {
  static final int DEFAULT_PATHS = 2;
  static final int MAX_PATHS = 16;
  static final int DEFAULT_BLOCK_SIZE = 512;

  static ImageSpec parse(URI uri) {
    if (!FileMpProvider.SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not a " + FileMpProvider.SCHEME + " URI: " + uri);
    }
    if (uri.isOpaque()) {
      throw new IllegalArgumentException(
          uri + ": expected " + FileMpProvider.SCHEME + ":///absolute/path/to/image");
    }
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isEmpty()) {
      throw new IllegalArgumentException(
          uri + ": a file+mp URI has no host part ('" + authority + "'); use three slashes");
    }
    String path = uri.getPath();
    if (path == null || !path.startsWith("/") || path.length() < 2) {
      throw new IllegalArgumentException(uri + ": the image path must be absolute");
    }
    Map<String, String> query = query(uri);
    int paths = (int) number(query, "paths", DEFAULT_PATHS, 1, MAX_PATHS);
    int blockSize = (int) number(query, "blockSize", DEFAULT_BLOCK_SIZE, 512, 4096);
    if (Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException(uri + ": blockSize must be a power of two");
    }
    long blocks = number(query, "blocks", 0, 1, Long.MAX_VALUE / blockSize);
    if (!query.isEmpty()) {
      throw new IllegalArgumentException(
          uri + ": unknown parameter(s) " + query.keySet() + " (known: paths, blockSize, blocks)");
    }
    return new ImageSpec(Path.of(path), paths, blockSize, blocks);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(uri + ": malformed parameter '" + pair + "'");
      }
      String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(key, value) != null) {
        throw new IllegalArgumentException(uri + ": parameter '" + key + "' given twice");
      }
    }
    return out;
  }

  /** Removes {@code key} from {@code query} and parses it within [min, max]. */
  private static long number(Map<String, String> query, String key, long dflt, long min, long max) {
    String text = query.remove(key);
    if (text == null) {
      return dflt;
    }
    long v;
    try {
      v = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "=" + text + " is not a number");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + "=" + text + " is outside " + min + ".." + max);
    }
    return v;
  }
}
