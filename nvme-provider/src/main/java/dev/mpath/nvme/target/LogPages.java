package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.NavigableMap;

/**
 * Get Log Page (NVMe base 2.0, 5.16) for one controller: Error Information (LID 01h, empty),
 * SMART / Health Information (LID 02h, zeros), Firmware Slot Information (LID 03h), Changed
 * Namespace List (LID 04h) and Asymmetric Namespace Access (LID 0Ch). A read with
 * RAE cleared unmasks the page's event type in the controller's {@link AsyncEvents}.
 *
 * <p>Thread-safety: holds no mutable state of its own; runs on the controller's executor,
 * where its {@link AsyncEvents} is confined.
 */
final class LogPages {
  private static final int OK = 0;
  private static final int DNR = NvmeStatus.DNR_BIT;

  private final NvmeSubsystem subsystem;
  private final int port;
  private final AsyncEvents events;

  LogPages(NvmeSubsystem subsystem, int port, AsyncEvents events) {
    this.subsystem = subsystem;
    this.port = port;
    this.events = events;
  }

  int getLogPage(SubmissionQueueEntry cmd, NavigableMap<Integer, Namespace> attached,
      ByteBuffer data) {
    int lid = GetLogPageCommand.lid(cmd);
    long length = GetLogPageCommand.lengthBytes(cmd);
    long offset = GetLogPageCommand.offsetBytes(cmd);
    boolean rae = GetLogPageCommand.rae(cmd);
    if ((offset & 3) != 0) {
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    byte[] page;
    switch (lid) {
      case LogPageId.ASYMMETRIC_NAMESPACE_ACCESS: {
        boolean rgo = (GetLogPageCommand.lsp(cmd) & GetLogPageCommand.LSP_ANA_RGO) != 0;
        page = subsystem.anaLog(port, attached).toBytes(rgo);
        break;
      }
      case LogPageId.CHANGED_NAMESPACE_LIST:
        page = events.changedNamespaceList().toBytes();
        break;
      case LogPageId.ERROR_INFORMATION:
        page = new byte[64];
        break;
      case LogPageId.SMART_HEALTH:
        page = new byte[512];
        break;
      case LogPageId.FIRMWARE_SLOT: {
        page = new byte[512];
        page[0] = 1; // AFI: slot 1 active
        byte[] fr = subsystem.firmware.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 8; i++) {
          page[8 + i] = i < fr.length ? fr[i] : (byte) ' ';
        }
        break;
      }
      default:
        return NvmeStatus.INVALID_LOG_PAGE.field() | DNR;
    }
    if (Long.compareUnsigned(offset, page.length) > 0) { // LPO is unsigned: 2^63 and up too
      return NvmeStatus.INVALID_FIELD.field() | DNR;
    }
    int status = DataTransfer.transferOut(page, (int) offset, length, data);
    if (status == OK && !rae) {
      events.logPageRead(lid);
    }
    return status;
  }
}
