package dev.mpath.nvme.target;

import static dev.mpath.nvme.proto.NvmeReservationType.EXCLUSIVE_ACCESS;
import static dev.mpath.nvme.proto.NvmeReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
import static dev.mpath.nvme.proto.NvmeReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
import static dev.mpath.nvme.proto.NvmeReservationType.WRITE_EXCLUSIVE;
import static dev.mpath.nvme.proto.NvmeReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS;
import static dev.mpath.nvme.proto.NvmeReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
import static dev.mpath.nvme.proto.ReservationAcquireCommand.RACQA_ACQUIRE;
import static dev.mpath.nvme.proto.ReservationAcquireCommand.RACQA_PREEMPT;
import static dev.mpath.nvme.proto.ReservationAcquireCommand.RACQA_PREEMPT_AND_ABORT;
import static dev.mpath.nvme.proto.ReservationRegisterCommand.RREGA_REGISTER;
import static dev.mpath.nvme.proto.ReservationRegisterCommand.RREGA_REPLACE;
import static dev.mpath.nvme.proto.ReservationRegisterCommand.RREGA_UNREGISTER;
import static dev.mpath.nvme.proto.ReservationReleaseCommand.RRELA_CLEAR;
import static dev.mpath.nvme.proto.ReservationReleaseCommand.RRELA_RELEASE;
import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static dev.mpath.nvme.target.TargetRig.HOST_C;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AnaState;
import dev.mpath.nvme.proto.DatasetManagementCommand;
import dev.mpath.nvme.proto.DsmRange;
import dev.mpath.nvme.proto.FlushCommand;
import dev.mpath.nvme.proto.NvmOpcode;
import dev.mpath.nvme.proto.NvmeReservationType;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.RegisteredController;
import dev.mpath.nvme.proto.ReservationAcquireCommand;
import dev.mpath.nvme.proto.ReservationAcquireData;
import dev.mpath.nvme.proto.ReservationRegisterCommand;
import dev.mpath.nvme.proto.ReservationStatus;
import dev.mpath.nvme.proto.WriteZeroesCommand;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hosts (A with controllers on ports 1 and 2, B on port 2) and an unregistered host C on
 * port 1, all sharing namespace 1.
 */
class ReservationTest {

  private static final long KEY_A = 0xAAAA_0000_0000_00AAL;
  private static final long KEY_B = 0xBBL;
  private static final int CONFLICT = NvmeStatus.RESERVATION_CONFLICT.code();
  private static final int INVALID_FIELD = NvmeStatus.INVALID_FIELD.code();

  private final TargetRig rig = new TargetRig();
  private TestHost a1;
  private TestHost a2;
  private TestHost b;
  private TestHost c;

  @BeforeEach
  void setUp() throws Exception {
    a1 = rig.host(1, HOST_A);
    a2 = rig.host(2, HOST_A);
    b = rig.host(2, HOST_B);
    c = rig.host(1, HOST_C);
  }

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private static Cqe write(TestHost h) {
    return h.write(1, 10, new byte[512], 1);
  }

  private static Cqe read(TestHost h) {
    return h.read(1, 10, ByteBuffer.allocate(512), 1);
  }

  private ReservationStatus report() throws Exception {
    return a1.report(1, true, 4096);
  }

  private static void assertCode(int expected, Cqe cqe) {
    assertEquals(expected, cqe.code(), cqe::toString);
    if (expected != 0) {
      assertTrue(cqe.dnr(), () -> "DNR expected: " + cqe);
    }
  }

