package dev.mpath.nvme.proto;

/** Shared steps of the command builders. */
final class Commands {

  private Commands() {}

  /** Clears the entry and sets OPC, CID and NSID; FUSE and PSDT are left 0. */
  static SubmissionQueueEntry start(SubmissionQueueEntry sqe, int opcode, int cid, int nsid) {
    return sqe.clear().opcode(opcode).cid(cid).nsid(nsid);
  }

  static int bit(boolean b, int shift) {
    return b ? 1 << shift : 0;
  }

  static boolean bitSet(int dword, int shift) {
    return (dword >>> shift & 1) != 0;
  }

  static long slba(SubmissionQueueEntry sqe) {
    return (sqe.cdw10() & 0xFFFF_FFFFL) | ((long) sqe.cdw11() << 32);
  }

  static void slba(SubmissionQueueEntry sqe, long slba) {
    sqe.cdw10((int) slba).cdw11((int) (slba >>> 32));
  }

  /** Zero-based dword count for a byte length: a positive multiple of 4, at most 2^32 dwords. */
  static int numd(String what, long bytes) {
    if (bytes <= 0 || (bytes & 3) != 0 || bytes > 4L << 32) {
      throw new IllegalArgumentException(
          what + " must be a positive multiple of 4 up to 16 GiB: " + bytes);
    }
    return (int) ((bytes >>> 2) - 1);
  }
}
