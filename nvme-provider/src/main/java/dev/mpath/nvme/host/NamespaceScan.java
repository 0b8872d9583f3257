package dev.mpath.nvme.host;

import dev.mpath.nvme.proto.ActiveNamespaceList;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.NamespaceIdDescriptorList;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace scan of one {@link HostController}, after Linux {@code nvme_scan_work}: the
 * Active Namespace ID list (Identify CNS 02h, NVMe base 2.0 5.17, page by page), then
 * for each NSID Identify Namespace (CNS 00h) and its Namespace Identification Descriptor
 * list (CNS 03h); the host is told of each namespace found and of each no longer reported.
 * A Namespace Attribute Changed notice reads the Changed Namespace List (LID 04h, clearing
 * it) and scans again.
 *
 * <p>Thread-safety: holds no state of its own; a scan runs on the completion threads of its
 * association's admin queue.
 */
final class NamespaceScan {
  /** The controller's log: a scan is part of its story. */
  private static final Logger LOG = LoggerFactory.getLogger(HostController.class);

  private final HostController ctrl;
  private final HostController.Host host;

  NamespaceScan(HostController ctrl, HostController.Host host) {
    this.ctrl = ctrl;
    this.host = host;
  }

  /** Scans the namespaces: each active one is found (again), each no longer reported gone. */
  CompletableFuture<Void> scan(Association a) {
    return activeNamespaces(a, 0, new ArrayList<>())
        .thenCompose(
            nsids -> {
              CompletableFuture<List<NamespaceInfo>> chain =
                  CompletableFuture.completedFuture(new ArrayList<>());
              for (int nsid : nsids) {
                chain = chain.thenCompose(
                    list -> identifyNamespace(a, nsid).thenApply(ns -> {
                      if (ns != null) {
                        list.add(ns);
                      }
                      return list;
                    }));
              }
              return chain;
            })
        .thenAccept(
            found -> {
              Set<Integer> seen = new TreeSet<>();
              for (NamespaceInfo ns : found) {
                seen.add(ns.nsid());
                host.namespaceFound(ctrl, ns);
              }
              for (Integer nsid : new ArrayList<>(ctrl.paths.keySet())) {
                if (!seen.contains(nsid)) {
                  host.namespaceGone(ctrl, nsid);
                }
              }
            });
  }

  private CompletableFuture<List<Integer>> activeNamespaces(Association a, int after, List<Integer> acc) {
    ByteBuffer buf = ByteBuffer.allocate(HostController.IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.activeNamespaces(sqe, sqe.cid(), after), buf)
        .thenCompose(
            c -> {
              List<Integer> page;
              try {
                page = ActiveNamespaceList.decode(buf).nsids();
              } catch (NvmeProtocolException e) {
                return CompletableFuture.failedFuture(e);
              }
              acc.addAll(page);
              if (page.size() == ActiveNamespaceList.MAX_ENTRIES) {
                return activeNamespaces(a, page.get(page.size() - 1), acc);
              }
              return CompletableFuture.completedFuture(acc);
            });
  }

  private CompletableFuture<NamespaceInfo> identifyNamespace(Association a, int nsid) {
    ByteBuffer nsBuf = ByteBuffer.allocate(HostController.IDENTIFY_LENGTH);
    ByteBuffer descBuf = ByteBuffer.allocate(HostController.IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.namespace(sqe, sqe.cid(), nsid), nsBuf)
        .thenCompose(c -> a.admin(sqe -> IdentifyCommand.namespaceIdDescriptors(sqe, sqe.cid(), nsid), descBuf))
        .thenApply(
            c -> {
              try {
                IdentifyNamespace id = IdentifyNamespace.decode(nsBuf);
                if (id.nsze() == 0) {
                  return null; // inactive
                }
                NamespaceIdDescriptorList descs =
                    NvmeStatus.code(c.statusField()) == 0
                        ? NamespaceIdDescriptorList.decode(descBuf)
                        : new NamespaceIdDescriptorList(List.of());
                HostController.ControllerInfo ci = ctrl.info();
                return NamespaceInfo.of(nsid, id, descs, ci.vid(), ci.serial(), ci.model());
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  /** Rescan after a namespace attribute notice; errors reset the controller. */
  void rescan(Association a) {
    ByteBuffer log = ByteBuffer.allocate(4096);
    a.admin(sqe -> GetLogPageCommand.changedNamespaceList(sqe, sqe.cid(), false), log)
        .thenCompose(c -> scan(a))
        .whenComplete((v, e) -> {
          if (e != null) {
            LOG.warn("nvme{}: namespace rescan failed: {}", ctrl.instance(),
                HostController.cause(e).toString());
          }
        });
  }
}
