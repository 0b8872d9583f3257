package dev.mpath.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every JMH benchmark runs (in this JVM, briefly: a smoke run, not a measurement; the
 * figures come from {@code java -jar benchmarks/target/benchmarks.jar}) and, under JMH's
 * GC profiler, none allocates per operation: the hot paths of the head and of both codecs
 * stay allocation-free. One object per operation would show as at least 16 B/op.
 */
class BenchmarksSmokeTest {

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void everyBenchmarkRunsAndAllocatesNothingPerOperation() throws Exception {
    Options opt = new OptionsBuilder()
        .include(HeadBenchmark.class.getName())
        .include(IscsiCodecBenchmark.class.getName())
        .include(NvmeTcpCodecBenchmark.class.getName())
        .param("policy", "round-robin")
        .param("digests", "true")
        .forks(0)
        .warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
        .measurementIterations(1).measurementTime(TimeValue.milliseconds(400))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(opt).run();
    assertEquals(2 + 4 + 3, results.size(), "every benchmark method ran once");
    StringBuilder report = new StringBuilder();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      double ns = r.getPrimaryResult().getScore();
      assertTrue(ns > 0 && Double.isFinite(ns), name + ": " + ns + " ns/op");
      Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
      assertNotNull(norm, name + ": no allocation figure from the GC profiler");
      report.append(String.format("%s %.1f ns/op %.2f B/op%n", name, ns, norm.getScore()));
      assertTrue(norm.getScore() < 16, name + " allocates " + norm.getScore() + " B/op");
    }
    System.out.print(report);
  }
}
