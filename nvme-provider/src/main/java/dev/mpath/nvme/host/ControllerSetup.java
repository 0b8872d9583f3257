package dev.mpath.nvme.host;

import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.spi.PathFailureException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The admin commands that set an association up once it is connected and enabled, after
 * Linux {@code nvme_init_ctrl_finish}: Identify Controller, the asynchronous event
 * configuration, Number of Queues, and the I/O queue depth within CAP.MQES. The
 * {@link HostController} chains them into its connect sequence.
 *
 * <p>Thread-safety: holds only immutable configuration; the commands complete on the
 * association's admin queue threads.
 */
final class ControllerSetup {
  private final int instance;
  private final String subsystemNqn;
  private final NvmeHostOptions opts;

  ControllerSetup(int instance, String subsystemNqn, NvmeHostOptions opts) {
    this.instance = instance;
    this.subsystemNqn = subsystemNqn;
    this.opts = opts;
  }

  /**
   * Identify Controller (CNS 01h, NVMe base 2.0 5.17): the fields the host uses go to
   * {@code identified}, the subsystem NQN must be the one connected to, and the transport
   * learns the in-capsule data size the controller takes (IOCCSZ).
   */
  CompletableFuture<Void> identifyController(Association a,
      Consumer<HostController.ControllerInfo> identified) {
    ByteBuffer buf = ByteBuffer.allocate(HostController.IDENTIFY_LENGTH);
    return a.admin(sqe -> IdentifyCommand.controller(sqe, sqe.cid()), buf)
        .thenApply(
            c -> {
              try {
                IdentifyController id = IdentifyController.decode(buf);
                int[] crdt = {id.crdt(1), id.crdt(2), id.crdt(3)};
                // MDTS is a power of two in units of the minimum page size, CAP.MPSMIN (3.1.1)
                long page = ControllerEnable.minPageSize(a.cap);
                long maxTransfer = id.mdts() == 0 ? Long.MAX_VALUE : page << id.mdts();
                identified.accept(new HostController.ControllerInfo(
                    id.vid(), id.sn().trim(), id.mn().trim(), id.cmic(), id.oaes(), id.kas(),
                    id.anatt(), id.anagrpmax(), id.nn(), id.oncs(), id.aerl(), crdt, maxTransfer));
                if (!id.subnqn().isEmpty() && !id.subnqn().equals(subsystemNqn)) {
                  throw new CompletionException(new PathFailureException(
                      "controller reports subsystem " + id.subnqn() + ", expected " + subsystemNqn));
                }
                // Fabrics 1.1 5.2: IOCCSZ counts 16-byte units of SQE plus in-capsule data
                a.transport.ioCapsuleDataSize(
                    Math.max(0, id.ioccsz() * 16 - SubmissionQueueEntry.LENGTH));
                return null;
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  /**
   * Set Features Asynchronous Event Configuration (FID 0Bh, NVMe base 2.0 5.27): Namespace
   * Attribute and ANA Change notices on.
   */
  CompletableFuture<CommandTable.Completion> enableNotices(Association a) {
    return a.admin(
        sqe -> FeatureCommand.setFeatures(
            sqe, sqe.cid(), 0, FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION, false,
            FeatureCommand.AEC_NAMESPACE_ATTRIBUTE_NOTICES
                | FeatureCommand.AEC_ANA_CHANGE_NOTICES),
        null);
  }

  /**
   * Set Features Number of Queues (NVMe base 5.27.1.5): asks for {@code nr_io_queues} (by
   * default one per processor) and returns what the controller grants, at least one (a
   * Fabrics controller always has an I/O queue; a refusal leaves one, as Linux falls back).
   */
  CompletableFuture<Integer> negotiateQueueCount(Association a) {
    int want = opts.nrIoQueues() > 0 ? opts.nrIoQueues()
        : Runtime.getRuntime().availableProcessors();
    int n = Math.max(1, Math.min(want, HostController.MAX_IO_QUEUES));
    return a.admin(sqe -> FeatureCommand.setFeatures(sqe, sqe.cid(), 0,
            FeatureCommand.FID_NUMBER_OF_QUEUES, false, FeatureCommand.numberOfQueues(n, n)), null)
        .thenApply(c -> {
          if (NvmeStatus.code(c.statusField()) != 0) {
            HostController.RLOG.warn("nvme{}: Set Features Number of Queues: {}; using one I/O queue",
                instance, NvmeStatus.fromField(c.statusField()));
            return 1;
          }
          // Dword 0: NSQA in 15:0, NCQA in 31:16, both 0's based
          int granted = Math.min(c.dw0() & 0xFFFF, c.dw0() >>> 16) + 1;
          return Math.max(1, Math.min(n, granted));
        });
  }

  /** I/O queue entries: the configured depth within CAP.MQES (0's based, bits 15:0). */
  int ioQueueDepth(long cap) {
    int mqes = (int) (cap & 0xFFFF) + 1;
    return Math.max(2, Math.min(opts.ioQueueDepth(), mqes));
  }
}