  @Test
  void writeExclusiveRegistrantsOnlyBlocksUnregisteredWritersOnly() throws Exception {
    assertCode(0, a1.register(1, KEY_A));
    assertCode(0, b.register(1, KEY_B));
    // the other controller of host A shares the registration: same key is a no-op
    assertCode(0, a2.register(1, KEY_A));
    assertEquals(2, report().generation());
    assertEquals(2, report().registrants().size());

    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE_REGISTRANTS_ONLY, KEY_A, 0));
    Cqe cw = write(c);
    assertCode(CONFLICT, cw);
    assertTrue(NvmeStatus.fromField(cw.status()).isReservationConflict());
    assertCode(0, read(c));
    assertCode(0, write(a1));
    assertCode(0, write(a2));
    assertCode(0, write(b));

    ReservationStatus st = report();
    assertEquals(WRITE_EXCLUSIVE_REGISTRANTS_ONLY.code(), st.rtype());
    assertEquals(2, st.generation(), "acquire does not bump the generation");
    assertTrue(st.registrants().get(0).holdsReservation());
    assertFalse(st.registrants().get(1).holdsReservation());
  }

  @Test
  void preemptAndAbortRemovesTheOtherHost() throws Exception {
    a1.register(1, KEY_A);
    b.register(1, KEY_B);
    assertCode(0, a2.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_A, 0));
    assertCode(CONFLICT, write(b));
    assertCode(0, read(b));
    int gen = report().generation();

    assertCode(0, b.acquire(1, RACQA_PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_B, KEY_A));
    ReservationStatus st = report();
    assertEquals(gen + 1, st.generation());
    assertEquals(WRITE_EXCLUSIVE.code(), st.rtype());
    assertEquals(1, st.registrants().size());
    RegisteredController only = st.registrants().get(0);
    assertEquals(KEY_B, only.rkey());
    assertTrue(only.holdsReservation());
    assertArrayEquals(Reservations.hostIdBytes(HOST_B, true), only.hostId());

    assertCode(CONFLICT, write(a1));
    assertCode(CONFLICT, write(a2));
    assertCode(0, read(a1));
    assertCode(0, write(b));
    // host A's key is gone: releasing with it conflicts, registering anew works
    assertCode(CONFLICT, a1.release(1, RRELA_RELEASE, WRITE_EXCLUSIVE, KEY_A));
    assertCode(0, a1.register(1, KEY_A));
  }

  @Test
  void reportInBasicAndExtendedForms() throws Exception {
    assertCode(0, a1.register(1, RREGA_REGISTER, false, ReservationRegisterCommand.CPTPL_SET, 0, KEY_A));
    assertCode(0, b.register(1, KEY_B));
    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS, KEY_A, 0));

    ReservationStatus basic = b.report(1, false, ReservationStatus.HEADER_LENGTH + 2 * 24);
    assertFalse(basic.extended());
    assertEquals(2, basic.generation());
    assertEquals(EXCLUSIVE_ACCESS.code(), basic.rtype());
    assertTrue(basic.ptpls());
    assertEquals(2, basic.registeredControllers());
    RegisteredController ra = basic.registrants().get(0);
    assertEquals(0xFFFF, ra.cntlid(), "dynamic controller model");
    assertTrue(ra.holdsReservation());
    assertEquals(KEY_A, ra.rkey());
    assertArrayEquals(ByteBuffer.allocate(8).putLong(HOST_A.getMostSignificantBits()).array(),
        ra.hostId());
    RegisteredController rb = basic.registrants().get(1);
    assertFalse(rb.holdsReservation());
    assertEquals(KEY_B, rb.rkey());

    ReservationStatus ext = b.report(1, true, ReservationStatus.EXTENDED_HEADER_LENGTH + 2 * 64);
    assertTrue(ext.extended());
    assertEquals(2, ext.registrants().size());
    byte[] hid = ext.registrants().get(1).hostId();
    assertEquals(16, hid.length);
    ByteBuffer hb = ByteBuffer.wrap(hid);
    assertEquals(HOST_B, new UUID(hb.getLong(0), hb.getLong(8)));
    assertEquals(KEY_A, ext.holder().orElseThrow().rkey());

    // NUMD smaller than the data: REGCTL still counts both, one entry fits
    ReservationStatus cut = b.report(1, false, ReservationStatus.HEADER_LENGTH + 24);
    assertEquals(2, cut.registeredControllers());
    assertEquals(1, cut.registrants().size());
    assertTrue(cut.truncated());
  }

  @Test
  void registerUnregisterReplaceRules() throws Exception {
    assertCode(0, a1.register(1, KEY_A));
    assertEquals(1, report().generation());
    assertCode(0, a2.register(1, KEY_A));
    assertEquals(1, report().generation(), "same key again: no change");
    assertCode(CONFLICT, a2.register(1, 0x1234));

    assertCode(CONFLICT, a1.register(1, RREGA_UNREGISTER, false, 0, 0x999, 0));
    assertCode(CONFLICT, a1.register(1, RREGA_REPLACE, false, 0, 0x999, 0xAC));
    assertCode(0, a1.register(1, RREGA_REPLACE, true, 0, 0x999, 0xAC));
    assertEquals(2, report().generation());
    assertEquals(0xAC, report().registrants().get(0).rkey());
    assertCode(0, a2.register(1, RREGA_REPLACE, false, 0, 0xAC, 0xAD));
    assertCode(0, a1.register(1, RREGA_UNREGISTER, true, 0, 0, 0));
    assertEquals(4, report().generation());
    assertEquals(0, report().registrants().size());
    assertCode(CONFLICT, a1.register(1, RREGA_UNREGISTER, true, 0, 0, 0));
    assertCode(CONFLICT, b.register(1, RREGA_REPLACE, true, 0, 0, 5));

    assertCode(INVALID_FIELD, a1.register(1, RREGA_REGISTER, false, 1, 0, KEY_A));
    assertCode(INVALID_FIELD, a1.register(1, 3, false, 0, 0, KEY_A));
    Cqe noData = a1.io((s, cid) -> ReservationRegisterCommand.fill(s, cid, 1, 0, false, 0),
        ByteBuffer.allocate(8));
    assertCode(NvmeStatus.DATA_SGL_LENGTH_INVALID.code(), noData);
    assertEquals(4, report().generation());
  }

  @Test
  void exclusiveAccessBlocksEveryNonHolder() throws Exception {
    a1.register(1, KEY_A);
    b.register(1, KEY_B);
    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS, KEY_A, 0));
    assertCode(CONFLICT, read(b));
    assertCode(CONFLICT, read(c));
    assertCode(CONFLICT, write(c));
    assertCode(CONFLICT, b.io((s, cid) -> FlushCommand.fill(s, cid, 1), null));
    assertCode(CONFLICT, c.io((s, cid) -> WriteZeroesCommand.fill(s, cid, 1, 0, 1, false, false), null));
    assertCode(CONFLICT, c.io((s, cid) -> DatasetManagementCommand.fill(s, cid, 1, 1,
        DatasetManagementCommand.ATTR_AD), ByteBuffer.wrap(DsmRange.toBytes(List.of(new DsmRange(0, 1, 0))))));
    assertCode(0, read(a2));
    assertCode(0, write(a2));
    // reservation commands themselves are never blocked
    assertEquals(EXCLUSIVE_ACCESS.code(), c.report(1, true, 4096).rtype());

    assertCode(0, a1.release(1, RRELA_RELEASE, EXCLUSIVE_ACCESS, KEY_A));
    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, KEY_A, 0));
    assertCode(0, read(b));
    assertCode(0, write(b));
    assertCode(CONFLICT, read(c));
  }

  @Test
  void allRegistrantsTypesMakeEveryRegistrantAHolder() throws Exception {
    a1.register(1, KEY_A);
    b.register(1, KEY_B);
    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS_ALL_REGISTRANTS, KEY_A, 0));
    ReservationStatus st = report();
    assertTrue(st.registrants().stream().allMatch(RegisteredController::holdsReservation));
    assertCode(0, write(b));
    assertCode(CONFLICT, read(c));
    // the reservation outlives its acquirer while a registrant remains
    assertCode(0, a1.register(1, RREGA_UNREGISTER, false, 0, KEY_A, 0));
    assertEquals(EXCLUSIVE_ACCESS_ALL_REGISTRANTS.code(), report().rtype());
    assertCode(0, b.register(1, RREGA_UNREGISTER, false, 0, KEY_B, 0));
    assertEquals(0, report().rtype());

    // preempt with PRKEY 0 under an all-registrants reservation takes it over
    a1.register(1, KEY_A);
    b.register(1, KEY_B);
    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE_ALL_REGISTRANTS, KEY_A, 0));
    assertCode(0, b.acquire(1, RACQA_PREEMPT, WRITE_EXCLUSIVE, KEY_B, 0));
    st = report();
    assertEquals(WRITE_EXCLUSIVE.code(), st.rtype());
    assertEquals(1, st.registrants().size());
    assertEquals(KEY_B, st.holder().orElseThrow().rkey());
    assertCode(CONFLICT, write(a1));
  }

  @Test
  void acquireAndReleaseRules() throws Exception {
    assertCode(CONFLICT, c.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, 0, 0));
    a1.register(1, KEY_A);
    b.register(1, KEY_B);
    assertCode(CONFLICT, a1.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_B, 0));
    ByteBuffer data = ByteBuffer.wrap(new ReservationAcquireData(KEY_A, 0).toBytes());
    assertCode(INVALID_FIELD, a1.io((s, cid) -> ReservationAcquireCommand.fill(s, cid, 1,
        RACQA_ACQUIRE, true, WRITE_EXCLUSIVE), data));
    assertCode(INVALID_FIELD, a1.io((s, cid) -> s.clear().opcode(NvmOpcode.RESERVATION_ACQUIRE)
        .cid(cid).nsid(1).cdw10(0), data));
    assertCode(INVALID_FIELD, a1.io((s, cid) -> s.clear().opcode(NvmOpcode.RESERVATION_ACQUIRE)
        .cid(cid).nsid(1).cdw10(1 << 8 | 3), data));

    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_A, 0));
    assertCode(0, a2.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_A, 0));
    assertCode(CONFLICT, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS, KEY_A, 0));
    assertCode(CONFLICT, b.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_B, 0));
    // preempting a key nobody else holds
    assertCode(CONFLICT, b.acquire(1, RACQA_PREEMPT, WRITE_EXCLUSIVE, KEY_B, 0x777));
    assertCode(INVALID_FIELD, b.acquire(1, RACQA_PREEMPT, WRITE_EXCLUSIVE, KEY_B, 0));
    // the holder preempting itself changes the type
    int gen = report().generation();
    assertCode(0, a1.acquire(1, RACQA_PREEMPT, EXCLUSIVE_ACCESS, KEY_A, KEY_A));
    assertEquals(EXCLUSIVE_ACCESS.code(), report().rtype());
    assertEquals(gen + 1, report().generation());

    assertCode(0, b.release(1, RRELA_RELEASE, EXCLUSIVE_ACCESS, KEY_B));
    assertEquals(EXCLUSIVE_ACCESS.code(), report().rtype(), "a non-holder's release changes nothing");
    assertCode(INVALID_FIELD, a1.release(1, RRELA_RELEASE, WRITE_EXCLUSIVE, KEY_A));
    assertCode(CONFLICT, a1.release(1, RRELA_RELEASE, EXCLUSIVE_ACCESS, KEY_B));
    gen = report().generation();
    assertCode(0, a2.release(1, RRELA_RELEASE, EXCLUSIVE_ACCESS, KEY_A));
    assertEquals(0, report().rtype());
    assertEquals(gen, report().generation(), "release does not bump the generation");
    assertCode(0, a1.release(1, RRELA_RELEASE, EXCLUSIVE_ACCESS, KEY_A), "nothing held: success");

    assertCode(0, a1.acquire(1, RACQA_ACQUIRE, EXCLUSIVE_ACCESS, KEY_A, 0));
    assertCode(0, b.release(1, RRELA_CLEAR, null, KEY_B));
    ReservationStatus st = c.report(1, true, 4096);
    assertEquals(0, st.rtype());
    assertEquals(0, st.registrants().size());
    assertEquals(gen + 1, st.generation());
    assertCode(0, write(c));
    assertCode(CONFLICT, c.release(1, RRELA_CLEAR, null, 0));
    assertCode(INVALID_FIELD, a1.release(1, 2, null, KEY_A));
  }

  private static void assertCode(int expected, Cqe cqe, String message) {
    assertEquals(expected, cqe.code(), message);
  }

  @Test
  void reservationsArePerNamespaceAndRespectAna() throws Exception {
    TestHost p3 = rig.host(3, HOST_A);
    assertCode(0, a1.register(1, KEY_A));
    assertEquals(0, p3.report(2, true, 4096).registrants().size());
    assertCode(0, p3.register(2, 0x22));
    assertEquals(1, p3.report(2, true, 4096).registrants().size());
    assertEquals(1, report().registrants().size());
    assertEquals(KEY_A, p3.report(1, true, 4096).registrants().get(0).rkey(),
        "every controller of host A sees its registration");

    rig.subsystem.setAnaState(1, 1, AnaState.INACCESSIBLE);
    Cqe blocked = a1.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_A, 0);
    assertEquals(NvmeStatus.ANA_INACCESSIBLE.code(), blocked.code());
    assertCode(0, a2.acquire(1, RACQA_ACQUIRE, WRITE_EXCLUSIVE, KEY_A, 0));
    assertEquals(NvmeReservationType.WRITE_EXCLUSIVE.code(), b.report(1, false, 4096).rtype());
  }
}
