package dev.mpath.scsi.host;

import static dev.mpath.scsi.host.ScsiProvider.cause;

import dev.mpath.DeviceId;
import dev.mpath.scsi.host.ScsiProvider.PathKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * Keeps the paths of a provider's sessions in step with each session and its target (the
 * {@link ScsiSession.Owner} of every session): at the replacement timeout a session's paths
 * are taken out of their heads (which start delayed removal if it was their last), when the
 * session logs in again its LUNs are identified and attached again, and on REPORTED LUNS DATA
 * HAS CHANGED (ASC/ASCQ 3Fh/0Eh) the LUNs are scanned again (REPORT LUNS, SPC-4 6.33).
 *
 * <p>Thread-safety: called on the sessions' threads; the claims it takes and ends are the
 * provider's, under the provider's lock; one rescan runs at a time per session (its
 * {@code rescanning} flag), one asked for meanwhile follows it.
 */
final class SessionPaths implements ScsiSession.Owner {
  private static final Logger LOG = ScsiProvider.LOG;

  private final ScsiProvider provider;

  SessionPaths(ScsiProvider provider) {
    this.provider = provider;
  }

  @Override
  public void replacementTimeoutExpired(ScsiSession s) {
    List<ScsiPath> gone = List.copyOf(s.paths);
    s.paths.removeAll(gone);
    List<Integer> luns = new ArrayList<>();
    for (ScsiPath p : gone) {
      luns.add(p.lun());
      removePath(s, p);
    }
    s.removed(luns);
  }

  @Override
  public void returned(ScsiSession s, List<Integer> luns) {
    if (provider.isClosed()) {
      return;
    }
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int lun : luns) {
      PathKey key = new PathKey(s.key, lun);
      chain = chain.thenCompose(v -> {
        CompletableFuture<DeviceId> mine = new CompletableFuture<>();
        if (provider.claim(key, mine) != null) {
          LOG.info("{} lun {} came back but is connected through another session now", s.key, lun);
          return CompletableFuture.completedFuture(null);
        }
        return ScsiScan.identify(s, lun).thenCompose(p -> provider.attach(s, p)).handle((p, e) -> {
          if (p == null) {
            LOG.warn("{} lun {}: not found again after the session returned ({}); connect it"
                + " again to add it", s.address(), lun, cause(e).toString());
          } else {
            LOG.info("{} lun {}: path back after the session returned", s.address(), lun);
          }
          provider.settle(key, mine, p, null);
          return null;
        });
      });
    }
    chain.whenComplete((v, e) -> provider.closeIfUnused(s));
  }

  @Override
  public void lunsChanged(ScsiSession s) {
    rescan(s);
  }

  /**
   * Looks at a session's LUNs again (REPORTED LUNS DATA HAS CHANGED): a path whose LUN the
   * target no longer reports is removed from its head (which starts delayed removal if it was
   * the last); on a whole-target session a new LUN becomes a path. One rescan at a time per
   * session; one asked for while another runs follows it.
   */
  private void rescan(ScsiSession s) {
    if (provider.isClosed()) {
      return;
    }
    s.rescanAgain.set(true);
    if (!s.rescanning.compareAndSet(false, true)) {
      return;
    }
    s.rescanAgain.set(false);
    ScsiScan.reportLuns(s).thenCompose(list -> {
      Set<Integer> now = new HashSet<>(list);
      for (ScsiPath p : List.copyOf(s.paths)) {
        if (!now.contains(p.lun())) {
          LOG.info("{} lun {}: no longer reported by the target; removing its path",
              s.address(), p.lun());
          removePath(s, p);
        }
      }
      if (!s.wholeTarget) {
        return CompletableFuture.completedFuture(null);
      }
      Set<Integer> have = new HashSet<>();
      s.paths.forEach(p -> have.add(p.lun()));
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int lun : list) {
        if (have.contains(lun)) {
          continue;
        }
        PathKey key = new PathKey(s.key, lun);
        chain = chain.thenCompose(v -> {
          CompletableFuture<DeviceId> mine = new CompletableFuture<>();
          if (provider.claim(key, mine) != null) {
            return CompletableFuture.completedFuture(null); // connected already, or under way
          }
          return ScsiScan.identify(s, lun).thenCompose(p -> provider.attach(s, p)).handle((p, e) -> {
            if (p != null) {
              LOG.info("{} lun {}: new LUN, path added", s.address(), lun);
            } else if (cause(e) instanceof ScsiScan.NotABlockDevice) {
              LOG.info("skipping {}", cause(e).getMessage());
            } else {
              LOG.warn("{} lun {}: new LUN not usable: {}", s.address(), lun, cause(e).toString());
            }
            provider.settle(key, mine, p, null);
            return null;
          });
        });
      }
      return chain;
    }).whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("{}: LUN rescan failed: {}", s.address(), cause(e).toString());
      }
      s.rescanning.set(false);
      if (s.rescanAgain.get()) {
        rescan(s);
      }
    });
  }

  /** Takes one path out of its session and head. */
  private void removePath(ScsiSession s, ScsiPath p) {
    s.paths.remove(p);
    provider.unclaim(new PathKey(s.key, p.lun()));
    p.close();
    if (p.sink() != null) {
      p.sink().detach(); // the head starts delayed removal if this was its last path
    }
  }
}
