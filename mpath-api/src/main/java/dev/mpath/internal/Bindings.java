package dev.mpath.internal;

import java.io.IOException;
import dev.mpath.spi.DeviceNames;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * User-friendly names: a bindings file in the multipath-tools format ({@code alias wwid}
 * per line, {@code #} starts a comment), aliases {@code <prefix><suffix>} with the suffix
 * in bijective base 26 ({@code a}..{@code z}, {@code aa}..{@code zz}, {@code aaa}...).
 *
 * <p>A new WWID takes the lowest unused suffix. The file is re-read before every
 * allocation and rewritten atomically (temporary file, fsync, rename) under an advisory
 * lock on {@code <file>.lock}, so several processes sharing it never hand one alias to two
 * WWIDs. A malformed file is refused with the line that is wrong; it is never rewritten.
 * Thread-safe.
 */
public final class Bindings {
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_.:+-]+");
  private static final String HEADER =
      "# mpath bindings: user-friendly names of multipath devices.\n"
          + "# Written by mpath; the format is the multipath-tools one.\n"
          + "# One binding per line:  alias wwid\n";

  private final Path file;
  private final String prefix;
  private Map<String, String> aliasByWwid = new LinkedHashMap<>();

  private Bindings(Path file, String prefix) {
    this.file = file;
    this.prefix = prefix;
  }

  /**
   * Opens (and validates) a bindings file; a missing file is an empty one.
   *
   * @throws BindingsFormatException if a line is malformed
   */
  public static Bindings open(Path file, String prefix) throws IOException {
    if (!ALIAS.matcher(prefix).matches()) {
      throw new IllegalArgumentException("bad alias prefix '" + prefix + "'");
    }
    Bindings b = new Bindings(file, prefix);
    b.aliasByWwid = read(file);
    return b;
  }

  /** The alias bound to {@code wwid}, allocating and persisting one if needed. */
  public synchronized String aliasFor(String wwid) throws IOException {
    String known = aliasByWwid.get(wwid);
    if (known != null) {
      return known;
    }
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      Map<String, String> current = read(file); // another process may have added some
      String alias = current.get(wwid);
      if (alias == null) {
        alias = prefix + suffix(lowestFree(current));
        current.put(wwid, alias);
        write(current);
      }
      aliasByWwid = current;
      return alias;
    }
  }

  /** The bindings known now, WWID to alias. */
  public synchronized Map<String, String> bindings() {
    return Map.copyOf(aliasByWwid);
  }

  private int lowestFree(Map<String, String> bindings) {
    java.util.BitSet used = new java.util.BitSet();
    for (String alias : bindings.values()) {
      int i = indexOf(alias, prefix);
      if (i >= 0) {
        used.set(i);
      }
    }
    return used.nextClearBit(0);
  }

  /** Bijective base 26: 0 -> a, 25 -> z, 26 -> aa, 701 -> zz, 702 -> aaa. */
  public static String suffix(int index) {
    return DeviceNames.letters(index);
  }

  /** The index of a generated alias ({@code prefix} + letters), or -1 for any other. */
  public static int indexOf(String alias, String prefix) {
    return alias.startsWith(prefix) ? DeviceNames.indexOf(alias.substring(prefix.length())) : -1;
  }

  private static Map<String, String> read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new LinkedHashMap<>();
    }
    Map<String, String> byWwid = new LinkedHashMap<>();
    Map<String, Integer> aliasLine = new LinkedHashMap<>();
    Map<String, Integer> wwidLine = new LinkedHashMap<>();
    for (int n = 1; n <= lines.size(); n++) {
      String line = lines.get(n - 1);
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String[] tokens = content.split("\\s+");
      if (tokens.length != 2) {
        throw new BindingsFormatException(
            file, n, "expected 'alias wwid', got " + tokens.length + " field(s): '" + content + "'");
      }
      String alias = tokens[0];
      String wwid = tokens[1];
      if (!ALIAS.matcher(alias).matches()) {
        throw new BindingsFormatException(file, n, "alias '" + alias + "' has characters outside [A-Za-z0-9_.:+-]");
      }
      if (aliasLine.containsKey(alias)) {
        throw new BindingsFormatException(
            file, n, "alias '" + alias + "' is already bound on line " + aliasLine.get(alias));
      }
      if (wwidLine.containsKey(wwid)) {
        throw new BindingsFormatException(
            file, n, "wwid '" + wwid + "' is already bound on line " + wwidLine.get(wwid));
      }
      aliasLine.put(alias, n);
      wwidLine.put(wwid, n);
      byWwid.put(wwid, alias);
    }
    return byWwid;
  }

  private void write(Map<String, String> bindings) throws IOException {
    StringBuilder sb = new StringBuilder(HEADER);
    for (Map.Entry<String, String> e : bindings.entrySet()) {
      sb.append(e.getValue()).append(' ').append(e.getKey()).append('\n');
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer data = StandardCharsets.UTF_8.encode(sb.toString());
        while (data.hasRemaining()) {
          ch.write(data);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
