package dev.mpath.testing;

import dev.mpath.DeviceId;
import dev.mpath.spi.FailoverStyle;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import dev.mpath.spi.ReservationFanout;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider whose paths the test attaches by hand. Heads are named {@code fake<N>}. */
public final class FakeProvider implements MultipathProvider {
  private final FailoverStyle style;
  private final ReservationFanout fanout;
  private final AtomicInteger heads = new AtomicInteger();
  private final Map<DeviceId, String> names = new ConcurrentHashMap<>();
  private ProviderContext context;

  public FakeProvider() {
    this(FailoverStyle.REDIRECT, ReservationFanout.PER_HOST);
  }

  public FakeProvider(FailoverStyle style, ReservationFanout fanout) {
    this.style = style;
    this.fanout = fanout;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public boolean supports(URI uri) {
    return "fake".equals(uri.getScheme());
  }

  @Override
  public FailoverStyle failoverStyle() {
    return style;
  }

  @Override
  public ReservationFanout reservationFanout() {
    return fanout;
  }

  @Override
  public void init(ProviderContext context) {
    this.context = context;
  }

  @Override
  public CompletableFuture<List<DeviceId>> connect(URI uri) {
    return CompletableFuture.failedFuture(new java.io.IOException("fake paths are attached by hand"));
  }

  /** Attaches {@code path} and returns its sink. */
  public PathSink attach(FakePath path) {
    PathSink sink = context.attach(path);
    path.bind(sink);
    return sink;
  }

  @Override
  public String headName(DeviceId id, ProviderPath first) {
    // the same WWID keeps its name, like a protocol-native instance number would
    return names.computeIfAbsent(id, k -> "fake" + heads.getAndIncrement());
  }

  @Override
  public void close() {}
}
