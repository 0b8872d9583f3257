package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetController.CC_EN;
import static dev.mpath.nvme.target.TargetController.CC_SHN_SHIFT;
import static dev.mpath.nvme.target.TargetController.CSTS_RDY;
import static dev.mpath.nvme.target.TargetController.CSTS_SHST_COMPLETE;
import static dev.mpath.nvme.target.TargetController.CSTS_SHST_MASK;
import static dev.mpath.nvme.target.TargetController.PROP_CAP;
import static dev.mpath.nvme.target.TargetController.PROP_CC;
import static dev.mpath.nvme.target.TargetController.PROP_CSTS;
import static dev.mpath.nvme.target.TargetController.PROP_NSSR;
import static dev.mpath.nvme.target.TargetController.PROP_VS;
import static dev.mpath.nvme.target.TargetController.VERSION;

/**
 * The controller properties of one I/O controller (NVMe base 2.0, 3.1) as Property Get and
 * Property Set see them: CAP, VS, CC, CSTS and NSSR (offsets and fields are
 * {@link TargetController}'s public constants). CC.EN 0 to 1 sets CSTS.RDY; 1 to 0 clears it
 * and runs {@code onDisable} (the controller reset); CC.SHN non-zero reports shutdown
 * complete in CSTS.SHST.
 *
 * <p>Thread-safety: any thread; CC writes are serialised on this object, reads see the
 * volatile registers.
 */
final class ControllerProperties {
  private final long cap;
  private final Runnable onDisable;
  private volatile int cc;
  private volatile int csts;

  ControllerProperties(int maxQueueEntries, Runnable onDisable) {
    // CAP: MQES, CQR, TO = 15 (7.5 s), CSS bit 37 (NVM command set), MPSMIN = MPSMAX = 0 (4 KiB)
    this.cap = (maxQueueEntries - 1) | 1L << 16 | 15L << 24 | 1L << 37;
    this.onDisable = onDisable;
  }

  /** Whether CSTS.RDY is set. */
  boolean isReady() {
    return (csts & CSTS_RDY) != 0;
  }

  /** @throws IllegalArgumentException unknown offset or wrong size */
  long get(int offset, int size) {
    switch (offset) {
      case PROP_CAP:
        requireSize(offset, size, 8);
        return cap;
      case PROP_VS:
        requireSize(offset, size, 4);
        return VERSION;
      case PROP_CC:
        requireSize(offset, size, 4);
        return cc & 0xFFFF_FFFFL;
      case PROP_CSTS:
        requireSize(offset, size, 4);
        return csts & 0xFFFF_FFFFL;
      default:
        throw new IllegalArgumentException(String.format("no readable property at 0x%x", offset));
    }
  }

  /** @throws IllegalArgumentException read-only or unknown offset, or wrong size */
  void set(int offset, int size, long value) {
    switch (offset) {
      case PROP_CC:
        requireSize(offset, size, 4);
        writeCc((int) value);
        return;
      case PROP_NSSR:
        requireSize(offset, size, 4);
        return;
      default:
        throw new IllegalArgumentException(String.format("no writable property at 0x%x", offset));
    }
  }

  private static void requireSize(int offset, int size, int expected) {
    if (size != expected) {
      throw new IllegalArgumentException(
          String.format("property 0x%x is %d bytes, not %d", offset, expected, size));
    }
  }

  private synchronized void writeCc(int v) {
    int old = cc;
    cc = v;
    if ((v & CC_EN) != 0 && (old & CC_EN) == 0) {
      csts = (csts & ~CSTS_SHST_MASK) | CSTS_RDY;
    } else if ((v & CC_EN) == 0 && (old & CC_EN) != 0) {
      csts &= ~CSTS_RDY;
      onDisable.run();
    }
    if ((v >>> CC_SHN_SHIFT & 3) != 0) {
      csts = (csts & ~CSTS_SHST_MASK) | CSTS_SHST_COMPLETE;
    }
  }
}
