package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Test helper for writing expected bytes by hand, independently of the production codecs:
 * hex literals for small structures, and explicit little-endian byte placement at literal
 * specification offsets for the 4096-byte ones.
 */
final class Golden {

  final byte[] b;

  Golden(int length) {
    b = new byte[length];
  }

  /** Parses hex digits, ignoring whitespace and '|' separators. */
  static byte[] hex(String s) {
    String h = s.replaceAll("[\\s|]", "");
    if (h.length() % 2 != 0) {
      throw new IllegalArgumentException("odd hex length: " + h.length());
    }
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  /** A big-endian (Java default) buffer over the bytes: decoders must not depend on order. */
  static ByteBuffer be(byte[] bytes) {
    return ByteBuffer.wrap(bytes);
  }

  Golden u8(int off, int v) {
    b[off] = (byte) v;
    return this;
  }

  Golden le16(int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    return this;
  }

  Golden le32(int off, long v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  Golden le64(int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  Golden bytes(int off, byte[] v) {
    System.arraycopy(v, 0, b, off, v.length);
    return this;
  }

  /** ASCII, space padded to {@code len}. */
  Golden ascii(int off, int len, String s) {
    byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < len; i++) {
      b[off + i] = i < raw.length ? raw[i] : (byte) 0x20;
    }
    return this;
  }

  /** UTF-8, NUL padded (the rest stays zero). */
  Golden utf8(int off, String s) {
    return bytes(off, s.getBytes(StandardCharsets.UTF_8));
  }
}
