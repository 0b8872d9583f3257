package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Get Features and Set Features (NVMe base 2.0, 5.15 and 5.27) for one controller: Number of
 * Queues (FID 07h), Asynchronous Event Configuration (FID 0Bh, kept by {@link AsyncEvents}),
 * Keep Alive Timer (FID 0Fh, kept by {@link KeepAliveTimer}) and Host Identifier (FID 81h,
 * read only). Nothing is saveable. Dword 0 of the completion goes to
 * the controller ({@link TargetController#dw0(int)}).
 *
 * <p>Thread-safety: runs on the controller's executor; the Number of Queues value is volatile.
 */
final class Features {
  private static final int OK = 0;
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final TargetController ctrl;
  private final int maxIoQueues;
  private final UUID hostId;
  private final AsyncEvents events;
  private final KeepAliveTimer keepAlive;
  private volatile int numberOfQueues;

  Features(TargetController ctrl, int maxIoQueues, UUID hostId, AsyncEvents events,
      KeepAliveTimer keepAlive) {
    this.ctrl = ctrl;
    this.maxIoQueues = maxIoQueues;
    this.hostId = hostId;
    this.events = events;
    this.keepAlive = keepAlive;
    int q = maxIoQueues - 1;
    this.numberOfQueues = q << 16 | q;
  }

  int setFeatures(SubmissionQueueEntry cmd) {
    if (FeatureCommand.save(cmd)) {
      return NvmeStatus.FEATURE_ID_NOT_SAVEABLE.field() | DNR;
    }
    int v = FeatureCommand.value(cmd);
    switch (FeatureCommand.fid(cmd)) {
      case FeatureCommand.FID_NUMBER_OF_QUEUES: {
        int nsqr = v & 0xFFFF;
        int ncqr = v >>> 16;
        if (nsqr == 0xFFFF || ncqr == 0xFFFF) {
          return NvmeStatus.INVALID_FIELD.field() | DNR;
        }
        int max = maxIoQueues - 1;
        numberOfQueues = Math.min(ncqr, max) << 16 | Math.min(nsqr, max);
        ctrl.dw0(numberOfQueues);
        return OK;
      }
      case FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION:
        events.aec(v);
        return OK;
      case FeatureCommand.FID_KEEP_ALIVE_TIMER:
        if (v < 0) {
          return NvmeStatus.INVALID_FIELD.field() | DNR;
        }
        keepAlive.katoMillis(v);
        return OK;
      default:
        return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
  }

  int getFeatures(SubmissionQueueEntry cmd, ByteBuffer data) {
    int fid = FeatureCommand.fid(cmd);
    boolean capabilities = FeatureCommand.select(cmd) == FeatureCommand.SEL_SUPPORTED_CAPABILITIES;
    switch (fid) {
      case FeatureCommand.FID_NUMBER_OF_QUEUES:
        ctrl.dw0(capabilities ? 0 : numberOfQueues);
        return OK;
      case FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION:
      case FeatureCommand.FID_KEEP_ALIVE_TIMER:
        if (capabilities) {
          ctrl.dw0(1 << 2); // changeable
        } else {
          ctrl.dw0(fid == FeatureCommand.FID_KEEP_ALIVE_TIMER ? keepAlive.katoMillis() : events.aec());
        }
        return OK;
      case FeatureCommand.FID_HOST_IDENTIFIER:
        if ((FeatureCommand.value(cmd) & 1) == 0) {
          return NvmeStatus.INVALID_FIELD.field() | DNR; // only the 128-bit form
        }
        return DataTransfer.transferOut(Reservations.hostIdBytes(hostId, true), 0, 16, data);
      default:
        return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
  }
}
