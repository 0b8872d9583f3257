package dev.mpath.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TagTableTest {
  static final class Cmd extends TagTable.Slot {
    int payload;
  }

  @Test
  void aTagFindsItsSlotUntilClaimedAndALateAnswerFindsNothing() {
    TagTable<Cmd> t = new TagTable<>(2, Cmd::new);
    Cmd c = t.acquire();
    int tag = c.tag();
    assertTrue(tag >= 0, "tags are never negative (the iSCSI reserved tag is -1)");
    assertSame(c, t.get(tag));
    assertSame(c, t.claim(tag));
    assertNull(t.get(tag), "claimed: gone");
    assertNull(t.claim(tag), "claimed once only");
    t.free(c);
    Cmd again = t.acquire();
    assertSame(c, again, "the slot is reused");
    assertNotEquals(tag, again.tag(), "with a new generation");
    assertNull(t.get(tag), "an answer to the earlier command in the slot finds nothing");
    assertNull(t.get(-1));
    assertNull(t.get(1 << 19), "an index beyond the table");
  }

  @Test
  void growsWhenFullKeepingOutstandingSlotsAndTheirTags() {
    TagTable<Cmd> t = new TagTable<>(1, Cmd::new);
    List<Cmd> held = new ArrayList<>();
    Set<Integer> tags = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      Cmd c = t.acquire();
      c.payload = i;
      held.add(c);
      assertTrue(tags.add(c.tag()), "tags of outstanding commands differ");
    }
    assertEquals(100, t.outstanding());
    assertTrue(t.capacity() >= 100 && t.capacity() <= 128, "doubling: " + t.capacity());
    for (Cmd c : held) {
      assertSame(c, t.get(c.tag()));
    }
    AtomicInteger seen = new AtomicInteger();
    t.forEachOutstanding(c -> seen.incrementAndGet());
    assertEquals(100, seen.get());
    for (Cmd c : held) {
      assertTrue(t.claim(c, c.tag()));
      t.free(c);
    }
    assertEquals(0, t.outstanding());
    int cap = t.capacity();
    for (int i = 0; i < 1000; i++) { // steady state: no growth
      Cmd c = t.acquire();
      assertTrue(t.claim(c, c.tag()));
      t.free(c);
    }
    assertEquals(cap, t.capacity());
  }

  @Test
  void freeingAnOutstandingOrAFreeSlotIsRefused() {
    TagTable<Cmd> t = new TagTable<>(4, Cmd::new);
    Cmd c = t.acquire();
    assertThrows(IllegalStateException.class, () -> t.free(c), "still outstanding");
    assertTrue(t.claim(c, c.tag()));
    t.free(c);
    assertThrows(IllegalStateException.class, () -> t.free(c), "freed twice");
    assertFalse(t.claim(c, TagTable.FREE));
    assertThrows(IllegalArgumentException.class, () -> new TagTable<>(0, Cmd::new));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void racingClaimersEndEachCommandExactlyOnce() throws Exception {
    TagTable<Cmd> t = new TagTable<>(8, Cmd::new);
    int rounds = 20_000;
    AtomicInteger wins = new AtomicInteger();
    int[] tags = new int[rounds];
    Cmd[] cmds = new Cmd[rounds];
    for (int r = 0; r < rounds; r++) {
      cmds[r] = t.acquire();
      tags[r] = cmds[r].tag();
    }
    CountDownLatch go = new CountDownLatch(1);
    Thread[] racers = new Thread[3];
    for (int k = 0; k < racers.length; k++) {
      racers[k] = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int r = 0; r < rounds; r++) {
          if (t.claim(cmds[r], tags[r])) {
            wins.incrementAndGet();
            t.free(cmds[r]);
          }
        }
      });
      racers[k].start();
    }
    go.countDown();
    for (Thread th : racers) {
      th.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(th.isAlive());
    }
    assertEquals(rounds, wins.get(), "every command ended exactly once");
    assertEquals(0, t.outstanding());
  }
}
