package dev.mpath.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackingStoreTest {
  @TempDir Path dir;

  private List<BackingStore> stores() throws IOException {
    return List.of(
        BackingStores.sparseMemory(1 << 20), BackingStores.file(dir.resolve("f.img"), 1 << 20));
  }

  private static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + seed);
    }
    return b;
  }

  private static byte[] read(BackingStore s, long off, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    s.read(off, b);
    assertEquals(n, b.position());
    return b.array();
  }

  @Test
  void writeReadZeroDiscardAcrossChunkBoundaries() throws IOException {
    for (BackingStore s : stores()) {
      try (s) {
        assertArrayEquals(new byte[4096], read(s, 0, 4096), "unwritten reads zero");
        byte[] data = pattern(3 * 65536 + 100, 3);
        long off = 65536 - 50; // straddles three chunk boundaries
        ByteBuffer src = ByteBuffer.wrap(data);
        s.write(off, src);
        assertEquals(data.length, src.position());
        assertArrayEquals(data, read(s, off, data.length));
        s.zero(off + 10, 65536 * 2);
        byte[] expect = data.clone();
        java.util.Arrays.fill(expect, 10, 10 + 65536 * 2, (byte) 0);
        assertArrayEquals(expect, read(s, off, data.length));
        s.discard(off, data.length);
        assertArrayEquals(new byte[data.length], read(s, off, data.length));
        s.flush();
      }
    }
  }

  @Test
  void rangesAreChecked() throws IOException {
    for (BackingStore s : stores()) {
      try (s) {
        assertThrows(IllegalArgumentException.class, () -> s.read((1 << 20) - 10, ByteBuffer.allocate(11)));
        assertThrows(IllegalArgumentException.class, () -> s.write(-1, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> s.zero(Long.MAX_VALUE, 10));
      }
    }
  }

  @Test
  void sparseMemoryAllocatesOnlyWhatIsWritten() {
    SparseMemoryStore s = (SparseMemoryStore) BackingStores.sparseMemory(1L << 40); // 1 TiB
    s.write(1L << 39, ByteBuffer.allocate(4096));
    assertEquals(SparseMemoryStore.CHUNK, s.allocatedBytes());
    s.zero(1L << 39, SparseMemoryStore.CHUNK);
    assertEquals(0, s.allocatedBytes());
  }

  @Test
  void fileStoreKeepsDataAcrossReopen() throws IOException {
    Path f = dir.resolve("g.img");
    try (BackingStore s = BackingStores.file(f, 8192)) {
      s.write(4096, ByteBuffer.wrap(pattern(4096, 9)));
    }
    try (BackingStore s = BackingStores.file(f, 8192)) {
      assertArrayEquals(pattern(4096, 9), read(s, 4096, 4096));
    }
  }

  @Test
  void nullStoreReadsZerosAndDropsWrites() throws IOException {
    BackingStore s = BackingStores.nullStore(8192);
    ByteBuffer w = ByteBuffer.wrap(pattern(512, 1));
    s.write(0, w);
    assertEquals(512, w.position());
    ByteBuffer r = ByteBuffer.wrap(pattern(512, 2));
    s.read(0, r);
    assertArrayEquals(new byte[512], r.array());
  }
}
