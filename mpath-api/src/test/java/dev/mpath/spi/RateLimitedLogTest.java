package dev.mpath.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.common.base.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 9 defect 9: limits and suppressed counts are per message and subject. */
class RateLimitedLogTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = new Ticker() {
    @Override
    public long read() {
      return now.get();
    }
  };
  private final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTest.class), 1000, ticker);

  private void advanceMillis(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void eachSubjectHasItsOwnInterval() {
    String f = "{}: path faulted";
    assertEquals(f, log.admit(f, "sda:0"));
    // another path of the outage is logged in the same second: not hidden by the first
    assertEquals(f, log.admit(f, "sda:1"));
    assertEquals(f, log.admit(f, "sdb:0"));
    assertNull(log.admit(f, "sda:0"));
    assertNull(log.admit(f, "sda:0"));
    assertNull(log.admit(f, "sdb:0"));
    advanceMillis(1001);
    assertEquals(f + " (2 similar messages suppressed)", log.admit(f, "sda:0"));
    assertEquals(f, log.admit(f, "sda:1"), "sda:1 suppressed nothing");
    assertEquals(f + " (1 similar messages suppressed)", log.admit(f, "sdb:0"));
  }

  @Test
  void countsBelongToTheirOwnMessage() {
    String a = "{}: connection lost";
    String b = "{}: dropping the connection";
    assertEquals(a, log.admit(a, "p1"));
    for (int i = 0; i < 5; i++) {
      assertNull(log.admit(a, "p1"));
    }
    assertEquals(b, log.admit(b, "p1"), "another message of the same subject is not limited");
    advanceMillis(1500);
    assertEquals(b, log.admit(b, "p1"), "b suppressed nothing; a's count is not reported on b");
    assertEquals(a + " (5 similar messages suppressed)", log.admit(a, "p1"));
    assertNull(log.admit(a, "p1"));
  }

  @Test
  void intervalIsInclusiveAndResetsTheCount() {
    String f = "{}: x";
    assertEquals(f, log.admit(f, "s"));
    advanceMillis(1000);
    assertNull(log.admit(f, "s"), "exactly one interval later is still inside it");
    advanceMillis(1);
    assertEquals(f + " (1 similar messages suppressed)", log.admit(f, "s"));
    advanceMillis(5000);
    assertEquals(f, log.admit(f, "s"), "the count was reported once and reset");
  }

  @Test
  void manySubjectsStayBounded() {
    for (int i = 0; i < RateLimitedLog.MAX_SUBJECTS * 3; i++) {
      assertEquals("{}: y", log.admit("{}: y", "conn-" + i));
    }
    // first lines of every new subject pass; old state was evicted rather than kept
    advanceMillis(2000);
    assertEquals("{}: y", log.admit("{}: y", "conn-0"));
  }
}
