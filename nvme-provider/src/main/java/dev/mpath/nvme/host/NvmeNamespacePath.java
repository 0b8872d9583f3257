package dev.mpath.nvme.host;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.spi.PathReservations;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import java.util.concurrent.CompletableFuture;

/**
 * One namespace through one controller: the NVMe path ({@code nvme<S>c<C>n<N>}). State and
 * access state come from its controller; it is not used while an ANA status awaits the
 * next ANA log read (Linux {@code NVME_NS_ANA_PENDING}).
 */
public final class NvmeNamespacePath implements ProviderPath {
  private final HostController ctrl;
  private final int nsid;
  private final String name;
  private final String headName;
  private final NvmePathReservations reservations;
  private volatile NamespaceInfo info;
  private volatile PathSink sink;
  volatile boolean anaPending;

  NvmeNamespacePath(HostController ctrl, NamespaceInfo info, String headName, String name) {
    this.ctrl = ctrl;
    this.nsid = info.nsid();
    this.info = info;
    this.headName = headName;
    this.name = name;
    this.reservations = new NvmePathReservations(this);
  }

  @Override
  public void attached(PathSink sink) {
    this.sink = sink;
  }

  PathSink sink() {
    return sink;
  }

  void update(NamespaceInfo ns) {
    this.info = ns;
    changed();
  }

  void changed() {
    PathSink s = sink;
    if (s != null) {
      s.stateChanged();
    }
  }

  public int nsid() {
    return nsid;
  }

  public HostController controller() {
    return ctrl;
  }

  public NamespaceInfo info() {
    return info;
  }

  /** This path's name, {@code nvme<S>c<C>n<N>}. */
  public String name() {
    return name;
  }

  /** The name of the head this path belongs to, {@code nvme<S>n<N>}. */
  public String headName() {
    return headName;
  }

  @Override
  public DeviceId deviceId() {
    return info.id();
  }

  @Override
  public String transport() {
    return ctrl.address() + " cntlid " + ctrl.cntlid() + " nsid " + nsid;
  }

  @Override
  public int blockSize() {
    return info.blockSize();
  }

  @Override
  public long capacityBlocks() {
    return info.blocks();
  }

  @Override
  public PathState state() {
    return ctrl.pathState();
  }

  @Override
  public AccessState accessState() {
    return anaPending ? AccessState.TRANSITIONING : ctrl.accessState(info.anaGroupId());
  }

  @Override
  public int locality() {
    return ctrl.instance();
  }

  @Override
  public void submit(IoRequest attempt) {
    ctrl.submitIo(this, attempt);
  }

  @Override
  public CompletableFuture<Boolean> check() {
    return ctrl.check();
  }

  @Override
  public PathReservations reservations() {
    return reservations;
  }

  @Override
  public String toString() {
    return name;
  }
}
