package dev.mpath;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The world-wide identifier (WWID) of a logical unit or namespace, in the Linux sysfs
 * {@code wwid} text form. Heads are keyed by it, so a device keeps its identity (and its
 * alias) whichever path reaches it and across restarts.
 *
 * <table>
 *   <caption>Accepted forms</caption>
 *   <tr><th>kind</th><th>text</th><th>source</th></tr>
 *   <tr><td>NAA</td><td>{@code naa.} + 16 or 32 lowercase hex digits</td>
 *       <td>SCSI VPD 0x83 NAA designator (SPC-4 7.8.6.6)</td></tr>
 *   <tr><td>EUI</td><td>{@code eui.} + 16, 24 or 32 hex digits</td>
 *       <td>SCSI EUI-64 designator; NVMe EUI64 (8 bytes) or NGUID (16 bytes)</td></tr>
 *   <tr><td>UUID</td><td>{@code uuid.} + canonical UUID</td>
 *       <td>NVMe namespace UUID; SCSI UUID designator</td></tr>
 *   <tr><td>T10</td><td>{@code t10.} + printable ASCII (spaces kept)</td>
 *       <td>SCSI T10 vendor ID designator</td></tr>
 *   <tr><td>NAME</td><td>{@code iqn.}... (the SCSI name string as is)</td>
 *       <td>SCSI name string designator</td></tr>
 *   <tr><td>NVME</td><td>{@code nvme.} + printable ASCII</td>
 *       <td>NVMe fallback (vendor id, serial, model, nsid)</td></tr>
 * </table>
 *
 * <p>Hex digits are normalised to lower case on parse, so two spellings of one WWID are
 * {@linkplain #equals(Object) equal}. Instances are immutable and thread-safe.
 */
public final class DeviceId implements Comparable<DeviceId> {

  /** Longest accepted WWID text; sysfs {@code wwid} values are far shorter. */
  public static final int MAX_LENGTH = 256;

  /** The designator family a WWID comes from. */
  public enum Kind {
    NAA("naa."),
    EUI("eui."),
    UUID("uuid."),
    T10("t10."),
    NAME("iqn."),
    NVME("nvme.");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The text prefix, including the dot. */
    public String prefix() {
      return prefix;
    }
  }

  private static final HexFormat HEX = HexFormat.of();

  private final Kind kind;
  private final String text;

  private DeviceId(Kind kind, String text) {
    this.kind = kind;
    this.text = text;
  }

  /**
   * Parses a WWID in sysfs form.
   *
   * @throws IllegalArgumentException if the text is not one of the accepted forms; the
   *     message says why
   */
  public static DeviceId parse(String wwid) {
    Objects.requireNonNull(wwid, "wwid");
    if (wwid.isEmpty() || wwid.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "WWID must be 1.." + MAX_LENGTH + " characters, got " + wwid.length());
    }
    int dot = wwid.indexOf('.');
    String prefix = dot < 0 ? "" : wwid.substring(0, dot + 1).toLowerCase(Locale.ROOT);
    String body = dot < 0 ? "" : wwid.substring(dot + 1);
    for (Kind k : Kind.values()) {
      if (k.prefix.equals(prefix)) {
        return of(k, body, wwid);
      }
    }
    throw new IllegalArgumentException(
        "WWID '" + wwid + "' has no known prefix (naa., eui., uuid., t10., iqn., nvme.)");
  }

  private static DeviceId of(Kind kind, String body, String original) {
    switch (kind) {
      case NAA:
        requireHex(body, original, 16, 32);
        int naa = Character.digit(body.charAt(0), 16);
        if (naa != 2 && naa != 3 && naa != 5 && naa != 6) {
          throw new IllegalArgumentException(
              "WWID '" + original + "': NAA field " + naa + " is not 2, 3, 5 or 6");
        }
        if ((naa == 6) != (body.length() == 32)) {
          throw new IllegalArgumentException(
              "WWID '" + original + "': NAA " + naa + " designators are "
                  + (naa == 6 ? 16 : 8) + " bytes");
        }
        return new DeviceId(kind, kind.prefix + body.toLowerCase(Locale.ROOT));
      case EUI:
        requireHex(body, original, 16, 24, 32);
        return new DeviceId(kind, kind.prefix + body.toLowerCase(Locale.ROOT));
      case UUID:
        if (body.length() != 36) {
          throw new IllegalArgumentException("WWID '" + original + "': UUID must be 36 characters");
        }
        try {
          UUID u = java.util.UUID.fromString(body);
          return new DeviceId(kind, kind.prefix + u.toString());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("WWID '" + original + "': malformed UUID", e);
        }
      default:
        // T10 vendor ids are space-padded (SPC-4 7.8.6.4), so only t10. keeps spaces.
        requirePrintable(body, original, kind == Kind.T10);
        String prefix = kind == Kind.NAME ? "iqn." : kind.prefix;
        return new DeviceId(kind, prefix + body);
    }
  }

  /** An NAA designator (8 bytes for NAA 2, 3 and 5; 16 bytes for NAA 6). */
  public static DeviceId naa(byte[] designator) {
    return parse("naa." + HEX.formatHex(designator));
  }

  /** An EUI-64 based designator: 8, 12 or 16 bytes (NVMe EUI64 is 8, NGUID 16). */
  public static DeviceId eui(byte[] designator) {
    return parse("eui." + HEX.formatHex(designator));
  }

  /** A UUID designator. */
  public static DeviceId uuid(UUID uuid) {
    return new DeviceId(Kind.UUID, "uuid." + uuid);
  }

  /** A T10 vendor ID designator: the vendor id and the vendor-specific text. */
  public static DeviceId t10(String text) {
    return parse("t10." + text);
  }

  /** The NVMe fallback form for namespaces that report no identifier. */
  public static DeviceId nvme(String text) {
    return parse("nvme." + text);
  }

  /** The designator family. */
  public Kind kind() {
    return kind;
  }

  /** The WWID text, as it would appear in sysfs. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceId && ((DeviceId) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public int compareTo(DeviceId o) {
    return text.compareTo(o.text);
  }

  private static void requireHex(String body, String original, int... lengths) {
    boolean lengthOk = false;
    for (int l : lengths) {
      lengthOk |= body.length() == l;
    }
    if (!lengthOk) {
      throw new IllegalArgumentException(
          "WWID '" + original + "': expected " + describe(lengths) + " hex digits, got "
              + body.length());
    }
    for (int i = 0; i < body.length(); i++) {
      if (Character.digit(body.charAt(i), 16) < 0) {
        throw new IllegalArgumentException(
            "WWID '" + original + "': '" + body.charAt(i) + "' is not a hex digit");
      }
    }
  }

  private static void requirePrintable(String body, String original, boolean spaces) {
    if (body.isEmpty()) {
      throw new IllegalArgumentException("WWID '" + original + "' has nothing after its prefix");
    }
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c < 0x20 || c >= 0x7f || (c == 0x20 && !spaces)) {
        throw new IllegalArgumentException(
            "WWID '" + original + "': character at " + i + " is not printable ASCII");
      }
    }
  }

  private static String describe(int[] lengths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lengths.length; i++) {
      if (i > 0) {
        sb.append(i == lengths.length - 1 ? " or " : ", ");
      }
      sb.append(lengths[i]);
    }
    return sb.toString();
  }
}
