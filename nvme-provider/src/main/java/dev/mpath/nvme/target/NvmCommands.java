package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.DatasetManagementCommand;
import dev.mpath.nvme.proto.DsmRange;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.ReservationAcquireCommand;
import dev.mpath.nvme.proto.ReservationAcquireData;
import dev.mpath.nvme.proto.ReservationRegisterCommand;
import dev.mpath.nvme.proto.ReservationRegisterData;
import dev.mpath.nvme.proto.ReservationReleaseCommand;
import dev.mpath.nvme.proto.ReservationReleaseData;
import dev.mpath.nvme.proto.ReservationReportCommand;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.proto.WriteZeroesCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVM command set (NVMe NVM Command Set 1.0, 3) on one namespace, for one controller's
 * host: Read, Write, Flush, Write Zeroes, Dataset Management (deallocate) and the four
 * reservation commands, each checked against the namespace's range and its reservation.
 * Returns a status field (0: success). The controller checks readiness, the namespace and
 * its ANA state first ({@code TargetController.io}); this class holds no state of its own
 * beyond who is asking, and runs on the controller's executor.
 */
final class NvmCommands {
  private static final Logger LOG = LoggerFactory.getLogger(NvmCommands.class);
  private static final int OK = 0;
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final int cntlid;
  private final UUID hostId;
  private final long maxTransferBytes;

  NvmCommands(int cntlid, UUID hostId, long maxTransferBytes) {
    this.cntlid = cntlid;
    this.hostId = hostId;
    this.maxTransferBytes = maxTransferBytes;
  }

