package dev.mpath.benchmarks;

import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.examples.plugin.InstantPaths;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * P1 in JMH: one 4 KiB read request submitted to a zero-work path directly, and through a
 * head over {@code paths} such paths under {@code policy}, in redirect (NVMe) and clone
 * (SCSI) style. The difference of the two scores is the head's cost per I/O; with
 * {@code -prof gc} both show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeadBenchmark {
  @Param({"round-robin", "service-time", "adaptive"})
  public String policy;

  @Param({"4"})
  public int paths;

  private Multipath mp;
  private MultipathDevice head;
  private InstantPaths.Path direct;
  private IoRequest request;
  private long completions;

  @Setup(Level.Trial)
  public void setUp() {
    DeviceId id = DeviceId.parse("naa.60014050000000000000000000000001");
    InstantPaths.Provider provider = new InstantPaths.Provider();
    mp = Multipath.builder().provider(provider).discoverProviders(false).jmxDomain(null)
        .ioPolicy(IoPolicy.parse(policy)).build();
    for (int i = 0; i < paths; i++) {
      provider.attach(new InstantPaths.Path(id));
    }
    head = mp.device(id).orElseThrow();
    direct = InstantPaths.direct(id);
    request = new IoRequest().read(0, ByteBuffer.allocateDirect(4096)).completion(r -> completions++);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mp.close();
  }

  /** The path alone. */
  @Benchmark
  public long direct() {
    direct.submit(request);
    return completions;
  }

  /** The same path behind the head. */
  @Benchmark
  public long head() {
    head.submit(request);
    return completions;
  }
}
