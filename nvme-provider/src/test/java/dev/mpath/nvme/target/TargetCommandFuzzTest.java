package dev.mpath.nvme.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 9: the NVMe target's command handlers fed random SQEs on the admin and the I/O
 * queue, with data buffers of random size. Every command gets exactly one completion, and
 * none is an Internal Error (the handler's answer to an exception it did not expect).
 * Bounded by {@code jqwik.tries.default} (2000 in CI; {@code -Djqwik.tries.default=N} runs
 * longer). Inputs that once failed stay below as examples.
 */
class TargetCommandFuzzTest {

  /** A fuzzed command: the queue, the 64 SQE bytes and the data buffer's size (-1: none). */
  record Input(int qid, byte[] sqe, int dataBytes) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("qid " + qid + " data " + dataBytes + " sqe");
      for (byte x : sqe) {
        b.append(String.format(" %02x", x));
      }
      return b.toString();
    }
  }

  @Provide
  Arbitrary<Input> commands() {
    // half the time a real opcode of the queue, so the handlers are reached past dispatch
    Arbitrary<Integer> adminOps = Arbitraries.of(AdminOpcode.GET_LOG_PAGE, AdminOpcode.IDENTIFY,
        AdminOpcode.ABORT, AdminOpcode.SET_FEATURES, AdminOpcode.GET_FEATURES,
        AdminOpcode.KEEP_ALIVE, AdminOpcode.NAMESPACE_ATTACHMENT, AdminOpcode.FABRICS);
    Arbitrary<Integer> ioOps = Arbitraries.of(0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x09, 0x0D,
        0x0E, 0x11, 0x15);
    Arbitrary<Integer> qid = Arbitraries.of(0, 1);
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofSize(64);
    Arbitrary<Integer> data = Arbitraries.oneOf(Arbitraries.just(-1),
        Arbitraries.integers().between(0, 9000));
    Arbitrary<Boolean> realOp = Arbitraries.of(true, false);
    return Combinators.combine(qid, raw, data, realOp, adminOps, ioOps)
        .as((q, sqe, d, real, a, i) -> {
          byte[] s = sqe.clone();
          if (real) {
            s[0] = (byte) (q == 0 ? (int) a : (int) i);
          }
          // small NSIDs now and then, so namespace handlers run past their lookups
          if ((s[1] & 1) == 0) {
            s[4] = (byte) (s[5] & 3);
            s[5] = 0;
            s[6] = 0;
            s[7] = 0;
          }
          return new Input(q, s, d);
        });
  }

  @Property
  void everyCommandCompletesOnceAndNeverWithAnInternalError(@ForAll("commands") Input in)
      throws Exception {
    run(in);
  }

  @Example
  void getLogPageAtAnOffsetOfTwoToTheSixtyThird() throws Exception {
    // issue 9 defect 5: LPO >= 2^63 threw IndexOutOfBoundsException (a signed compare)
    byte[] s = new byte[64];
    s[0] = (byte) AdminOpcode.GET_LOG_PAGE;
    s[40] = 0x0C; // CDW10: LID ANA, NUMDL 0 (one dword)
    s[55] = (byte) 0x80; // CDW13 (LPOU, bytes 55:52) bit 31
    run(new Input(0, s, 4096));
  }

  private static void run(Input in) throws Exception {
    try (TargetRig rig = new TargetRig()) {
      TestHost h = rig.host(1, TargetRig.HOST_A);
      byte[] s = in.sqe().clone();
      int cid = 0x4242;
      s[2] = (byte) cid;
      s[3] = (byte) (cid >>> 8);
      boolean aer = in.qid() == 0 && (s[0] & 0xFF) == AdminOpcode.ASYNC_EVENT_REQUEST;
      ByteBuffer raw = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
      SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate().wrap(raw, 0);
      ByteBuffer data = in.dataBytes() < 0 ? null : ByteBuffer.allocate(in.dataBytes());
      h.ctrl.submit(in.qid(), sqe, data);
      rig.pump();
      RecordingSink sink = h.sink(in.qid());
      List<RecordingSink.Cqe> got = sink.pending().stream().filter(c -> c.cid() == cid).toList();
      if (aer || !sink.disconnects().isEmpty() || !h.ctrl.isLive()) {
        return; // held, or the command legitimately ended the controller (CC.EN = 0 ...)
      }
      assertEquals(1, got.size(), () -> "completions of " + in + ": " + got);
      assertNotEquals(NvmeStatus.INTERNAL_ERROR.code(), got.get(0).code(),
          () -> "internal error (an unexpected exception) for " + in);
    }
  }
}
