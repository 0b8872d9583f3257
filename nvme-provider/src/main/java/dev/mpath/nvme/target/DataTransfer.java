package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.NvmeStatus;
import java.nio.ByteBuffer;

/**
 * Controller-to-host data transfer of the commands that return a data structure (Identify,
 * Get Log Page, Get Features Host Identifier, Reservation Report): the host's buffer gets as
 * much of the requested length as it holds.
 *
 * <p>Thread-safety: stateless; the buffer belongs to the command being executed.
 */
final class DataTransfer {
  private DataTransfer() {}

  /**
   * Copies {@code src[from..]} into the host's buffer: as many bytes as the command asked for
   * ({@code requested}) and the buffer holds, zero-filled past the end of {@code src}. The
   * buffer's position does not move.
   *
   * @return 0, or Data SGL Length Invalid (DNR) when there is no buffer
   */
  static int transferOut(byte[] src, int from, long requested, ByteBuffer data) {
    if (data == null) {
      return NvmeStatus.DATA_SGL_LENGTH_INVALID.field() | NvmeStatus.DNR_BIT;
    }
    int n = (int) Math.min(requested, data.remaining());
    int copy = Math.max(0, Math.min(n, src.length - from));
    int p = data.position();
    data.put(p, src, from, copy);
    for (int i = copy; i < n; i++) {
      data.put(p + i, (byte) 0);
    }
    return 0;
  }
}
