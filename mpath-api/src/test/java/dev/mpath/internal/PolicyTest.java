package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.Failback;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.MultipathDevice;
import dev.mpath.NoPathException;
import dev.mpath.PathState;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.Rig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every policy's choice over a table of path states. */
class PolicyTest {

  /**
   * p0 OPT, p1 NON_OPT, p2 STANDBY, p3 TRANSITIONING, p4 OPT but FAILED, p5 OPT, p6 OPT
   * faulted by an I/O path error.
   */
  private static FakePath[] table(Rig rig) {
    FakePath[] p = new FakePath[7];
    for (int i = 0; i < p.length; i++) {
      p[i] = rig.attach();
    }
    p[1].access(AccessState.NON_OPTIMIZED);
    p[2].access(AccessState.STANDBY);
    p[3].access(AccessState.TRANSITIONING);
    p[4].state(PathState.FAILED);
    p[6].script(1, dev.mpath.spi.Disposition.PATH_ERROR, new java.io.IOException("x"));
    // one request to fault p6: the failover policy would never send it there, so aim it
    MultipathDevice d = rig.device();
    d.ioPolicy(IoPolicy.custom("p6", s -> (c, r) -> c.indexOf(d.paths().get(6))));
    List<IoRequest> done = new ArrayList<>();
    d.submit(Rig.read(0, done));
    assertNull(done.get(0).error(), "failed over from p6");
    assertTrue(d.paths().get(6).faulted());
    for (FakePath f : p) {
      f.submitted.set(0);
    }
    return p;
  }

