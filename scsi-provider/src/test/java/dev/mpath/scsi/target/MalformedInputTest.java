package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MalformedInputTest {

  static ScsiResponse send(Host h, byte[] cdb) {
    return h.run(0, cdb, ByteBuffer.allocate(512), 512);
  }

  static ScsiResponse send(Host h, int... cdb) {
    byte[] b = new byte[cdb.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) cdb[i];
    }
    return send(h, b);
  }

  @Test
  void emptyAndUnknownOpcodesAreInvalidCommandOperationCode() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      assertCheck(send(h, new byte[0]), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_COMMAND_OPERATION_CODE);
      assertCheck(h.run(0, null, null, 0), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_COMMAND_OPERATION_CODE);
      for (int op : new int[] {0x01, 0x04, 0x7F, 0xC0, 0xFF, 0x83, 0x9C}) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) op;
        assertCheck(send(h, cdb), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_COMMAND_OPERATION_CODE);
      }
    }
  }

  @Test
  void shortCdbsAreInvalidFieldInCdb() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] read10 = ReadWriteCdb.read10(0, 1).toBytes();
      for (int len = 1; len < 10; len++) {
        assertCheck(send(h, Arrays.copyOf(read10, len)), SenseKey.ILLEGAL_REQUEST,
            Asc.INVALID_FIELD_IN_CDB);
      }
      assertCheck(send(h, 0x12, 1), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertCheck(send(h, 0xA3, 0x0A), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertCheck(send(h, new byte[] {0x5F}), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void badFieldsAreInvalidFieldInCdb() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      // NACA set (NORMACA = 0).
      ScsiResponse r = send(h, 0, 0, 0, 0, 0, 0x04);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertEquals(SenseData.fieldPointer(true, 5, 2), r.senseData().get().senseKeySpecific());
      // MAINTENANCE IN with a service action not implemented (05h REPORT IDENTIFYING
      // INFORMATION); RTPG with a reserved format.
      byte[] mi = new byte[12];
      mi[0] = (byte) 0xA3;
      mi[1] = 0x05;
      assertCheck(send(h, mi), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      mi[1] = (byte) (0x0A | 0x7 << 5);
      assertCheck(send(h, mi), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      // SERVICE ACTION IN (16) other than READ CAPACITY (16) and GET LBA STATUS.
      byte[] sai = new byte[16];
      sai[0] = (byte) 0x9E;
      sai[1] = 0x13;
      assertCheck(send(h, sai), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      // Protection information requested.
      byte[] rd = ReadWriteCdb.read10(0, 1).toBytes();
      rd[1] = (byte) 0x20;
      assertCheck(send(h, rd), SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      // MODE SENSE: saved values, unknown page.
      assertCheck(send(h, 0x1A, 0, 0xC8, 0, 255, 0), SenseKey.ILLEGAL_REQUEST,
          Asc.SAVING_PARAMETERS_NOT_SUPPORTED);
      assertCheck(send(h, 0x1A, 0, 0x33, 0, 255, 0), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_CDB);
      // Gigantic lengths never size an allocation.
      assertCheck(send(h, ReadWriteCdb.read16(0, 0xFFFF_FFFFL).toBytes()),
          SenseKey.ILLEGAL_REQUEST, Asc.LBA_OUT_OF_RANGE);
      byte[] stpg = new byte[12];
      stpg[0] = (byte) 0xA4;
      stpg[1] = 0x0A;
      Arrays.fill(stpg, 6, 10, (byte) 0xFF);
      assertCheck(h.run(0, stpg, ByteBuffer.allocate(8), 8), SenseKey.ILLEGAL_REQUEST,
          Asc.PARAMETER_LIST_LENGTH_ERROR);
    }
  }

  @Test
  void modeSenseReturnsCachingAndControlPages() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] six = h.dataIn(0, new byte[] {0x1A, 0, 0x3F, 0, (byte) 255, 0}, 255);
      assertEquals(4 + 20 + 12, six.length);
      assertEquals(six.length - 1, six[0] & 0xFF);
      assertEquals(0x08, six[4]);
      assertEquals(0x04, six[6] & 0x04, "WCE");
      byte[] ten = h.dataIn(0, new byte[] {0x5A, 0, 0x08, 0, 0, 0, 0, 0, (byte) 200, 0}, 200);
      assertEquals(8 + 20, ten.length);
      assertEquals(ten.length - 2, ten[1] & 0xFF);
    }
  }

  @Test
  void negativeLengthsAndOddBuffersAreHandled() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      ScsiResponse r = h.run(0, ReadWriteCdb.read10(0, 1).toBytes(), ByteBuffer.allocate(16), -5);
      assertTrue(r.status() == ScsiStatus.GOOD.code(), r.toString());
      assertEquals(0, r.dataTransferred());
      // Buffer shorter than the expected length: only what fits moves.
      r = h.run(0, ReadWriteCdb.read10(0, 1).toBytes(), ByteBuffer.allocate(100), 512);
      assertEquals(100, r.dataTransferred());
      // A read-only buffer for data-in: the command fails, nothing escapes.
      r = h.run(0, ReadWriteCdb.read10(0, 1).toBytes(), ByteBuffer.allocate(512).asReadOnlyBuffer(),
          512);
      assertCheck(r, SenseKey.HARDWARE_ERROR, Asc.INTERNAL_TARGET_FAILURE);
    }
  }

  /**
   * Random CDBs (valid opcodes with garbage fields, random lengths, random data) through two
   * nexuses: every command gets exactly one answer, a legal status, decodable sense, and none
   * is an internal failure (which would mean an exception escaped a handler).
   */
  @Test
  void fuzzedCommandsAlwaysGetOneWellFormedAnswer() {
    int[] ops = {0x00, 0x03, 0x12, 0x1A, 0x25, 0x28, 0x2A, 0x35, 0x42, 0x5A, 0x5E, 0x5F, 0x88,
        0x8A, 0x91, 0x9E, 0xA0, 0xA3, 0xA4, 0x7F, 0xC1};
    Set<Integer> legal = Set.of(ScsiStatus.GOOD.code(), ScsiStatus.CHECK_CONDITION.code(),
        ScsiStatus.RESERVATION_CONFLICT.code());
    Random rnd = new Random(20240101);
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.of(64, 4096)))) {
      Host[] hosts = {rig.login(HOST_A, 1), rig.login(HOST_B, 2)};
      for (int i = 0; i < 4000; i++) {
        Host h = hosts[rnd.nextInt(2)];
        byte[] cdb = new byte[rnd.nextInt(20)];
        rnd.nextBytes(cdb);
        if (cdb.length > 0) {
          cdb[0] = (byte) ops[rnd.nextInt(ops.length)];
          if (cdb.length > 1 && rnd.nextBoolean()) {
            cdb[1] = (byte) (cdb[1] & 0x1F & (rnd.nextBoolean() ? 0x0A : 0x1F));
          }
          cdb[cdb.length - 1] &= ~0x04; // mostly clear NACA so handlers are reached
        }
        int len = rnd.nextInt(4) == 0 ? rnd.nextInt(9000) : rnd.nextInt(64);
        ByteBuffer data = ByteBuffer.allocate(rnd.nextInt(len + 1));
        rnd.nextBytes(data.array());
        int lun = rnd.nextInt(3);
        ScsiResponse r = h.run(lun, cdb, data, len);
        assertNotNull(r);
        assertTrue(legal.contains(r.status()), "status of " + r);
        assertTrue(r.dataTransferred() <= Math.max(0, len), "moved more than expected: " + r);
        if (r.status() == ScsiStatus.CHECK_CONDITION.code()) {
          SenseData s = r.senseData().orElseThrow(() -> new AssertionError("bad sense " + r));
          assertFalse(s.is(SenseKey.HARDWARE_ERROR, Asc.INTERNAL_TARGET_FAILURE),
              () -> "internal failure on " + Arrays.toString(cdb));
        } else {
          assertEquals(null, r.sense());
        }
      }
      assertEquals(4000, hosts[0].responses.size() + hosts[1].responses.size());
    }
  }
}
