package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.BS;
import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.HOST_B;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.IscsiTransportId;
import dev.mpath.scsi.proto.PersistentReserveOutCdb;
import dev.mpath.scsi.proto.PrCapabilities;
import dev.mpath.scsi.proto.PrFullStatus;
import dev.mpath.scsi.proto.PrFullStatusDescriptor;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.PrOutParameterList;
import dev.mpath.scsi.proto.PrOutServiceAction;
import dev.mpath.scsi.proto.PrReadKeys;
import dev.mpath.scsi.proto.PrReadReservation;
import dev.mpath.scsi.proto.PrType;
import dev.mpath.scsi.proto.ScsiStatus;
import dev.mpath.scsi.proto.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentReservationsTest {
  static final long KEY_A = 0xAAAA_0000_0000_0001L;
  static final long KEY_B = 0xBBBB_0000_0000_0002L;
  static final int CONFLICT = ScsiStatus.RESERVATION_CONFLICT.code();

  static PrFullStatus fullStatus(Host h) {
    return PrFullStatus.decode(h.prIn(PrInServiceAction.READ_FULL_STATUS));
  }

  static PrReadKeys keys(Host h) {
    return PrReadKeys.decode(h.prIn(PrInServiceAction.READ_KEYS));
  }

  static PrReadReservation reservation(Host h) {
    return PrReadReservation.decode(h.prIn(PrInServiceAction.READ_RESERVATION));
  }

  static ScsiResponse reserve(Host h, long key, PrType t) {
    return h.prOut(PrOutServiceAction.RESERVE, t, PrOutParameterList.of(key, 0));
  }

  static ScsiResponse release(Host h, long key, PrType t) {
    return h.prOut(PrOutServiceAction.RELEASE, t, PrOutParameterList.of(key, 0));
  }

  static ScsiResponse write(Host h) {
    return h.write(0, 0, new byte[BS]);
  }

  static ScsiResponse read(Host h) {
    return h.read(0, 0, ByteBuffer.allocate(BS));
  }

  @Test
  void twoInitiatorsTimesTwoPortsGiveFourRegistrations() {
    try (Rig rig = new Rig()) {
      Host a1 = rig.login(HOST_A, 1);
      Host a2 = rig.login(HOST_A, 2);
      Host b1 = rig.login(HOST_B, 1);
      Host b2 = rig.login(HOST_B, 2);
      for (Host h : List.of(a1, a2)) {
        assertGood(h.register(KEY_A));
      }
      for (Host h : List.of(b1, b2)) {
        assertGood(h.register(KEY_B));
      }
      PrFullStatus fs = fullStatus(b2);
      assertEquals(4, fs.generation());
      assertEquals(4, fs.descriptors().size());
      Set<String> seen = fs.descriptors().stream()
          .map(d -> ((IscsiTransportId) d.transportId()).portName() + "@"
              + d.relativeTargetPortId() + "=" + Long.toHexString(d.reservationKey()))
          .collect(Collectors.toSet());
      assertEquals(Set.of(
          HOST_A + "@1=" + Long.toHexString(KEY_A), HOST_A + "@2=" + Long.toHexString(KEY_A),
          HOST_B + "@1=" + Long.toHexString(KEY_B), HOST_B + "@2=" + Long.toHexString(KEY_B)),
          seen);
      assertTrue(fs.descriptors().stream().noneMatch(PrFullStatusDescriptor::allTgPt));
      assertTrue(fs.descriptors().stream().noneMatch(PrFullStatusDescriptor::reservationHolder));
      assertEquals(List.of(KEY_A, KEY_A, KEY_B, KEY_B), keys(a1).keys());
      assertEquals(4, rig.target.lun(0).registrations().size());
    }
  }

  @Test
  void allTgPtRegistersTheInitiatorOnEveryPort() {
    try (Rig rig = new Rig()) {
      Host a1 = rig.login(HOST_A, 1);
      Host a2 = rig.login(HOST_A, 2);
      assertGood(a1.prOut(PrOutServiceAction.REGISTER, null,
          PrOutParameterList.of(0, KEY_A).withAllTgPt(true)));
      PrFullStatus fs = fullStatus(a1);
      assertEquals(2, fs.descriptors().size());
      assertEquals(Set.of(1, 2), fs.descriptors().stream()
          .map(PrFullStatusDescriptor::relativeTargetPortId).collect(Collectors.toSet()));
      assertTrue(fs.descriptors().stream().allMatch(PrFullStatusDescriptor::allTgPt));
      // The nexus through port 2 never registered itself, yet holds the key.
      assertGood(reserve(a2, KEY_A, PrType.EXCLUSIVE_ACCESS));
      assertGood(write(a1)); // a reservation made through ALL_TG_PT is held on every port
      assertGood(write(a2));
      // Changing the key through one port changes it everywhere; unregistering removes all.
      assertGood(a2.prOut(PrOutServiceAction.REGISTER, null,
          PrOutParameterList.of(KEY_A, KEY_B)));
      assertEquals(List.of(KEY_B, KEY_B), keys(a1).keys());
      assertEquals(KEY_B, reservation(a1).reservation().get().key());
      assertGood(a1.prOut(PrOutServiceAction.REGISTER, null, PrOutParameterList.of(KEY_B, 0)));
      assertEquals(List.of(), keys(a1).keys());
      assertFalse(reservation(a1).reservation().isPresent(), "holder left: released");
    }
  }

  @Test
  void writeExclusiveRegistrantsOnlyAndPreemptAndAbort() {
    try (Rig rig = new Rig()) {
      Host a1 = rig.login(HOST_A, 1);
      Host a2 = rig.login(HOST_A, 2);
      Host b1 = rig.login(HOST_B, 1);
      assertGood(a1.register(KEY_A));
      assertGood(a2.register(KEY_A));
      assertGood(reserve(a1, KEY_A, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY));

      // B is not registered: reads pass, writes conflict.
      assertEquals(CONFLICT, write(b1).status());
      assertGood(read(b1));
      assertGood(write(a2)); // a registrant
      PrReadReservation rr = reservation(b1);
      assertEquals(KEY_A, rr.reservation().get().key());
      assertEquals(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, rr.reservation().get().type());

      assertGood(b1.register(KEY_B));
      assertGood(write(b1)); // registrants may write under WR_EX_RO
      long gen = keys(b1).generation();
      assertGood(b1.prOut(PrOutServiceAction.PREEMPT_AND_ABORT,
          PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, PrOutParameterList.of(KEY_B, KEY_A)));
      assertEquals(gen + 1, keys(b1).generation());

      for (Host a : List.of(a1, a2)) {
        assertCheck(write(a), SenseKey.UNIT_ATTENTION, Asc.REGISTRATIONS_PREEMPTED);
        assertEquals(CONFLICT, write(a).status());
        assertEquals(CONFLICT, write(a).status(), "the unit attention is reported once");
        assertGood(read(a));
      }
      assertGood(write(b1)); // the preempting nexus got no unit attention
      assertEquals(List.of(new PrRegistration(b1.nexus(), KEY_B, false)),
          rig.target.lun(0).registrations());
      PrHolder holder = rig.target.lun(0).reservation().orElseThrow();
      assertEquals(b1.nexus(), holder.reservedBy());
      assertEquals(KEY_B, holder.key());
    }
  }

  @Test
  void accessMatrixOfTheSixTypes() {
    record Case(PrType type, boolean registrantWrites, boolean outsiderReads,
        boolean outsiderWrites) {}
    List<Case> cases = List.of(
        new Case(PrType.WRITE_EXCLUSIVE, false, true, false),
        new Case(PrType.EXCLUSIVE_ACCESS, false, false, false),
        new Case(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, true, true, false),
        new Case(PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, true, false, false),
        new Case(PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, true, true, false),
        new Case(PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, true, false, false));
    for (Case c : cases) {
      try (Rig rig = new Rig()) {
        Host holder = rig.login(HOST_A, 1);
        Host registrant = rig.login(HOST_B, 1);
        Host outsider = rig.login(HOST_B, 2);
        assertGood(holder.register(KEY_A));
        assertGood(registrant.register(KEY_B));
        assertGood(reserve(holder, KEY_A, c.type()));
        String t = c.type().abbreviation();
        assertGood(write(holder));
        assertGood(read(holder));
        assertEquals(c.registrantWrites(), write(registrant).isGood(), t + " registrant write");
        assertEquals(c.outsiderReads(), read(outsider).isGood(), t + " outsider read");
        assertEquals(c.outsiderWrites(), write(outsider).isGood(), t + " outsider write");
        if (!c.outsiderReads()) {
          assertEquals(CONFLICT, read(outsider).status(), t);
        }
        // Always allowed: TEST UNIT READY, INQUIRY, PR IN, READ CAPACITY.
        assertGood(outsider.tur());
        outsider.inquiry(-1);
        outsider.prIn(PrInServiceAction.READ_RESERVATION);
        PrReadReservation rr = reservation(outsider);
        assertEquals(c.type().isAllRegistrants() ? 0 : KEY_A, rr.reservation().get().key(), t);
        long holders = fullStatus(outsider).descriptors().stream()
            .filter(PrFullStatusDescriptor::reservationHolder).count();
        assertEquals(c.type().isAllRegistrants() ? 2 : 1, holders, t);
      }
    }
  }

  @Test
  void reserveReleaseRules() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 1);
      assertEquals(CONFLICT, reserve(a, KEY_A, PrType.WRITE_EXCLUSIVE).status(), "unregistered");
      assertGood(a.register(KEY_A));
      assertGood(b.register(KEY_B));
      assertEquals(CONFLICT, reserve(a, KEY_B, PrType.WRITE_EXCLUSIVE).status(), "wrong key");
      assertGood(reserve(a, KEY_A, PrType.WRITE_EXCLUSIVE));
      assertGood(reserve(a, KEY_A, PrType.WRITE_EXCLUSIVE)); // same holder, same type
      assertEquals(CONFLICT, reserve(a, KEY_A, PrType.EXCLUSIVE_ACCESS).status());
      assertEquals(CONFLICT, reserve(b, KEY_B, PrType.WRITE_EXCLUSIVE).status());
      assertGood(release(b, KEY_B, PrType.WRITE_EXCLUSIVE)); // not the holder: nothing happens
      assertTrue(rig.target.lun(0).reservation().isPresent());
      assertCheck(release(a, KEY_A, PrType.EXCLUSIVE_ACCESS), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
      assertGood(release(a, KEY_A, PrType.WRITE_EXCLUSIVE));
      assertFalse(rig.target.lun(0).reservation().isPresent());
      assertGood(write(b)); // plain WR_EX release: no unit attention for others
    }
  }

  @Test
  void registerRulesAndGenerationCounting() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 2);
      assertEquals(0, keys(a).generation());
      assertEquals(CONFLICT, a.prOut(PrOutServiceAction.REGISTER, null,
          PrOutParameterList.of(KEY_B, KEY_A)).status(), "unregistered with a key");
      assertGood(a.register(0)); // unregistered unregistering: GOOD, nothing
      assertEquals(0, keys(a).generation());
      assertGood(a.register(KEY_A)); // 1
      assertEquals(CONFLICT, a.prOut(PrOutServiceAction.REGISTER, null,
          PrOutParameterList.of(KEY_B, 5)).status(), "wrong key");
      assertGood(a.prOut(PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY, null,
          PrOutParameterList.of(0, 5))); // 2
      assertGood(a.prOut(PrOutServiceAction.REGISTER, null, PrOutParameterList.of(5, KEY_A))); // 3
      assertGood(b.register(KEY_B)); // 4
      assertGood(reserve(a, KEY_A, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY)); // no change
      assertGood(release(a, KEY_A, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY)); // no change
      assertEquals(4, keys(a).generation());
      // RELEASE of a registrants-only reservation tells the other registrants.
      assertCheck(b.tur(), SenseKey.UNIT_ATTENTION, Asc.RESERVATIONS_RELEASED);
      assertGood(a.tur());
      assertGood(reserve(a, KEY_A, PrType.WRITE_EXCLUSIVE)); // no change
      assertGood(b.prOut(PrOutServiceAction.PREEMPT, PrType.EXCLUSIVE_ACCESS,
          PrOutParameterList.of(KEY_B, KEY_A))); // 5
      assertEquals(5, keys(b).generation());
      assertCheck(a.tur(), SenseKey.UNIT_ATTENTION, Asc.REGISTRATIONS_PREEMPTED);
      assertGood(a.register(KEY_A)); // 6
      assertGood(b.prOut(PrOutServiceAction.CLEAR, null, PrOutParameterList.of(KEY_B, 0))); // 7
      assertEquals(7, keys(b).generation());
      assertEquals(List.of(), keys(b).keys());
      assertCheck(a.tur(), SenseKey.UNIT_ATTENTION, Asc.RESERVATIONS_PREEMPTED);
      assertGood(b.tur());
    }
  }

  @Test
  void preemptWithoutReservationRemovesMatchingRegistrations() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 1);
      assertGood(a.register(KEY_A));
      assertGood(b.register(KEY_B));
      assertEquals(CONFLICT, b.prOut(PrOutServiceAction.PREEMPT, PrType.WRITE_EXCLUSIVE,
          PrOutParameterList.of(KEY_B, 0x1234)).status(), "no registration has that key");
      assertCheck(b.prOut(PrOutServiceAction.PREEMPT, PrType.WRITE_EXCLUSIVE,
          PrOutParameterList.of(KEY_B, 0)), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      assertGood(b.prOut(PrOutServiceAction.PREEMPT, PrType.WRITE_EXCLUSIVE,
          PrOutParameterList.of(KEY_B, KEY_A)));
      assertEquals(List.of(KEY_B), keys(b).keys());
      assertFalse(rig.target.lun(0).reservation().isPresent());
    }
  }

  @Test
  void allRegistrantsReservationSurvivesUntilTheLastRegistrantLeaves() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 1);
      assertGood(a.register(KEY_A));
      assertGood(b.register(KEY_B));
      assertGood(reserve(a, KEY_A, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS));
      assertGood(reserve(b, KEY_B, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS)); // b is a holder
      assertGood(a.prOut(PrOutServiceAction.REGISTER, null, PrOutParameterList.of(KEY_A, 0)));
      assertTrue(rig.target.lun(0).reservation().isPresent());
      assertGood(b.prOut(PrOutServiceAction.REGISTER, null, PrOutParameterList.of(KEY_B, 0)));
      assertFalse(rig.target.lun(0).reservation().isPresent());
    }
  }

  @Test
  void reportCapabilities(@TempDir Path dir) {
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.builder(8).aptplFile(dir.resolve("pr")).build()))) {
      Host a = rig.login(HOST_A, 1);
      PrCapabilities c = PrCapabilities.decode(a.prIn(PrInServiceAction.REPORT_CAPABILITIES));
      assertTrue(c.atpC());
      assertFalse(c.sipC());
      assertFalse(c.ptplC(), "LUN 0 has no APTPL file");
      assertTrue(c.tmv());
      assertEquals(EnumSet.allOf(PrType.class), EnumSet.copyOf(c.supportedTypes()));
      byte[] d = a.dataIn(1, dev.mpath.scsi.proto.PersistentReserveInCdb.of(
          PrInServiceAction.REPORT_CAPABILITIES, 8).toBytes(), 8);
      assertTrue(PrCapabilities.decode(d).ptplC());
      assertFalse(PrCapabilities.decode(d).ptplA());
    }
  }

  @Test
  void aptplPersistsAndReloadsIntoANewTarget(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("lun0.pr");
    LuSpec spec = LuSpec.builder(64).aptplFile(file).build();
    try (Rig rig = new Rig(b -> b.lun(1, spec))) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 2);
      PrOutParameterList reg = PrOutParameterList.of(0, KEY_A).withAllTgPt(true).withAptpl(true);
      byte[] d = reg.encode();
      assertGood(a.run(1, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 24)
          .toBytes(), ByteBuffer.wrap(d), 24));
      d = PrOutParameterList.of(0, KEY_B).withAptpl(true).encode();
      assertGood(b.run(1, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 24)
          .toBytes(), ByteBuffer.wrap(d), 24));
      d = PrOutParameterList.of(KEY_A, 0).encode();
      assertGood(a.run(1, PersistentReserveOutCdb.of(PrOutServiceAction.RESERVE,
          PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, 24).toBytes(), ByteBuffer.wrap(d), 24));
      assertTrue(Files.exists(file));
      assertTrue(rig.target.lun(1).aptpl());
    }
    try (Rig rig = new Rig(b -> b.lun(1, spec))) {
      LogicalUnit lu = rig.target.lun(1);
      assertEquals(3, lu.registrations().size());
      assertEquals(Set.of(new PrRegistration(new Nexus(HOST_A, 1), KEY_A, true),
          new PrRegistration(new Nexus(HOST_A, 2), KEY_A, true),
          new PrRegistration(new Nexus(HOST_B, 2), KEY_B, false)),
          Set.copyOf(lu.registrations()));
      PrHolder h = lu.reservation().orElseThrow();
      assertEquals(new Nexus(HOST_A, 1), h.reservedBy());
      assertEquals(PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, h.type());
      assertEquals(2, lu.generation());
      assertTrue(lu.aptpl());
      // The reloaded reservation is enforced.
      Host outsider = rig.login("iqn.1994-05.com.example:host-c", 1);
      ScsiResponse r = outsider.run(1, new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0},
          ByteBuffer.allocate(BS), BS);
      assertEquals(CONFLICT, r.status());
      // A REGISTER with APTPL = 0 turns persistence off and removes the file.
      Host b = rig.login(HOST_B, 2);
      byte[] d = PrOutParameterList.of(KEY_B, KEY_B).encode();
      assertGood(b.run(1, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 24)
          .toBytes(), ByteBuffer.wrap(d), 24));
      assertFalse(Files.exists(file));
      assertFalse(rig.target.lun(1).aptpl());
    }
  }

  @Test
  void aptplWithoutAFileAndCorruptFiles(@TempDir Path dir) throws IOException {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      assertCheck(a.prOut(PrOutServiceAction.REGISTER, null,
          PrOutParameterList.of(0, KEY_A).withAptpl(true)), SenseKey.ILLEGAL_REQUEST,
          Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      assertEquals(List.of(), rig.target.lun(0).registrations());
    }
    Path bad = dir.resolve("bad.pr");
    Files.writeString(bad, "format=1\nreg=x 1 zz 0\n");
    LuSpec spec = LuSpec.builder(8).aptplFile(bad).build();
    ManualSchedulerHolder h = new ManualSchedulerHolder();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Rig.builder(h.s).port(1, 1).lun(0, spec).build());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  static final class ManualSchedulerHolder {
    final dev.mpath.testing.ManualScheduler s = new dev.mpath.testing.ManualScheduler();
  }

  @Test
  void badPrCdbsAndParameterLists() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      byte[] d = PrOutParameterList.of(0, KEY_A).encode();
      // PARAMETER LIST LENGTH other than 24.
      ScsiResponse r = a.run(0, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 20)
          .toBytes(), ByteBuffer.wrap(d), 20);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      r = a.run(0, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 0xFFFF_FFFFL)
          .toBytes(), ByteBuffer.wrap(d), 24);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      // 24 announced, fewer sent.
      r = a.run(0, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 24)
          .toBytes(), ByteBuffer.wrap(d), 10);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.PARAMETER_LIST_LENGTH_ERROR);
      // SPEC_I_PT is not supported.
      byte[] spec = d.clone();
      spec[20] = 0x08;
      r = a.run(0, PersistentReserveOutCdb.of(PrOutServiceAction.REGISTER, null, 24)
          .toBytes(), ByteBuffer.wrap(spec), 24);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_PARAMETER_LIST);
      // Reserved TYPE and SCOPE, unsupported service actions.
      assertGood(a.register(KEY_A));
      byte[] k = PrOutParameterList.of(KEY_A, 0).encode();
      r = a.run(0, new PersistentReserveOutCdb(1, 0, 2, 24, 0).toBytes(), ByteBuffer.wrap(k), 24);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      r = a.run(0, new PersistentReserveOutCdb(1, 1, 1, 24, 0).toBytes(), ByteBuffer.wrap(k), 24);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      for (int sa : new int[] {7, 8, 0x1F}) {
        r = a.run(0, new PersistentReserveOutCdb(sa, 0, 1, 24, 0).toBytes(), ByteBuffer.wrap(k),
            24);
        assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      }
      r = a.run(0, new dev.mpath.scsi.proto.PersistentReserveInCdb(9, 64, 0).toBytes(),
          ByteBuffer.allocate(64), 64);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertEquals(1, keys(a).generation(), "only the good REGISTER counted");
    }
  }

  @Test
  void prInTruncatesAtTheAllocationLength() {
    try (Rig rig = new Rig()) {
      Host a = rig.login(HOST_A, 1);
      Host b = rig.login(HOST_B, 1);
      assertGood(a.register(KEY_A));
      assertGood(b.register(KEY_B));
      ByteBuffer buf = ByteBuffer.allocate(12);
      ScsiResponse r = a.run(0, dev.mpath.scsi.proto.PersistentReserveInCdb.of(
          PrInServiceAction.READ_KEYS, 12).toBytes(), buf, 12);
      assertGood(r);
      assertEquals(12, r.dataTransferred());
      assertEquals(0, r.residual(), "the allocation length cut it: no overflow");
      assertEquals(16, ByteBuffer.wrap(buf.array()).getInt(4), "ADDITIONAL LENGTH stays full");
      // An allocation length beyond the expected length is an overflow.
      buf = ByteBuffer.allocate(12);
      r = a.run(0, dev.mpath.scsi.proto.PersistentReserveInCdb.of(
          PrInServiceAction.READ_KEYS, 64).toBytes(), buf, 12);
      assertGood(r);
      assertEquals(12, r.dataTransferred());
      assertEquals(-12, r.residual(), "24 bytes wanted, 12 expected");
      // And a longer expected length an underflow.
      buf = ByteBuffer.allocate(100);
      r = a.run(0, dev.mpath.scsi.proto.PersistentReserveInCdb.of(
          PrInServiceAction.READ_KEYS, 100).toBytes(), buf, 100);
      assertEquals(24, r.dataTransferred());
      assertEquals(76, r.residual());
    }
  }
}
