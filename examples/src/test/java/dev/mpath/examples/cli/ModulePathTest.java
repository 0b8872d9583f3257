package dev.mpath.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The module descriptors work: the tool runs on the module path (tests otherwise run on
 * the class path), its providers found through {@code provides}/{@code uses} alone,
 * picocli reaching the commands through {@code opens}.
 */
class ModulePathTest {
  @Test
  void listRunsAsNamedModules() throws Exception {
    List<String> modulePath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      boolean ours = entry.endsWith(File.separator + "classes") && !entry.endsWith("test-classes");
      boolean oursJar = name.matches("(mpath-api|mpath-wire|alua|nvme-provider|scsi-provider)-[0-9].*\\.jar")
          && !name.contains("tests");
      boolean dep = name.startsWith("picocli-") || name.startsWith("HdrHistogram-")
          || name.startsWith("slf4j-api-") || name.startsWith("slf4j-simple-")
          || name.startsWith("guava-") || name.startsWith("failureaccess-")
          || name.startsWith("caffeine-") || name.startsWith("netty-");
      if (ours || oursJar || dep) {
        modulePath.add(entry);
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "--module-path", String.join(File.pathSeparator, modulePath),
        "-m", "dev.mpath.examples/dev.mpath.examples.cli.Main", "list", "--json")
        .redirectErrorStream(true).start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "the module-path run finished");
    assertEquals(0, p.exitValue(), "module path " + modulePath + "\n" + out);
    assertTrue(out.contains("\"NQN\": \"nqn.2024-01.dev.mpath:demo\""), out);
    assertTrue(out.contains("\"Name\": \"sda\""), out);
  }
}
