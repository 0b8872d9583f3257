package dev.mpath.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small declarative target topology ({@code --config FILE}), one statement per line,
 * {@code #} starts a comment:
 *
 * <pre>
 * target NAME                                      loop target name (default "embedded")
 * nvme-subsystem NQN ports=N
 * nvme-namespace NQN nsid=N blocks=N [block-size=512] [ana-group=G] [ports=1,2] [shared=true]
 * nvme-ana NQN group=G port=P state=optimized|non-optimized|inaccessible|persistent-loss
 * scsi-target NAME [tpgs=none|implicit|explicit|both] [transition-ms=N]
 * scsi-group NAME id=G state=ao|an|s|u|o [preferred=true]
 * scsi-port NAME id=P group=G
 * scsi-lun NAME lun=N blocks=N [block-size=512]
 * </pre>
 *
 * A malformed line is refused with its number. Immutable once parsed.
 */
public final class Topology {

  /** One statement: its keyword, its subject (NQN or target name) and its settings. */
  public record Statement(int line, String keyword, String subject, Map<String, String> settings) {
    String get(String key) throws TopologyException {
      String v = settings.get(key);
      if (v == null) {
        throw new TopologyException(line, keyword + " needs " + key + "=");
      }
      return v;
    }

    String get(String key, String dflt) {
      return settings.getOrDefault(key, dflt);
    }

    long number(String key) throws TopologyException {
      return parse(get(key));
    }

    long number(String key, long dflt) throws TopologyException {
      return settings.containsKey(key) ? parse(settings.get(key)) : dflt;
    }

    private long parse(String v) throws TopologyException {
      try {
        long n = Long.parseLong(v);
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new TopologyException(line, "'" + v + "' is not a non-negative number");
      }
    }
  }

  /** A topology line that does not parse; the message names the line. */
  public static final class TopologyException extends IOException {
    private static final long serialVersionUID = 1L;

    TopologyException(int line, String problem) {
      super("line " + line + ": " + problem);
    }

    TopologyException(String message) {
      super(message);
    }
  }

  static final List<String> KEYWORDS = List.of(
      "target", "nvme-subsystem", "nvme-namespace", "nvme-ana",
      "scsi-target", "scsi-group", "scsi-port", "scsi-lun");

  /** The topology the demo and {@code embedded} use. */
  public static final String DEFAULT =
      "# mpath embedded topology\n"
          + "target embedded\n"
          + "nvme-subsystem nqn.2024-01.dev.mpath:demo ports=3\n"
          + "nvme-namespace nqn.2024-01.dev.mpath:demo nsid=1 blocks=131072 ana-group=1\n"
          + "nvme-namespace nqn.2024-01.dev.mpath:demo nsid=2 blocks=65536 ana-group=2\n"
          + "nvme-ana nqn.2024-01.dev.mpath:demo group=1 port=3 state=non-optimized\n"
          + "nvme-ana nqn.2024-01.dev.mpath:demo group=2 port=1 state=non-optimized\n"
          + "scsi-target iqn.2024-01.dev.mpath:demo-lu tpgs=both transition-ms=500\n"
          + "scsi-group iqn.2024-01.dev.mpath:demo-lu id=1 state=ao preferred=true\n"
          + "scsi-group iqn.2024-01.dev.mpath:demo-lu id=2 state=an\n"
          + "scsi-port iqn.2024-01.dev.mpath:demo-lu id=1 group=1\n"
          + "scsi-port iqn.2024-01.dev.mpath:demo-lu id=2 group=2\n"
          + "scsi-lun iqn.2024-01.dev.mpath:demo-lu lun=0 blocks=131072\n";

  private final String target;
  private final List<Statement> statements;

  private Topology(String target, List<Statement> statements) {
    this.target = target;
    this.statements = List.copyOf(statements);
  }

  public static Topology parse(String text) throws TopologyException {
    List<Statement> out = new ArrayList<>();
    String target = "embedded";
    String[] lines = text.split("\n", -1);
    for (int n = 1; n <= lines.length; n++) {
      String line = lines[n - 1];
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String[] tokens = content.split("\\s+");
      String keyword = tokens[0].toLowerCase(Locale.ROOT);
      if (!KEYWORDS.contains(keyword)) {
        throw new TopologyException(n, "unknown statement '" + tokens[0] + "' (one of " + KEYWORDS + ")");
      }
      if (tokens.length < 2 || tokens[1].contains("=")) {
        throw new TopologyException(n, keyword + " needs a name first");
      }
      Map<String, String> settings = new LinkedHashMap<>();
      for (int i = 2; i < tokens.length; i++) {
        int eq = tokens[i].indexOf('=');
        if (eq <= 0 || eq == tokens[i].length() - 1) {
          throw new TopologyException(n, "expected key=value, got '" + tokens[i] + "'");
        }
        if (settings.put(tokens[i].substring(0, eq).toLowerCase(Locale.ROOT), tokens[i].substring(eq + 1)) != null) {
          throw new TopologyException(n, "'" + tokens[i].substring(0, eq) + "' given twice");
        }
      }
      if (keyword.equals("target")) {
        target = tokens[1];
        continue;
      }
      out.add(new Statement(n, keyword, tokens[1], settings));
    }
    return new Topology(target, out);
  }

  public static Topology read(Path file) throws IOException {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (TopologyException e) {
      throw new TopologyException(file + " " + e.getMessage());
    }
  }

  public static Topology defaults() {
    try {
      return parse(DEFAULT);
    } catch (TopologyException e) {
      throw new AssertionError(e);
    }
  }

  /** The loop target name the subsystems and SCSI targets are registered under. */
  public String target() {
    return target;
  }

  public List<Statement> statements() {
    return statements;
  }

  public List<Statement> of(String keyword) {
    return statements.stream().filter(s -> s.keyword().equals(keyword)).toList();
  }
}
