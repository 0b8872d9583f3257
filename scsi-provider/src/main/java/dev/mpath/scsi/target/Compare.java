package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The byte compares of VERIFY, WRITE AND VERIFY and COMPARE AND WRITE, and their sense. */
final class Compare {
  private Compare() {}

  /**
   * The index (from 0) of the first of {@code n} bytes where {@code a} from absolute position
   * {@code aAt} and {@code b} from {@code bAt} differ, or -1 when they are equal.
   */
  static int firstDifference(ByteBuffer a, int aAt, byte[] b, int bAt, int n) {
    if (a.hasArray()) {
      int base = a.arrayOffset() + aAt;
      int m = Arrays.mismatch(a.array(), base, base + n, b, bAt, bAt + n);
      return m;
    }
    for (int i = 0; i < n; i++) {
      if (a.get(aAt + i) != b[bAt + i]) {
        return i;
      }
    }
    return -1;
  }

  /**
   * CHECK CONDITION, MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION (SBC-3 5.2, 5.24) with
   * INFORMATION valid and set to {@code offset}: the offset from the start of the Data-Out
   * buffer to the first byte that was not equal.
   */
  static CommandFailure miscompare(long offset) {
    return CommandFailure.check(SenseData.builder(SenseKey.MISCOMPARE,
        Asc.MISCOMPARE_DURING_VERIFY_OPERATION).information(offset).build());
  }
}
