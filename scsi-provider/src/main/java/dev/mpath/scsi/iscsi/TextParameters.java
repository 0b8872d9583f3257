package dev.mpath.scsi.iscsi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key=value text of Login and Text PDUs (RFC 7143 6.1): UTF-8 {@code key=value} pairs,
 * each terminated by a NUL byte. The parser bounds everything: at most {@link #MAX_TEXT}
 * bytes in all, keys of 1..63 characters from {@code a-z A-Z 0-9 . - + @ _}, values of at
 * most {@link #MAX_VALUE} bytes, at most {@link #MAX_PAIRS} pairs. Trailing NULs (padding)
 * are tolerated; a pair without '=', a missing final NUL or an empty pair in the middle are
 * protocol errors.
 */
public final class TextParameters {
  private TextParameters() {}

  public static final int MAX_TEXT = 64 * 1024;
  public static final int MAX_KEY = 63;
  public static final int MAX_VALUE = 8192;
  public static final int MAX_PAIRS = 1024;

  /** Parses a key=value text; duplicate keys are kept in order (SendTargets repeats TargetAddress). */
  public static List<Map.Entry<String, String>> parse(byte[] text) throws IscsiProtocolException {
    return parse(text, 0, text.length);
  }

  public static List<Map.Entry<String, String>> parse(byte[] b, int off, int len) throws IscsiProtocolException {
    if (len > MAX_TEXT) {
      throw new IscsiProtocolException("key=value text of " + len + " bytes exceeds " + MAX_TEXT);
    }
    int end = off + len;
    // trailing NULs (padding) are tolerated; the last pair must be NUL-terminated
    int last = end;
    while (last > off && b[last - 1] == 0) {
      last--;
    }
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (last == off) {
      return out;
    }
    if (last == end) {
      throw new IscsiProtocolException("key=value text is not NUL-terminated");
    }
    int i = off;
    while (i < last) {
      int nul = i;
      while (b[nul] != 0) {
        nul++;
      }
      if (nul == i) {
        throw new IscsiProtocolException("empty key=value pair at offset " + (i - off));
      }
      int eq = -1;
      for (int k = i; k < nul; k++) {
        if (b[k] == '=') {
          eq = k;
          break;
        }
      }
      if (eq < 0) {
        throw new IscsiProtocolException("key=value pair without '=' at offset " + (i - off));
      }
      int keyLen = eq - i;
      if (keyLen == 0 || keyLen > MAX_KEY) {
        throw new IscsiProtocolException("key of " + keyLen + " bytes at offset " + (i - off) + " (1.." + MAX_KEY + ")");
      }
      for (int k = i; k < eq; k++) {
        if (!keyChar(b[k])) {
          throw new IscsiProtocolException(String.format("invalid byte %02Xh in a key at offset %d", b[k] & 0xFF, k - off));
        }
      }
      int valueLen = nul - eq - 1;
      if (valueLen > MAX_VALUE) {
        throw new IscsiProtocolException("value of " + valueLen + " bytes for key "
            + new String(b, i, keyLen, StandardCharsets.US_ASCII) + " exceeds " + MAX_VALUE);
      }
      if (out.size() == MAX_PAIRS) {
        throw new IscsiProtocolException("more than " + MAX_PAIRS + " key=value pairs");
      }
      out.add(new SimpleImmutableEntry<>(new String(b, i, keyLen, StandardCharsets.US_ASCII),
          new String(b, eq + 1, valueLen, StandardCharsets.UTF_8)));
      i = nul + 1;
    }
    return out;
  }

  /** Parses into a map; a key given twice is a protocol error (RFC 7143 6.1). */
  public static Map<String, String> parseUnique(byte[] text) throws IscsiProtocolException {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : parse(text)) {
      if (m.put(e.getKey(), e.getValue()) != null) {
        throw new IscsiProtocolException("key " + e.getKey() + " given twice");
      }
    }
    return m;
  }

  private static boolean keyChar(byte c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
        || c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
  }

  /** Encodes pairs in order, each NUL-terminated. */
  public static byte[] encode(Map<String, String> pairs) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.US_ASCII);
      byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
      o.write(k, 0, k.length);
      o.write('=');
      o.write(v, 0, v.length);
      o.write(0);
    }
    return o.toByteArray();
  }
}
