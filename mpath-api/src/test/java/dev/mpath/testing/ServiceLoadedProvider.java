package dev.mpath.testing;

import dev.mpath.DeviceId;
import dev.mpath.spi.MultipathProvider;
import dev.mpath.spi.ProviderContext;
import dev.mpath.spi.ProviderPath;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A provider found only through {@code META-INF/services}: {@code svc://x} attaches one
 * path to a fresh in-memory disk.
 */
public final class ServiceLoadedProvider implements MultipathProvider {
  private ProviderContext context;
  private int heads;

  @Override
  public String name() {
    return "svc";
  }

  @Override
  public boolean supports(URI uri) {
    return "svc".equals(uri.getScheme());
  }

  @Override
  public void init(ProviderContext context) {
    this.context = context;
  }

  @Override
  public CompletableFuture<List<DeviceId>> connect(URI uri) {
    FakeDisk disk = new FakeDisk(DeviceId.parse("eui.00000000000000" + uri.getHost()), 512, 64);
    FakePath path = new FakePath(disk, uri.toString(), Runnable::run);
    path.bind(context.attach(path));
    return CompletableFuture.completedFuture(List.of(disk.id));
  }

  @Override
  public synchronized String headName(DeviceId id, ProviderPath first) {
    return "svc" + heads++;
  }

  @Override
  public void close() {}
}
