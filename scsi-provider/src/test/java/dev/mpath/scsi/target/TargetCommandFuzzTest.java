package dev.mpath.scsi.target;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.SenseData;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 9: the SCSI LU emulator fed random CDBs (random and real operation codes, random
 * lengths, data buffers and expected transfer lengths, LUN 0 and a missing LUN 1). Every
 * command is answered exactly once, and never with 44/00 INTERNAL TARGET FAILURE (the
 * answer to an exception the device server did not expect). Bounded by
 * {@code jqwik.tries.default} (2000 in CI).
 */
class TargetCommandFuzzTest {

  record Input(int lun, byte[] cdb, int dataBytes, int edtl) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("lun " + lun + " data " + dataBytes + " edtl " + edtl
          + " cdb");
      for (byte x : cdb) {
        b.append(String.format(" %02x", x));
      }
      return b.toString();
    }
  }

  /** Operation codes the emulator implements, so most inputs get past dispatch. */
  private static final int[] OPS = {0x00, 0x03, 0x08, 0x0A, 0x12, 0x1A, 0x25, 0x28, 0x2A, 0x2F,
      0x35, 0x41, 0x42, 0x5A, 0x5E, 0x5F, 0x88, 0x8A, 0x8F, 0x91, 0x93, 0x9E, 0xA0, 0xA3, 0xA4,
      0xA8, 0xAA, 0x7F};

  @Provide
  Arbitrary<Input> commands() {
    Arbitrary<Integer> lun = Arbitraries.of(0, 0, 0, 1);
    Arbitrary<byte[]> cdb = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(32);
    Arbitrary<Integer> data = Arbitraries.oneOf(Arbitraries.just(-1),
        Arbitraries.integers().between(0, 70000));
    Arbitrary<Integer> edtl = Arbitraries.oneOf(Arbitraries.integers().between(0, 70000),
        Arbitraries.integers());
    Arbitrary<Integer> op = Arbitraries.integers().between(-1, OPS.length - 1);
    return Combinators.combine(lun, cdb, data, edtl, op).as((l, c, d, e, o) -> {
      byte[] x = c.clone();
      if (o >= 0) {
        x[0] = (byte) OPS[o];
      }
      // small LBAs and lengths now and then, so the handlers run past their range checks
      if (x.length >= 10 && (x[1] & 1) == 0) {
        for (int i = 2; i < Math.min(x.length, 9); i++) {
          x[i] = 0;
        }
      }
      return new Input(l, x, d, e);
    });
  }

  @Property
  void everyCdbIsAnsweredOnceAndNeverWithAnInternalFailure(@ForAll("commands") Input in) {
    try (Rig rig = new Rig()) {
      Host h = rig.login(Rig.HOST_A, 1);
      ByteBuffer data = in.dataBytes() < 0 ? null : ByteBuffer.allocate(in.dataBytes());
      long tag = h.submit(in.lun(), in.cdb(), data, in.edtl());
      rig.runDue();
      ScsiResponse r = h.responses.get(tag);
      assertNotNull(r, () -> "no answer for " + in);
      assertTrue(h.order.stream().filter(t -> t == tag).count() == 1, () -> "answered twice: " + in);
      if (r.sense() != null && r.sense().length > 0) {
        SenseData s;
        try {
          s = SenseData.decode(r.sense());
        } catch (Exception e) {
          throw new AssertionError("undecodable sense for " + in, e);
        }
        assertTrue(s.asc() != Asc.INTERNAL_TARGET_FAILURE.asc()
                || s.ascq() != Asc.INTERNAL_TARGET_FAILURE.ascq(),
            () -> "internal target failure (an unexpected exception) for " + in);
      }
    }
  }
}
