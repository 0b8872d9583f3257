package dev.mpath.testing;

import dev.mpath.DeviceId;
import dev.mpath.IoPolicy;
import dev.mpath.IoRequest;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.MultipathEvent;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.ReservationFanout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** A Multipath over a {@link FakeProvider} with a manual clock, for head tests. */
public final class Rig implements AutoCloseable {
  public static final int BLOCK = 512;

  public final ManualScheduler scheduler;
  public final FakeProvider provider;
  public final Multipath mp;
  public final List<MultipathEvent> events = new CopyOnWriteArrayList<>();
  public final FakeDisk disk;
  private int pathCount;

  private Rig(ManualScheduler scheduler, FakeProvider provider, Multipath mp, FakeDisk disk) {
    this.scheduler = scheduler;
    this.provider = provider;
    this.mp = mp;
    this.disk = disk;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link Rig}. */
  public static final class Builder {
    private IoPolicy policy = IoPolicy.numa();
    private FailoverStyle style = FailoverStyle.REDIRECT;
    private ReservationFanout fanout = ReservationFanout.PER_HOST;
    private Duration delayedRemoval = Duration.ZERO;
    private Duration checkInterval = Duration.ZERO;
    private Executor immediate;
    private Consumer<Multipath.Builder> extra = b -> {};

    public Builder policy(IoPolicy p) {
      this.policy = p;
      return this;
    }

    public Builder style(FailoverStyle s) {
      this.style = s;
      return this;
    }

    public Builder fanout(ReservationFanout f) {
      this.fanout = f;
      return this;
    }

    public Builder delayedRemoval(Duration d) {
      this.delayedRemoval = d;
      return this;
    }

    public Builder checkInterval(Duration d) {
      this.checkInterval = d;
      return this;
    }

    /** Zero-delay scheduler tasks run on this executor instead of waiting for a pump. */
    public Builder immediate(Executor e) {
      this.immediate = e;
      return this;
    }

    public Builder extra(Consumer<Multipath.Builder> c) {
      this.extra = c;
      return this;
    }

    public Rig build() {
      ManualScheduler s = new ManualScheduler(immediate);
      FakeProvider p = new FakeProvider(style, fanout);
      Multipath.Builder b =
          Multipath.builder()
              .provider(p)
              .discoverProviders(false)
              .scheduler(s)
              .eventExecutor(Runnable::run)
              .jmxDomain(null)
              .checkInterval(checkInterval)
              .delayedRemoval(delayedRemoval)
              .ioPolicy(policy);
      extra.accept(b);
      Multipath mp = b.build();
      Rig rig =
          new Rig(s, p, mp,
              new FakeDisk(DeviceId.parse("naa.60014051234567890123456789abcdef"), BLOCK, 4096));
      mp.addListener(rig.events::add);
      return rig;
    }
  }

  /** A new path to the rig's disk, completing on the caller's thread. */
  public FakePath path() {
    return path(Runnable::run);
  }

  /** A new path to the rig's disk, completing on {@code completer}. */
  public FakePath path(Executor completer) {
    return new FakePath(disk, "fake://" + (pathCount++), completer);
  }

  /** Creates and attaches a path. */
  public FakePath attach() {
    FakePath p = path();
    provider.attach(p);
    return p;
  }

  public FakePath attach(Executor completer) {
    FakePath p = path(completer);
    provider.attach(p);
    return p;
  }

  public MultipathDevice device() {
    return mp.device(disk.id).orElseThrow();
  }

  /** A one-block read request with a result holder attached. */
  public static IoRequest read(long lba, List<IoRequest> done) {
    return new IoRequest().read(lba, ByteBuffer.allocate(BLOCK)).completion(done::add);
  }

  @Override
  public void close() {
    mp.close();
  }
}
