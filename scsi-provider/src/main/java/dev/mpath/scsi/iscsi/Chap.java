package dev.mpath.scsi.iscsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * CHAP with MD5 (RFC 1994, RFC 7143 12.1.3): the response is MD5(identifier || secret ||
 * challenge). Binary values travel as {@code 0x} hex or {@code 0b} base64 (RFC 7143 6.1).
 */
public final class Chap {
  private Chap() {}

  /** CHAP_A value of MD5. */
  public static final int MD5 = 5;
  /** Longest challenge accepted (RFC 7143 12.1.3 caps CHAP_C at 1024 bytes). */
  public static final int MAX_CHALLENGE = 1024;

  /** MD5(identifier || secret || challenge). */
  public static byte[] response(int identifier, byte[] secret, byte[] challenge) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      md.update((byte) identifier);
      md.update(secret);
      md.update(challenge);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 unavailable", e);
    }
  }

  public static byte[] response(int identifier, String secret, byte[] challenge) {
    return response(identifier, secret.getBytes(StandardCharsets.UTF_8), challenge);
  }

  /** Decodes a binary value ({@code 0x..} hex, {@code 0b..} base64). */
  public static byte[] decodeBinary(String v, int maxBytes) throws IscsiProtocolException {
    byte[] b;
    try {
      if (v.length() > 2 && (v.startsWith("0x") || v.startsWith("0X"))) {
        String h = v.substring(2);
        if (h.length() / 2 > maxBytes + 1) {
          throw new IscsiProtocolException("binary value of " + h.length() / 2 + " bytes exceeds " + maxBytes);
        }
        if ((h.length() & 1) == 1) {
          h = "0" + h;
        }
        b = HexFormat.of().parseHex(h);
      } else if (v.length() > 2 && (v.startsWith("0b") || v.startsWith("0B"))) {
        if (v.length() / 4 * 3 > maxBytes + 3) {
          throw new IscsiProtocolException("binary value exceeds " + maxBytes + " bytes");
        }
        b = Base64.getDecoder().decode(v.substring(2));
      } else {
        throw new IscsiProtocolException("binary value without 0x or 0b prefix");
      }
    } catch (IllegalArgumentException e) {
      throw new IscsiProtocolException("malformed binary value: " + e.getMessage());
    }
    if (b.length == 0 || b.length > maxBytes) {
      throw new IscsiProtocolException("binary value of " + b.length + " bytes (1.." + maxBytes + ")");
    }
    return b;
  }

  /** {@code 0x} + lower-case hex. */
  public static String encodeHex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }
}