  int readWrite(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data, boolean write) {
    int rc = ns.reservations.checkAccess(hostId, write);
    if (rc != OK) {
      return rc;
    }
    long slba = ReadWriteCommand.slba(cmd);
    int blocks = ReadWriteCommand.blocks(cmd);
    if (!ns.inRange(slba, blocks)) {
      return NvmeStatus.LBA_OUT_OF_RANGE.field() | DNR;
    }
    long bytes = (long) blocks << ns.blockShift;
    if (bytes > maxTransferBytes) {
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    if (data == null || data.remaining() < bytes) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    // the command's own buffer: narrowed for the store and restored after (no view to allocate)
    ByteBuffer buf = data;
    int pos = buf.position();
    int lim = buf.limit();
    buf.limit(pos + (int) bytes);
    long offset = slba << ns.blockShift;
    try {
      if (write) {
        ns.store.write(offset, buf);
        if (ReadWriteCommand.fua(cmd)) {
          ns.store.flush();
        }
      } else {
        ns.store.read(offset, buf);
      }
    } catch (IOException e) {
      LOG.warn("controller {}: {} of {} failed", cntlid, write ? "write" : "read", ns, e);
      return write ? NvmeStatus.WRITE_FAULT.field() : NvmeStatus.UNRECOVERED_READ_ERROR.field();
    } catch (java.nio.ReadOnlyBufferException e) {
      return NvmeStatus.DATA_TRANSFER_ERROR.field() | DNR;
    } finally {
      buf.limit(lim).position(pos);
    }
    return OK;
  }

  int flush(Namespace ns) {
    int rc = ns.reservations.checkAccess(hostId, true);
    if (rc != OK) {
      return rc;
    }
    try {
      ns.store.flush();
    } catch (IOException e) {
      LOG.warn("controller {}: flush of {} failed", cntlid, ns, e);
      return NvmeStatus.WRITE_FAULT.field();
    }
    return OK;
  }

  int flushAll(Iterable<Namespace> namespaces) {
    for (Namespace ns : namespaces) {
      try {
        ns.store.flush();
      } catch (IOException e) {
        LOG.warn("controller {}: flush of {} failed", cntlid, ns, e);
        return NvmeStatus.WRITE_FAULT.field();
      }
    }
    return OK;
  }

  int writeZeroes(Namespace ns, SubmissionQueueEntry cmd) {
    int rc = ns.reservations.checkAccess(hostId, true);
    if (rc != OK) {
      return rc;
    }
    long slba = WriteZeroesCommand.slba(cmd);
    int blocks = WriteZeroesCommand.blocks(cmd);
    if (!ns.inRange(slba, blocks)) {
      return NvmeStatus.LBA_OUT_OF_RANGE.field() | DNR;
    }
    long offset = slba << ns.blockShift;
    long length = (long) blocks << ns.blockShift;
    try {
      if (WriteZeroesCommand.deallocate(cmd)) {
        ns.store.discard(offset, length);
      } else {
        ns.store.zero(offset, length);
      }
      if (WriteZeroesCommand.fua(cmd)) {
        ns.store.flush();
      }
    } catch (IOException e) {
      LOG.warn("controller {}: write zeroes of {} failed", cntlid, ns, e);
      return NvmeStatus.WRITE_FAULT.field();
    }
    return OK;
  }

  int datasetManagement(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data) {
    int rc = ns.reservations.checkAccess(hostId, true);
    if (rc != OK) {
      return rc;
    }
    if (data == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    List<DsmRange> ranges;
    try {
      ranges = DsmRange.decodeList(data.duplicate(), DatasetManagementCommand.ranges(cmd));
    } catch (NvmeProtocolException e) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    if (!DatasetManagementCommand.deallocate(cmd)) {
      return OK; // hints only
    }
    for (DsmRange r : ranges) {
      if (!ns.inRange(r.startingLba(), r.lengthInBlocks())) {
        return NvmeStatus.LBA_OUT_OF_RANGE.field() | DNR;
      }
    }
    try {
      for (DsmRange r : ranges) {
        ns.store.discard(r.startingLba() << ns.blockShift, r.lengthInBlocks() << ns.blockShift);
      }
    } catch (IOException e) {
      LOG.warn("controller {}: deallocate on {} failed", cntlid, ns, e);
      return NvmeStatus.WRITE_FAULT.field();
    }
    return OK;
  }

  int reservationRegister(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data) {
    ReservationRegisterData d = decode(data, ReservationRegisterData::decode);
    if (d == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    return ns.reservations.register(hostId, ReservationRegisterCommand.rrega(cmd),
        ReservationRegisterCommand.iekey(cmd), ReservationRegisterCommand.cptpl(cmd),
        d.crkey(), d.nrkey());
  }

  int reservationAcquire(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data) {
    ReservationAcquireData d = decode(data, ReservationAcquireData::decode);
    if (d == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    return ns.reservations.acquire(hostId, ReservationAcquireCommand.racqa(cmd),
        ReservationAcquireCommand.iekey(cmd), ReservationAcquireCommand.rtype(cmd),
        d.crkey(), d.prkey());
  }

  int reservationRelease(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data) {
    ReservationReleaseData d = decode(data, ReservationReleaseData::decode);
    if (d == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | DNR;
    }
    return ns.reservations.release(hostId, ReservationReleaseCommand.rrela(cmd),
        ReservationReleaseCommand.iekey(cmd), ReservationReleaseCommand.rtype(cmd), d.crkey());
  }

  int reservationReport(Namespace ns, SubmissionQueueEntry cmd, ByteBuffer data) {
    byte[] report = ns.reservations.report(ReservationReportCommand.eds(cmd)).toBytes();
    return DataTransfer.transferOut(report, 0, ReservationReportCommand.lengthBytes(cmd), data);
  }

  /** A reservation command's data structure. */
  @FunctionalInterface
  private interface DataDecoder<T> {
    T decode(ByteBuffer b) throws NvmeProtocolException;
  }

  /** {@code data} decoded (a view, its position untouched), or null when absent or malformed. */
  private static <T> T decode(ByteBuffer data, DataDecoder<T> decoder) {
    if (data == null) {
      return null;
    }
    try {
      return decoder.decode(data.duplicate());
    } catch (NvmeProtocolException e) {
      return null;
    }
  }
}
