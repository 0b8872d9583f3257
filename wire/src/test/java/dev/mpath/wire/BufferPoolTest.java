package dev.mpath.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

  @Test
  void aReturnedBufferIsHandedOutAgainWithTheNewLength() {
    BufferPool p = new BufferPool(1 << 20);
    ByteBuffer a = p.take(4096);
    assertEquals(0, a.position());
    assertEquals(4096, a.limit());
    assertEquals(4096, a.capacity());
    a.position(100);
    p.give(a);
    ByteBuffer b = p.take(3000); // same class (4 KiB)
    assertSame(a, b);
    assertEquals(0, b.position());
    assertEquals(3000, b.limit());
    assertNotSame(b, p.take(3000), "one buffer, one user");
  }

  @Test
  void sizesRoundUpToTheirClassAndTinyOnesTo512() {
    BufferPool p = new BufferPool(1 << 20);
    assertEquals(512, p.take(1).capacity());
    assertEquals(512, p.take(512).capacity());
    assertEquals(1024, p.take(513).capacity());
    assertEquals(131072, p.take(131072).capacity());
    assertEquals(1 << 20, p.take((1 << 20) - 5).capacity());
  }

  @Test
  void foreignBuffersAreNotKeptAndEachClassKeepsAtMostEightMiB() {
    BufferPool p = new BufferPool(1 << 20);
    ByteBuffer odd = ByteBuffer.allocate(3000);
    p.give(odd);
    assertNotSame(odd, p.take(3000));
    // 1 MiB class keeps 8 buffers
    List<ByteBuffer> big = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      big.add(p.take(1 << 20));
    }
    big.forEach(p::give);
    int reused = 0;
    for (int i = 0; i < 12; i++) {
      ByteBuffer b = p.take(1 << 20);
      if (big.stream().anyMatch(x -> x == b)) {
        reused++;
      }
    }
    assertEquals(8, reused);
  }
}
