package dev.mpath.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away Linux guest booted by the workplace's {@code qemu-nvme-client.sh} (a real
 * kernel as NVMe/TCP host, open-iscsi + dm-multipath host, nvmet or LIO target). Its guest
 * addresses are forwarded to host loopback, so a test only ever sees loopback traffic.
 *
 * <p>Opt-in: the kernel interop tests run only when {@code MPATH_QEMU} names the script
 * ({@code .ci/run} sets it once the script's packages are installed); otherwise
 * {@link #require()} skips the test with the reason. Every wait is bounded, and
 * {@link #close()} kills the whole process tree.
 */
public final class QemuGuest implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>(); // guarded by itself
  private final Path log;

  private QemuGuest(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread t = new Thread(this::pump, "qemu-guest-log");
    t.setDaemon(true);
    t.start();
  }

  /** The script, or a skipped test with the reason. */
  public static Path require() {
    String s = System.getenv("MPATH_QEMU");
    Assumptions.assumeTrue(s != null && !s.isEmpty(),
        "no Linux guest: set MPATH_QEMU to ../shared/tools/qemu-nvme-client.sh (its packages"
            + " installed) to run the kernel interop tests");
    Path p = Path.of(s);
    Assumptions.assumeTrue(Files.isReadable(p), "MPATH_QEMU=" + s + " is not readable");
    return p;
  }

  /**
   * Skips the test unless {@code MPATH_QEMU_ISCSI=1}: the {@code --iscsi} guest (open-iscsi,
   * multipath-tools) has its host packages installed and boots ({@code .ci/run} checks).
   */
  public static void requireIscsi() {
    Assumptions.assumeTrue("1".equals(System.getenv("MPATH_QEMU_ISCSI")),
        "no open-iscsi guest: set MPATH_QEMU_ISCSI=1 once qemu-nvme-client.sh --install --iscsi"
            + " --selftest passes");
  }

  /** The guest script of that name beside the client script ({@code qemu-nvme-guest/NAME}). */
  public static Path guestScript(String name) {
    return require().resolveSibling("qemu-nvme-guest").resolve(name);
  }

  /** Copies a guest script from {@code owner}'s class path resources to {@code target/} for {@code -f}. */
  public static Path scriptFromResource(Class<?> owner, String resource) throws IOException {
    Path out = Path.of("target", "guest-" + Path.of(resource).getFileName());
    try (java.io.InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no resource " + resource);
      }
      Files.createDirectories(out.getParent());
      Files.write(out, in.readAllBytes());
    }
    return out;
  }

  /**
   * Boots a guest: {@code bash <script> -t <limit> <args...>}. The guest's console goes to
   * {@code target/qemu-<tag>.log} as well as to {@link #lines()}.
   */
  public static QemuGuest start(String tag, Duration limit, String... args) throws IOException {
    Path script = require();
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(script.toString());
    cmd.add("-t");
    cmd.add(Long.toString(limit.toSeconds()));
    cmd.addAll(List.of(args));
    Path log = Path.of("target", "qemu-" + tag + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    return new QemuGuest(pb.start(), log);
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        String clean = line.replace("\r", "");
        synchronized (lines) {
          lines.add(clean);
          lines.notifyAll();
        }
        w.write(clean);
        w.newLine();
        w.flush();
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }

  /** Every console line so far. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** The console so far, one string (for assertion messages). */
  public String console() {
    return String.join("\n", lines());
  }

  /**
   * Waits until a console line matches {@code regex} and returns the match.
   *
   * @throws AssertionError if the bound passes or the guest ends first (with the console tail)
   */
  public Matcher await(String regex, Duration bound) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + bound.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = p.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && seen == lines.size()) {
          throw new AssertionError("guest console never showed /" + regex + "/ "
              + (left <= 0 ? "within " + bound : "before the guest ended") + "; console tail:\n"
              + tail(40));
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
      }
    }
  }

  /** Waits for the guest to end and returns the script's exit status (124 = its own time limit). */
  public int waitFor(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
      throw new AssertionError("guest still running after " + bound + "; console tail:\n" + tail(40));
    }
    return process.exitValue();
  }

  /** The last {@code n} console lines. */
  public String tail(int n) {
    List<String> l = lines();
    return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
  }

  /** Kills the guest and its helpers (socat, qemu). Idempotent. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
