package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.Multipath;
import dev.mpath.testing.Rig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindingsTest {
  @TempDir Path dir;

  @Test
  void bijectiveBase26Suffixes() {
    String[][] table = {
      {"0", "a"}, {"1", "b"}, {"25", "z"}, {"26", "aa"}, {"27", "ab"}, {"51", "az"},
      {"52", "ba"}, {"701", "zz"}, {"702", "aaa"}, {"18277", "zzz"}, {"18278", "aaaa"}
    };
    for (String[] row : table) {
      int i = Integer.parseInt(row[0]);
      assertEquals(row[1], Bindings.suffix(i), "suffix " + i);
      assertEquals(i, Bindings.indexOf("mpath" + row[1], "mpath"));
    }
    assertEquals(-1, Bindings.indexOf("mpathA", "mpath"));
    assertEquals(-1, Bindings.indexOf("mpath", "mpath"));
    assertEquals(-1, Bindings.indexOf("data1", "mpath"));
  }

  @Test
  void roundTripKeepsForeignBindingsAndFillsTheLowestGap() throws IOException {
    Path f = dir.resolve("bindings");
    Files.writeString(
        f,
        "# written by hand\n"
            + "mpatha naa.600140500000000000000000000000a1\n"
            + "\n"
            + "   mpathc   eui.0011223344556677   # trailing comment\n"
            + "oracle_data 3600a098038303053453f463045727a6b\n",
        StandardCharsets.UTF_8);
    Bindings b = Bindings.open(f, "mpath");
    assertEquals("mpatha", b.aliasFor("naa.600140500000000000000000000000a1"));
    assertEquals("mpathb", b.aliasFor("uuid.3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b"), "gap b");
    assertEquals("mpathd", b.aliasFor("eui.8899aabbccddeeff"));
    assertEquals("oracle_data", b.aliasFor("3600a098038303053453f463045727a6b"));
    Bindings again = Bindings.open(f, "mpath");
    assertEquals(
        Map.of(
            "naa.600140500000000000000000000000a1", "mpatha",
            "eui.0011223344556677", "mpathc",
            "3600a098038303053453f463045727a6b", "oracle_data",
            "uuid.3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b", "mpathb",
            "eui.8899aabbccddeeff", "mpathd"),
        again.bindings());
    List<String> lines = Files.readAllLines(f);
    assertTrue(lines.contains("mpathb uuid.3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b"), lines.toString());
    assertTrue(lines.get(0).startsWith("#"));
  }

  @Test
  void rewriteIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
    Path f = dir.resolve("bindings");
    Bindings b = Bindings.open(f, "mpath");
    for (int i = 0; i < 30; i++) {
      b.aliasFor(String.format("eui.%016x", i));
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of("bindings", "bindings.lock"), names);
    }
    assertEquals("mpathad", Bindings.open(f, "mpath").aliasFor(String.format("eui.%016x", 29)));
    // the file is replaced, never edited in place: an open reader keeps the old inode
    long before = Files.size(f);
    try (var in = Files.newInputStream(f)) {
      b.aliasFor("eui.ffffffffffffffff");
      byte[] old = in.readAllBytes();
      assertEquals(before, old.length, "reader saw the complete old file");
    }
  }

  @Test
  void aliasesAreStableAcrossRestarts() {
    Path f = dir.resolve("bindings");
    String first;
    try (Rig rig = Rig.builder().extra(b -> b.userFriendlyNames(f)).build()) {
      rig.attach();
      first = rig.device().alias().orElseThrow();
      assertEquals("mpatha", first);
      assertTrue(rig.mp.device("mpatha").isPresent(), "lookup by alias");
    }
    // a new process: another WWID was bound by someone else meanwhile, ours keeps its alias
    try (Rig rig = Rig.builder().extra(b -> b.userFriendlyNames(f)).build()) {
      rig.attach();
      assertEquals(first, rig.device().alias().orElseThrow());
    }
  }

  @Test
  void malformedFilesAreRejectedNamingTheLine() throws IOException {
    String[][] cases = {
      {"mpatha naa.600140500000000000000000000000a1\nmpathb\n", "line 2", "expected 'alias wwid'"},
      {"mpatha a b c\n", "line 1", "4 field(s)"},
      {"mpatha x1\n# c\nmpatha x2\n", "line 3", "alias 'mpatha' is already bound on line 1"},
      {"mpatha x1\nmpathb x1\n", "line 2", "wwid 'x1' is already bound on line 1"},
      {"mp/ath x1\n", "line 1", "characters outside"},
    };
    for (String[] c : cases) {
      Path f = dir.resolve("bad");
      Files.writeString(f, c[0]);
      BindingsFormatException e =
          assertThrows(BindingsFormatException.class, () -> Bindings.open(f, "mpath"));
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
      // and through the public builder
      UncheckedIOException u =
          assertThrows(
              UncheckedIOException.class,
              () -> Multipath.builder().discoverProviders(false).userFriendlyNames(f).build());
      assertTrue(u.getMessage().contains(c[1]));
      assertEquals(c[0], Files.readString(f), "a malformed file is never rewritten");
    }
  }
}
