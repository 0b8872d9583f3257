package dev.mpath.scsi.target;

import static dev.mpath.scsi.target.Rig.HOST_A;
import static dev.mpath.scsi.target.Rig.assertCheck;
import static dev.mpath.scsi.target.Rig.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.alua.AluaState;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.Association;
import dev.mpath.scsi.proto.BlockLimitsVpd;
import dev.mpath.scsi.proto.Designator;
import dev.mpath.scsi.proto.DesignatorType;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.Peripheral;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.ReportLunsData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.scsi.proto.SupportedVpdPages;
import dev.mpath.scsi.proto.UnitSerialNumberVpd;
import dev.mpath.scsi.proto.VpdPage;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class InquiryTest {

  @Test
  void standardInquiryReportsSpc4AluaAndIdentity() {
    try (Rig rig = new Rig(b -> b.vendor("ACME").product("FastDisk").revision("1.2"))) {
      Host h = rig.login(HOST_A, 1);
      StandardInquiryData d = StandardInquiryData.decode(h.inquiry(-1));
      assertEquals(Peripheral.DISK, d.peripheral());
      assertEquals(StandardInquiryData.VERSION_SPC4, d.version());
      assertTrue(d.hisup());
      assertEquals(2, d.responseDataFormat());
      assertEquals(Tpgs.BOTH.code(), d.tpgs());
      assertTrue(d.multip(), "two ports: MULTIP");
      assertEquals("ACME", d.vendorId());
      assertEquals("FastDisk", d.productId());
      assertEquals("1.2", d.revision());
      assertTrue(d.versionDescriptors().contains(0x0460), "SPC-4 version descriptor");
    }
  }

  @Test
  void tpgsBitsFollowTheTargetMode() {
    try (Rig rig = new Rig(b -> b.tpgs(Tpgs.IMPLICIT))) {
      Host h = rig.login(HOST_A, 1);
      assertEquals(Tpgs.IMPLICIT, Tpgs.fromInquiry(h.inquiry(-1)));
    }
    try (Rig rig = new Rig(b -> b.tpgs(Tpgs.NONE))) {
      Host h = rig.login(HOST_A, 2);
      assertEquals(Tpgs.NONE, Tpgs.fromInquiry(h.inquiry(-1)));
      // No ALUA: port 2's non-optimized group does not matter, no port group designator.
      DeviceIdentificationVpd vpd =
          DeviceIdentificationVpd.decode(h.inquiry(0x83), 0, h.inquiry(0x83).length);
      assertFalse(vpd.targetPortGroupId().isPresent());
    }
  }

  @Test
  void shortAllocationLengthTruncates() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      ByteBuffer buf = ByteBuffer.allocate(36);
      ScsiResponse r = h.run(0, InquiryCdb.standard(36).toBytes(), buf, 36);
      assertGood(r);
      assertEquals(36, r.dataTransferred());
      assertEquals(0, r.residual());
      assertEquals("MPATH", StandardInquiryData.decode(buf.array()).vendorId());
    }
  }

  @Test
  void deviceIdentificationDiffersPerPortButNotPerLogicalUnit() {
    try (Rig rig = new Rig()) {
      Host p1 = rig.login(HOST_A, 1);
      Host p2 = rig.login(HOST_A, 2);
      byte[] b1 = p1.inquiry(0x83);
      byte[] b2 = p2.inquiry(0x83);
      DeviceIdentificationVpd v1 = (DeviceIdentificationVpd) VpdPage.decode(b1);
      DeviceIdentificationVpd v2 = (DeviceIdentificationVpd) VpdPage.decode(b2);

      assertEquals(1, v1.relativeTargetPortId().getAsInt());
      assertEquals(2, v2.relativeTargetPortId().getAsInt());
      assertEquals(1, v1.targetPortGroupId().getAsInt());
      assertEquals(2, v2.targetPortGroupId().getAsInt());

      Designator naa1 = v1.find(Association.LOGICAL_UNIT, DesignatorType.NAA).orElseThrow();
      Designator naa2 = v2.find(Association.LOGICAL_UNIT, DesignatorType.NAA).orElseThrow();
      assertEquals(naa1, naa2);
      assertEquals(6, naa1.naaType());
      String wwid = naa1.wwid().orElseThrow();
      assertTrue(wwid.startsWith("naa.6001405"), wwid);
      assertEquals(rig.target.lun(0).wwid(), wwid);

      Designator device = v1.find(Association.TARGET_DEVICE, DesignatorType.SCSI_NAME_STRING)
          .orElseThrow();
      assertEquals(Rig.NAME, device.text().orElseThrow());
      Designator port = v2.find(Association.TARGET_PORT, DesignatorType.SCSI_NAME_STRING)
          .orElseThrow();
      assertEquals(Rig.NAME + ",t,0x0002", port.text().orElseThrow());
    }
  }

  @Test
  void identityIsDeterministicAndDistinctPerLun() {
    try (Rig a = new Rig(b -> b.lun(1, LuSpec.of(64, 4096)));
        Rig b = new Rig(x -> x.lun(1, LuSpec.of(64, 4096)))) {
      assertEquals(a.target.lun(0).wwid(), b.target.lun(0).wwid());
      assertNotEquals(a.target.lun(0).wwid(), a.target.lun(1).wwid());
      assertNotEquals(a.target.lun(0).serialNumber(), a.target.lun(1).serialNumber());
    }
    byte[] naa = new byte[16];
    naa[0] = 0x60;
    naa[15] = 0x42;
    try (Rig rig = new Rig(b -> b.lun(3, LuSpec.builder(8).naa(naa).serialNumber("SN42").build()))) {
      assertArrayEquals(naa, rig.target.lun(3).naa());
      Host h = rig.login(HOST_A, 1);
      byte[] page = h.dataIn(3, InquiryCdb.vpd(0x80, 255).toBytes(), 255);
      assertEquals("SN42", UnitSerialNumberVpd.decode(page, 0, page.length).serialNumber());
    }
  }

  @Test
  void vpdPagesListSerialAndBlockLimits() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      SupportedVpdPages pages = (SupportedVpdPages) VpdPage.decode(h.inquiry(0x00));
      assertEquals(List.of(0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2), pages.pageCodes());
      UnitSerialNumberVpd serial = (UnitSerialNumberVpd) VpdPage.decode(h.inquiry(0x80));
      assertEquals(rig.target.lun(0).serialNumber(), serial.serialNumber());
      BlockLimitsVpd limits = (BlockLimitsVpd) VpdPage.decode(h.inquiry(0xB0));
      assertEquals(8L * 1024 * 1024 / Rig.BS, limits.maxTransferLength());
      // 2^20 blocks per UNMAP: within the bound libiscsi's Inquiry.BlockLimits checks
      assertEquals(1L << 20, limits.maxUnmapLbaCount());
      assertEquals(ProvisioningCommands.MAX_UNMAP_DESCRIPTORS, limits.maxUnmapBlockDescriptorCount());
      byte[] lbp = h.inquiry(0xB2);
      assertEquals(0x80, lbp[5] & 0x80, "LBPU");
    }
  }

  @Test
  void unsupportedPageAndBadCdbFieldsAreInvalidFieldInCdb() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      ScsiResponse r = h.run(0, InquiryCdb.vpd(0xC7, 255).toBytes(), ByteBuffer.allocate(255), 255);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertEquals(2, r.senseData().orElseThrow().senseKeySpecific() & 0xFFFF, "field pointer");
      assertTrue(r.senseData().orElseThrow().sksv());
      // EVPD = 0 with a page code.
      r = h.run(0, new InquiryCdb(false, 0x83, 255, 0).toBytes(), ByteBuffer.allocate(255), 255);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void absentLunAnswersInquiryWithQualifier3AndRefusesTheRest() {
    try (Rig rig = new Rig()) {
      Host h = rig.login(HOST_A, 1);
      byte[] d = h.dataIn(7, InquiryCdb.standard(96).toBytes(), 96);
      assertEquals(Peripheral.NO_LOGICAL_UNIT, StandardInquiryData.decode(d).peripheral());
      ScsiResponse r = h.run(7, ReadCapacity16Cdb.of(32).toBytes(), ByteBuffer.allocate(32), 32);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LOGICAL_UNIT_NOT_SUPPORTED);
      r = h.run(-1, new byte[6], null, 0);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.LOGICAL_UNIT_NOT_SUPPORTED);
    }
  }

  @Test
  void reportLunsListsEveryLunThroughAnyLun() {
    try (Rig rig = new Rig(b -> b.lun(5, LuSpec.of(16, 512)).lun(300, LuSpec.of(16, 512)))) {
      Host h = rig.login(HOST_A, 2);
      for (int lun : new int[] {0, 9}) {
        byte[] d = h.dataIn(lun, ReportLunsCdb.of(4096).toBytes(), 4096);
        assertEquals(List.of(Lun.of(0), Lun.of(5), Lun.of(300)), ReportLunsData.decode(d).luns());
      }
      ScsiResponse r = h.run(0, ReportLunsCdb.of(8).toBytes(), ByteBuffer.allocate(8), 8);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
      assertEquals(List.of(0, 5, 300), rig.target.luns());
    }
  }

  @Test
  void readCapacity16And10() {
    try (Rig rig = new Rig(b -> b.lun(1, LuSpec.of(100_000, 4096)))) {
      Host h = rig.login(HOST_A, 1);
      ReadCapacity16Data d = ReadCapacity16Data.decode(
          h.dataIn(1, ReadCapacity16Cdb.of(32).toBytes(), 32));
      assertEquals(100_000, d.blockCount());
      assertEquals(4096, d.logicalBlockLength());
      assertTrue(d.lbpme());
      assertTrue(d.lbprz());
      byte[] rc10 = new byte[10];
      rc10[0] = 0x25;
      ByteBuffer b = ByteBuffer.wrap(h.dataIn(0, rc10, 8));
      assertEquals(Rig.BLOCKS - 1, b.getInt());
      assertEquals(Rig.BS, b.getInt());
      // LBA without PMI is an invalid field.
      ScsiResponse r = h.run(0, new ReadCapacity16Cdb(5, 32, false, 0).toBytes(),
          ByteBuffer.allocate(32), 32);
      assertCheck(r, SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB);
    }
  }

  @Test
  void aluaStateDoesNotHideIdentity() {
    try (Rig rig = new Rig(b -> b.portGroup(2, AluaState.UNAVAILABLE))) {
      Host h = rig.login(HOST_A, 2);
      DeviceIdentificationVpd v = (DeviceIdentificationVpd) VpdPage.decode(h.inquiry(0x83));
      assertEquals(2, v.relativeTargetPortId().getAsInt());
    }
  }
}
