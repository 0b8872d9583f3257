package dev.mpath.store;

import java.nio.ByteBuffer;

/** Fills holes with zeros in bulk. */
final class Zeros {
  private static final byte[] BYTES = new byte[64 * 1024];

  private Zeros() {}

  /** Puts {@code n} zero bytes into {@code dst} at its position, advancing it. */
  static void fill(ByteBuffer dst, int n) {
    while (n > 0) {
      int k = Math.min(n, BYTES.length);
      dst.put(BYTES, 0, k);
      n -= k;
    }
  }
}
