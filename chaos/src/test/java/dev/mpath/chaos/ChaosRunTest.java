package dev.mpath.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.IoRequest;
import dev.mpath.spi.Disposition;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.Rig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verifier catches what it is there to catch, and its schedule repeats from a seed. */
class ChaosRunTest {

  @Test
  void stampsRoundTripAndAnyFlippedByteIsCaught() {
    ByteBuffer b = ByteBuffer.allocate(512);
    StampedBlock.write(b, 0, 512, 77, 5, 3);
    assertEquals(new StampedBlock.Seen(77, 5, 3), StampedBlock.read(b, 0, 512));
    for (int i : new int[] {0, 9, 17, 100, 507, 511}) {
      ByteBuffer c = ByteBuffer.allocate(512);
      c.put(b.duplicate());
      c.put(i, (byte) (c.get(i) ^ 0x40));
      assertNull(StampedBlock.read(c, 0, 512), "byte " + i + " flipped");
    }
    assertTrue(StampedBlock.read(ByteBuffer.allocate(512), 0, 512).blank());
  }

  @Test
  void modelAcceptsOldOrNewForAFailedWriteAndNothingElse() {
    BlockModel m = new BlockModel(100, 4);
    assertNull(m.verify(100, new StampedBlock.Seen(0, 0, 0), 1), "never written: blank");
    long g1 = m.nextGeneration(100);
    m.acknowledged(100, g1);
    long g2 = m.nextGeneration(100);
    m.failed(100, g2);
    assertNull(m.verify(100, new StampedBlock.Seen(100, g1, 1), 1), "old content");
    assertNull(m.verify(100, new StampedBlock.Seen(100, g2, 1), 1), "new content: it landed");
    // once seen, the failed write is the content: the old one may not come back
    assertNotNull(m.verify(100, new StampedBlock.Seen(100, g1, 1), 1));
    long g3 = m.nextGeneration(100);
    m.acknowledged(100, g3);
    assertNotNull(m.verify(100, new StampedBlock.Seen(100, g2, 1), 1), "an older write late");
    assertNotNull(m.verify(100, new StampedBlock.Seen(0, 0, 0), 1), "blank after a write");
    assertNotNull(m.verify(100, new StampedBlock.Seen(101, g3, 1), 1), "another LBA's block");
    assertNotNull(m.verify(100, new StampedBlock.Seen(100, g3, 2), 1), "another writer's block");
    assertNotNull(m.verify(100, null, 1), "torn");
    // a failed first write: blank or the new block
    long h = m.nextGeneration(101);
    m.failed(101, h);
    assertNull(m.verify(101, new StampedBlock.Seen(0, 0, 0), 1));
    assertNull(m.verify(101, new StampedBlock.Seen(101, h, 1), 1));
  }

  /** Zeroes a block behind the head's back (a lost write, seen as corruption). */
  private static final class Scribbler implements FaultInjector {
    final Rig rig;

    Scribbler(Rig rig) {
      this.rig = rig;
    }

    @Override
    public Fault inject(Random r, long elapsedMillis) {
      long lba = r.nextInt(4 * 64);
      rig.disk.apply(new IoRequest().writeZeroes(lba, 1));
      return new Fault("zero LBA " + lba + " behind the head's back");
    }

    @Override
    public void healAll() {}
  }

  @Test
  void corruptionAndErrorsWhileUsableAreReportedAndTheScheduleRepeats() throws Exception {
    List<List<String>> schedules = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (Rig rig = Rig.builder().build()) {
        rig.attach();
        ChaosReport r = ChaosRun.builder(rig.device(), new Scribbler(rig)).seed(7).streams(4)
            .region(64, 4).duration(Duration.ofMillis(600))
            .faultInterval(Duration.ofMillis(20), Duration.ofMillis(40))
            .overdueAfter(Duration.ofSeconds(5)).grace(Duration.ofSeconds(5)).build().run();
        assertTrue(r.corrupt() > 0, r.summary());
        assertFalse(r.clean());
        assertFalse(r.firstCorruptions().isEmpty());
        schedules.add(r.schedule().stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList());
      }
    }
    int n = Math.min(schedules.get(0).size(), schedules.get(1).size());
    assertTrue(n > 3);
    assertEquals(schedules.get(0).subList(0, n), schedules.get(1).subList(0, n),
        "one seed, one schedule");

    // a target error while the path is usable is counted as one
    try (Rig rig = Rig.builder().build()) {
      FakePath p = rig.attach();
      p.script(3, Disposition.TARGET_ERROR, new IOException("medium error"));
      ChaosReport r = ChaosRun.builder(rig.device(), new FaultInjector() {
        @Override
        public Fault inject(Random random, long elapsedMillis) {
          return new Fault("nothing");
        }

        @Override
        public void healAll() {}
      }).seed(1).streams(1).region(64, 1).duration(Duration.ofMillis(200))
          .overdueAfter(Duration.ofSeconds(5)).grace(Duration.ofSeconds(5)).build().run();
      assertEquals(3, r.errorsWhilePathUsable(), r.summary());
      assertEquals(0, r.corrupt(), "failed writes are old-or-new, not corruption");
    }
  }
}