  /** Sends n requests (held, so queue-depth sees them) and returns per-path counts. */
  private static int[] spread(Rig rig, FakePath[] p, IoPolicy policy, int n) {
    rig.device().ioPolicy(policy);
    for (FakePath f : p) {
      f.hold(true);
    }
    List<IoRequest> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rig.device().submit(Rig.read(i, done));
    }
    int[] counts = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      counts[i] = p[i].submitted.getAndSet(0);
      p[i].hold(false).release();
    }
    assertEquals(n, done.size());
    done.forEach(r -> assertNull(r.error()));
    return counts;
  }

  private static void check(Supplier<IoPolicy> policy, int[] expected) {
    try (Rig rig = Rig.builder().build()) {
      FakePath[] p = table(rig);
      assertArrayEquals(expected, spread(rig, p, policy.get(), 12), policy.get().name());
    }
  }

  private static void assertArrayEquals(int[] expected, int[] actual, String what) {
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(actual), what);
  }

  @Test
  void numaPicksFirstOptimizedWhenLocalitiesAreEqual() {
    check(IoPolicy::numa, new int[] {12, 0, 0, 0, 0, 0, 0});
  }

  @Test
  void roundRobinAlternatesOverOptimizedOnly() {
    check(IoPolicy::roundRobin, new int[] {6, 0, 0, 0, 0, 6, 0});
  }

  @Test
  void roundRobinHonoursRrMinIo() {
    try (Rig rig = Rig.builder().build()) {
      FakePath[] p = table(rig);
      rig.device().ioPolicy(IoPolicy.roundRobin(3));
      List<IoRequest> done = new ArrayList<>();
      StringBuilder order = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        rig.device().submit(Rig.read(i, done));
        order.append(p[0].submitted.getAndSet(0) == 1 ? '0' : p[5].submitted.getAndSet(0) == 1 ? '5' : '?');
      }
      assertEquals("000555000555", order.toString());
    }
  }

  @Test
  void queueDepthBalancesInFlight() {
    check(IoPolicy::queueDepth, new int[] {6, 0, 0, 0, 0, 6, 0});
  }

  @Test
  void serviceTimeBalancesWhenUnmeasured() {
    // no samples: scores tie at 0, the fewer in flight wins, so it alternates
    check(IoPolicy::serviceTime, new int[] {6, 0, 0, 0, 0, 6, 0});
  }

  @Test
  void failoverUsesOnePath() {
    check(IoPolicy::failover, new int[] {12, 0, 0, 0, 0, 0, 0});
  }

  @Test
  void everyPolicyFallsBackToNonOptimized() {
    for (Supplier<IoPolicy> policy :
        List.<Supplier<IoPolicy>>of(
            IoPolicy::numa, IoPolicy::roundRobin, IoPolicy::queueDepth, IoPolicy::serviceTime,
            IoPolicy::adaptive,
            IoPolicy::failover)) {
      try (Rig rig = Rig.builder().build()) {
        FakePath[] p = table(rig);
        p[0].access(AccessState.UNAVAILABLE);
        p[5].state(PathState.CONNECTING);
        assertArrayEquals(
            new int[] {0, 12, 0, 0, 0, 0, 0}, spread(rig, p, policy.get(), 12), policy.get().name());
      }
    }
  }

  @Test
  void onlyTransitioningLeftQueues() {
    try (Rig rig = Rig.builder().build()) {
      FakePath[] p = table(rig);
      p[0].access(AccessState.UNAVAILABLE);
      p[5].state(PathState.CONNECTING);
      p[1].state(PathState.FAILED);
      p[5].state(PathState.FAILED);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(0, done.size(), "p3 is transitioning: wait for it");
      assertEquals(1, rig.device().queued());
      p[3].access(AccessState.OPTIMIZED);
      rig.scheduler.runDue();
      assertEquals(1, done.size());
      assertNull(done.get(0).error());
      assertEquals(1, p[3].submitted.get());
    }
  }

  @Test
  void onlyStandbyLeftFailsAtOnce() {
    try (Rig rig = Rig.builder().build()) {
      FakePath[] p = table(rig);
      p[0].state(PathState.FAILED);
      p[1].state(PathState.FAILED);
      p[3].access(AccessState.UNAVAILABLE);
      p[5].state(PathState.FAILED);
      p[6].state(PathState.FAILED);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, done.size());
      assertInstanceOf(NoPathException.class, done.get(0).error());
      assertEquals(1, rig.device().stats().noPathFailures());
    }
  }

  @Test
  void numaPicksNearestLocalityAndCachesPerLocality() {
    try (Rig rig = Rig.builder().build()) {
      FakePath a = rig.attach().locality(0);
      FakePath b = rig.attach().locality(4);
      FakePath c = rig.attach().locality(9);
      MultipathDevice d = rig.device();
      List<IoRequest> done = new ArrayList<>();
      int[][] cases = {{0, 0}, {1, 0}, {3, 1}, {4, 1}, {6, 1}, {7, 2}, {100, 2}};
      FakePath[] paths = {a, b, c};
      for (int[] k : cases) {
        d.submit(Rig.read(0, done).locality(k[0]));
        for (int i = 0; i < 3; i++) {
          assertEquals(i == k[1] ? 1 : 0, paths[i].submitted.getAndSet(0), "locality " + k[0]);
        }
      }
      // the cached choice for locality 4 goes stale when b fails
      b.state(PathState.CONNECTING);
      d.submit(Rig.read(0, done).locality(4));
      assertEquals(1, a.submitted.get(), "ties (distance 4 vs 5) go to the nearer: a");
    }
  }

  @Test
  void serviceTimePrefersTheFasterPath() {
    try (Rig rig = Rig.builder().policy(IoPolicy.serviceTime()).build()) {
      FakePath fast = rig.attach().hold(true);
      FakePath slow = rig.attach().hold(true);
      MultipathDevice d = rig.device();
      List<IoRequest> done = new ArrayList<>();
      // one sample each: fast takes 1 ms, slow 10 ms
      d.submit(Rig.read(0, done)); // -> fast (tie, first)
      d.submit(Rig.read(0, done)); // -> slow (fewer in flight)
      rig.scheduler.advance(Duration.ofMillis(1));
      fast.release();
      rig.scheduler.advance(Duration.ofMillis(9));
      slow.release();
      assertEquals(1, fast.submitted.getAndSet(0));
      assertEquals(1, slow.submitted.getAndSet(0));
      // score = (inflight+1) * latency: fast takes 9; the 10th ties (9+1)*1ms against
      // (0+1)*10ms and goes to slow (fewer in flight); then fast scores 10 < 20 twice more
      for (int i = 0; i < 12; i++) {
        d.submit(Rig.read(0, done));
      }
      assertEquals(11, fast.submitted.get());
      assertEquals(1, slow.submitted.get());
      fast.release();
      slow.release();
    }
  }

  @Test
  void adaptiveSharesFollowTheInverseOfLatency() {
    try (Rig rig = Rig.builder().policy(IoPolicy.adaptive()).build()) {
      FakePath fast = rig.attach().hold(true);
      FakePath slow = rig.attach().hold(true);
      MultipathDevice d = rig.device();
      List<IoRequest> done = new ArrayList<>();
      // unmeasured: equal weights, so the first two go one each; fast takes 1 ms, slow 3 ms
      d.submit(Rig.read(0, done));
      d.submit(Rig.read(0, done));
      assertEquals(1, fast.submitted.get());
      assertEquals(1, slow.submitted.get());
      rig.scheduler.advance(Duration.ofMillis(1));
      fast.release();
      rig.scheduler.advance(Duration.ofMillis(2));
      slow.release();
      // the rest of the first schedule is still the unmeasured one: half each
      for (int i = 2; i < 256; i++) {
        d.submit(Rig.read(0, done));
      }
      assertEquals(128, fast.submitted.getAndSet(0));
      assertEquals(128, slow.submitted.getAndSet(0));
      // the next schedule weighs 1/(1 ms)^2 against 1/(3 ms)^2: 9 to 1, so that each path
      // would hold requests in proportion to 1/latency, 3 to 1; interleaved (the slow path
      // at least once in every 11, never twice in a row)
      StringBuilder order = new StringBuilder();
      for (int i = 0; i < 256; i++) {
        int f = fast.submitted.get();
        d.submit(Rig.read(0, done));
        order.append(fast.submitted.get() > f ? 'f' : 's');
      }
      assertEquals(230, fast.submitted.get()); // round(256 * 9 / 10)
      assertEquals(26, slow.submitted.get());
      assertTrue(!order.toString().contains("fffffffffff") && !order.toString().contains("ss"),
          order.toString());
      fast.release();
      slow.release();
    }
  }

  @Test
  void failoverPrefersPreferredThenPriority() {
    try (Rig rig = Rig.builder().policy(IoPolicy.failover()).build()) {
      FakePath a = rig.attach();
      FakePath b = rig.attach().priority(60);
      FakePath c = rig.attach();
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, b.submitted.getAndSet(0), "highest priority");
      c.preferred(true);
      rig.device().submit(Rig.read(0, done));
      assertEquals(1, c.submitted.getAndSet(0), "preferred beats priority (failback immediate)");
      assertEquals(0, a.submitted.get());
    }
  }

  private static final class FailbackCase implements AutoCloseable {
    final Rig rig;
    final FakePath first;
    final FakePath second;
    final List<IoRequest> done = new ArrayList<>();

    FailbackCase(Failback fb) {
      rig = Rig.builder().policy(IoPolicy.failover(fb)).build();
      first = rig.attach();
      second = rig.attach();
    }

    /** Which path the next request goes to: 0 first, 1 second. */
    int next() {
      rig.device().submit(Rig.read(0, done));
      int f = first.submitted.getAndSet(0);
      int s = second.submitted.getAndSet(0);
      assertEquals(1, f + s);
      return f == 1 ? 0 : 1;
    }

    @Override
    public void close() {
      rig.close();
    }
  }

  @Test
  void failbackImmediate() {
    try (FailbackCase t = new FailbackCase(Failback.IMMEDIATE)) {
      assertEquals(0, t.next());
      t.first.state(PathState.RESETTING);
      assertEquals(1, t.next());
      t.first.state(PathState.LIVE);
      assertEquals(0, t.next());
    }
  }

  @Test
  void failbackManualStaysUntilTheActivePathFailsOrThePolicyIsSetAgain() {
    try (FailbackCase t = new FailbackCase(Failback.MANUAL)) {
      assertEquals(0, t.next());
      t.first.state(PathState.RESETTING);
      assertEquals(1, t.next());
      t.first.state(PathState.LIVE);
      assertEquals(1, t.next(), "manual: no failback");
      t.rig.device().ioPolicy(IoPolicy.failover(Failback.MANUAL));
      assertEquals(0, t.next(), "setting the policy again picks the best path");
    }
  }

  @Test
  void failbackFollowoverOnlyWhenTheBetterPathReturnsFromFailure() {
    try (FailbackCase t = new FailbackCase(Failback.FOLLOWOVER)) {
      assertEquals(0, t.next());
      t.second.priority(60);
      assertEquals(0, t.next(), "second merely became better: stay");
      t.first.state(PathState.RESETTING);
      assertEquals(1, t.next());
      t.first.priority(70).state(PathState.LIVE);
      assertEquals(0, t.next(), "first came back and is better: follow it");
    }
  }

  @Test
  void failbackDeferred() {
    try (FailbackCase t = new FailbackCase(Failback.deferred(Duration.ofSeconds(10)))) {
      assertEquals(0, t.next());
      t.first.state(PathState.RESETTING);
      assertEquals(1, t.next());
      t.first.state(PathState.LIVE);
      assertEquals(1, t.next());
      t.rig.scheduler.advance(Duration.ofSeconds(9));
      assertEquals(1, t.next());
      t.rig.scheduler.advance(Duration.ofSeconds(1));
      assertEquals(0, t.next(), "after 10 s");
    }
  }

  @Test
  void optimizedAlwaysBeatsNonOptimizedEvenWithManualFailback() {
    try (FailbackCase t = new FailbackCase(Failback.MANUAL)) {
      t.first.access(AccessState.NON_OPTIMIZED);
      assertEquals(1, t.next());
      t.second.access(AccessState.NON_OPTIMIZED);
      assertEquals(1, t.next());
      t.first.access(AccessState.OPTIMIZED);
      assertEquals(0, t.next());
    }
  }

  @Test
  void policyParsing() {
    assertEquals("round-robin", IoPolicy.parse("Round-Robin").name());
    assertEquals("queue-depth", IoPolicy.parse("queue-depth").name());
    assertEquals("adaptive", IoPolicy.parse("Adaptive").name());
    assertEquals(Failback.Mode.DEFERRED, Failback.parse("30").mode());
    assertEquals(Duration.ofSeconds(30), Failback.parse("30").delay());
    assertEquals(Failback.FOLLOWOVER, Failback.parse("followover"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> IoPolicy.parse("random"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> Failback.parse("soon"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> IoPolicy.roundRobin(0));
  }

  @Test
  void asyncFormCompletesTheFuture() {
    try (Rig rig = Rig.builder().build()) {
      rig.attach();
      MultipathDevice d = rig.device();
      ByteBuffer src = ByteBuffer.allocate(1024);
      for (int i = 0; i < 1024; i++) {
        src.put(i, (byte) i);
      }
      d.write(8, src).join();
      ByteBuffer dst = ByteBuffer.allocate(1024);
      d.read(8, dst).join();
      assertEquals(src, dst);
      assertEquals(0, dst.position(), "positions untouched");
      assertEquals(2, d.stats().ios());
      assertEquals(2048, d.stats().bytes());
    }
  }
}
