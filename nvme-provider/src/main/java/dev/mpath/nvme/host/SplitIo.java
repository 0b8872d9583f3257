package dev.mpath.nvme.host;

import dev.mpath.IoRequest;
import dev.mpath.nvme.proto.NvmeStatus;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request larger than one command may carry (MDTS for data, the 16-bit NLB for Write
 * Zeroes), sent as several commands on the same path, the way the Linux block layer splits
 * at max_hw_sectors. The request completes once, when every piece has: successfully if all
 * succeeded, otherwise with the first failing status, classified as for a single command
 * (so a path error still redirects the whole request to another path, where it is
 * re-issued in full: reads and writes are idempotent).
 *
 * <p>Allocates per split request (the pieces' buffer views): splitting happens only for
 * requests beyond the transfer limit.
 */
final class SplitIo {
  final HostController ctrl;
  final NvmeNamespacePath path;
  final IoRequest request;
  private final int maxBlocks;
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicInteger firstError = new AtomicInteger();

  SplitIo(HostController ctrl, NvmeNamespacePath path, IoRequest request, int maxBlocks) {
    this.ctrl = ctrl;
    this.path = path;
    this.request = request;
    this.maxBlocks = maxBlocks;
  }

  /** Sends one piece. */
  @FunctionalInterface
  interface Issuer {
    void issue(long lba, int blocks, ByteBuffer data);
  }

  /** Issues every piece. */
  void start(Issuer issuer) {
    int blocks = request.blocks();
    int pieces = (blocks + maxBlocks - 1) / maxBlocks;
    outstanding.set(pieces);
    int bs = path.blockSize();
    ByteBuffer buf = request.buffer();
    for (int i = 0; i < pieces; i++) {
      int first = i * maxBlocks;
      int n = Math.min(maxBlocks, blocks - first);
      ByteBuffer data = null;
      if (buf != null) {
        int from = buf.position() + first * bs;
        data = buf.duplicate();
        data.limit(from + n * bs).position(from);
      }
      issuer.issue(request.lba() + first, n, data);
    }
  }

  /** One piece ended with {@code statusField}. */
  void pieceDone(int statusField) {
    if (NvmeStatus.code(statusField) != 0) {
      firstError.compareAndSet(0, statusField | 0x8000_0000); // non-zero even for field 0
    }
    if (outstanding.decrementAndGet() == 0) {
      int e = firstError.get();
      ctrl.completeIo(path, request, e == 0 ? 0 : e & 0x7FFF);
    }
  }
}
