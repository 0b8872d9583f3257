package dev.mpath.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code mpath serve --control stdin --advertise 10.0.2.100} in a child JVM on the test's
 * class path, for the kernel interop tests: the QEMU guest reaches its listeners at
 * 10.0.2.100 (forwarded to loopback), and the test drives the control channel; other peers
 * on loopback (libiscsi's suite) advertise 127.0.0.1.
 */
final class ServeProcess implements AutoCloseable {
  final Process process;
  final Writer control;
  final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  /** Every line serve printed so far. */
  final List<String> printed = new CopyOnWriteArrayList<>();

  private ServeProcess(Process p) {
    this.process = p;
    this.control = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l);
          printed.add(l);
        }
      } catch (IOException e) {
        // ended
      }
    }, "serve-out");
    t.setDaemon(true);
    t.start();
  }

  static ServeProcess start(int port) throws Exception {
    return start(port, "10.0.2.100");
  }

  /** serve on {@code port} and the four after it, advertising {@code advertise}. */
  static ServeProcess start(int port, String advertise) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.mpath.examples.cli.Main", "serve", "--port", Integer.toString(port), "--control", "stdin",
        "--advertise", advertise,
        "--duration", "330").redirectErrorStream(true).start();
    ServeProcess s = new ServeProcess(p);
    s.awaitLine("serving \\d+ NVMe/TCP port", Duration.ofSeconds(60));
    return s;
  }

  String awaitLine(String regex, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new AssertionError("serve never printed /" + regex + "/");
      }
      if (l.matches("(?s).*" + regex + ".*")) {
        return l;
      }
    }
  }

  String command(String line) throws Exception {
    control.write(line + "\n");
    control.flush();
    return awaitLine("^(ok|error).*", Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
