package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.ControllerList;
import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.NamespaceIdDescriptorList;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubsystemTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @Test
  void connectAssignsDynamicControllerIdsNeverReusedWhileLive() throws Exception {
    TestHost a = rig.connect(1, HOST_A, 0);
    TestHost b = rig.connect(2, HOST_A, 0);
    TestHost c = rig.connect(3, HOST_B, 0);
    assertEquals(List.of(1, 2, 3), List.of(a.cntlid(), b.cntlid(), c.cntlid()));
    assertEquals(1, a.ctrl.port());
    assertEquals(HOST_B, c.ctrl.hostId());
    assertTrue(c.ctrl.hostNqn().contains(HOST_B.toString()));

    b.ctrl.disconnect();
    assertFalse(b.ctrl.isLive());
    TestHost d = rig.connect(2, HOST_A, 0);
    assertEquals(4, d.cntlid());
    assertEquals(List.of(1, 3, 4),
        rig.subsystem.controllers().stream().map(TargetController::cntlid).toList());
    assertEquals(List.of(1, 2, 3), rig.subsystem.ports());
    // a host-initiated disconnect does not call the sinks
    rig.pump();
    assertEquals(List.of(), b.admin.disconnects());
  }

  @Test
  void connectRefusalsAreTyped() throws Exception {
    NvmeConnectException e = assertThrows(NvmeConnectException.class, () -> rig.connect(0, HOST_A, 0));
    assertEquals(NvmeConnectException.Reason.UNKNOWN_PORT, e.reason());
    e = assertThrows(NvmeConnectException.class, () -> rig.connect(4, HOST_A, 0));
    assertEquals(NvmeConnectException.Reason.UNKNOWN_PORT, e.reason());

    rig.subsystem.faults(2).kill();
    e = assertThrows(NvmeConnectException.class, () -> rig.connect(2, HOST_A, 0));
    assertEquals(NvmeConnectException.Reason.PORT_DISABLED, e.reason());
    rig.subsystem.faults(2).revive();
    rig.connect(2, HOST_A, 0);

    rig.subsystem.close();
    e = assertThrows(NvmeConnectException.class, () -> rig.connect(1, HOST_A, 0));
    assertEquals(NvmeConnectException.Reason.SUBSYSTEM_CLOSED, e.reason());
    assertThrows(IllegalArgumentException.class,
        () -> rig.subsystem.connect(1, "h", HOST_A, -1, new RecordingSink()));
  }

  @Test
  void propertiesEnableAndShutdown() throws Exception {
    TestHost h = rig.connect(1, HOST_A, 0);
    long cap = h.ctrl.propertyGet(TargetController.PROP_CAP, 8);
    assertEquals(1023, cap & 0xFFFF, "MQES");
    assertEquals(1, cap >>> 16 & 1, "CQR");
    assertEquals(1, cap >>> 37 & 1, "CSS NVM");
    assertEquals(0x0002_0000L, h.ctrl.propertyGet(TargetController.PROP_VS, 4));
    assertEquals(0, h.ctrl.propertyGet(TargetController.PROP_CSTS, 4));

    // nothing but Fabrics commands before CC.EN
    Cqe early = h.admin((s, cid) -> IdentifyCommand.controller(s, cid), ByteBuffer.allocate(4096));
    assertEquals(NvmeStatus.COMMAND_SEQUENCE_ERROR.code(), early.code());
    assertTrue(early.dnr());

    h.enable();
    assertEquals(TargetController.CSTS_RDY, h.ctrl.propertyGet(TargetController.PROP_CSTS, 4));
    assertTrue(h.ctrl.isReady());
    assertTrue(h.admin((s, cid) -> IdentifyCommand.controller(s, cid), ByteBuffer.allocate(4096)).ok());

    // shutdown notification: SHST complete
    long cc = h.ctrl.propertyGet(TargetController.PROP_CC, 4);
    h.ctrl.propertySet(TargetController.PROP_CC, 4, cc | 1 << TargetController.CC_SHN_SHIFT);
    assertEquals(TargetController.CSTS_SHST_COMPLETE,
        h.ctrl.propertyGet(TargetController.PROP_CSTS, 4) & TargetController.CSTS_SHST_MASK);
    // reset: RDY drops
    h.ctrl.propertySet(TargetController.PROP_CC, 4, 0);
    assertEquals(0, h.ctrl.propertyGet(TargetController.PROP_CSTS, 4) & TargetController.CSTS_RDY);

    assertThrows(IllegalArgumentException.class, () -> h.ctrl.propertyGet(0x40, 4));
    assertThrows(IllegalArgumentException.class, () -> h.ctrl.propertyGet(TargetController.PROP_CAP, 4));
    assertThrows(IllegalArgumentException.class, () -> h.ctrl.propertySet(TargetController.PROP_CSTS, 4, 1));
    h.ctrl.disconnect();
    assertThrows(IllegalStateException.class, () -> h.ctrl.propertyGet(TargetController.PROP_VS, 4));
  }

  @Test
  void propertyGetAndSetAsFabricsCommands() throws Exception {
    TestHost h = rig.connect(1, HOST_A, 0);
    // Property Set CC.EN = 1: FCTYPE 00h in byte 4, ATTRIB size 4, OFST, VALUE
    Cqe set = h.admin((s, cid) -> s.clear().opcode(AdminOpcode.FABRICS).cid(cid)
        .nsid(TargetController.FCTYPE_PROPERTY_SET).cdw10(0).cdw11(TargetController.PROP_CC)
        .cdw12(1), null);
    assertTrue(set.ok(), set::toString);
    assertTrue(h.ctrl.isReady());
    Cqe get = h.admin((s, cid) -> s.clear().opcode(AdminOpcode.FABRICS).cid(cid)
        .nsid(TargetController.FCTYPE_PROPERTY_GET).cdw10(1).cdw11(TargetController.PROP_CAP),
        null);
    assertTrue(get.ok());
    long cap = (get.dw0() & 0xFFFF_FFFFL) | (long) get.dw1() << 32;
    assertEquals(h.ctrl.propertyGet(TargetController.PROP_CAP, 8), cap);
    Cqe bad = h.admin((s, cid) -> s.clear().opcode(AdminOpcode.FABRICS).cid(cid)
        .nsid(TargetController.FCTYPE_PROPERTY_GET).cdw10(0).cdw11(0x999), null);
    assertEquals(NvmeStatus.INVALID_FIELD.code(), bad.code());
  }

  @Test
  void identifyControllerFieldByField() throws Exception {
    rig.connect(1, HOST_B, 0); // cntlid 1
    TestHost h = rig.host(2, HOST_A); // cntlid 2
    IdentifyController id = h.identifyController();
    assertEquals(0, id.vid());
    assertEquals(0, id.ssvid());
    assertEquals("MPATHSEED0001", id.sn());
    assertEquals("mpath seed subsystem", id.mn());
    assertEquals("1.0", id.fr());
    assertEquals(IdentifyController.CMIC_MULTI_PORT | IdentifyController.CMIC_MULTI_CONTROLLER
        | IdentifyController.CMIC_ANA_REPORTING, id.cmic());
    assertEquals(0x0B, id.cmic());
    assertEquals(8, id.mdts());
    assertEquals(2, id.cntlid());
    assertEquals(IdentifyController.version(2, 0, 0), id.ver());
    assertEquals(IdentifyController.OAES_ANA_CHANGE_NOTICES
        | IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES, id.oaes());
    assertEquals(IdentifyController.CTRATT_HOST_ID_128, id.ctratt() & IdentifyController.CTRATT_HOST_ID_128);
    assertEquals(IdentifyController.CNTRLTYPE_IO, id.cntrltype());
    assertEquals(3, id.aerl());
    assertEquals(1, id.kas());
    assertEquals(10, id.anatt());
    assertEquals(0x5F, id.anacap(), "O, NO, I, PL, C and ANAGRPID static");
    assertEquals(2, id.anagrpmax());
    assertEquals(2, id.nanagrpid());
    assertEquals(0x66, id.sqes());
    assertEquals(0x44, id.cqes());
    assertEquals(2, id.nn());
    assertEquals(IdentifyController.ONCS_DATASET_MANAGEMENT | IdentifyController.ONCS_WRITE_ZEROES
        | IdentifyController.ONCS_RESERVATIONS, id.oncs());
    assertTrue(id.reservationsSupported());
    assertTrue(id.anaReporting());
    assertEquals(IdentifyController.VWC_PRESENT, id.vwc() & 1);
    assertEquals(TargetRig.NQN, id.subnqn());
    assertEquals((64 + 8192) / 16, id.ioccsz(), "SQE + the default 8 KiB of in-capsule data");
    assertEquals(1, id.iorcsz());
    assertEquals(IdentifyController.LPA_EXTENDED_DATA, id.lpa());
  }

  @Test
  void identifyNamespaceFieldByField() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p3 = rig.host(3, HOST_A);
    IdentifyNamespace ns1 = p1.identifyNamespace(1);
    assertEquals(TargetRig.NS1_BLOCKS, ns1.nsze());
    assertEquals(TargetRig.NS1_BLOCKS, ns1.ncap());
    assertEquals(512, ns1.blockSize());
    assertTrue(ns1.shared());
    assertEquals(1, ns1.anagrpid());
    assertArrayEquals(TargetRig.NGUID1, ns1.nguid());
    assertArrayEquals(new byte[8], ns1.eui64());
    assertEquals(0xFF, ns1.rescap(), "every type, PTPL, IEKEY");
    assertEquals(0x09, ns1.dlfeat());

    IdentifyNamespace ns2 = p3.identifyNamespace(2);
    assertEquals(TargetRig.NS2_BLOCKS, ns2.nsze());
    assertEquals(4096, ns2.blockSize());
    assertFalse(ns2.shared());
    assertEquals(2, ns2.anagrpid());
    assertArrayEquals(TargetRig.EUI2, ns2.eui64());

    // not attached to the port-1 controller: all zeros
    ByteBuffer zeros = p1.identify(IdentifyCommand.CNS_NAMESPACE, 2, 0);
    assertArrayEquals(new byte[4096], zeros.array());
    // NSID 0 and above NN: Invalid Namespace or Format, DNR
    for (int nsid : new int[] {0, 3}) {
      Cqe c = p1.admin((s, cid) -> IdentifyCommand.namespace(s, cid, nsid), ByteBuffer.allocate(4096));
      assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), c.code());
      assertTrue(c.dnr());
    }
  }

  @Test
  void activeNamespaceListsFollowSharedAndPrivateAttachment() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    TestHost p3 = rig.host(3, HOST_A);
    TestHost p3second = rig.host(3, HOST_B);
    assertEquals(List.of(1), p1.activeNamespaces(0));
    assertEquals(List.of(1), p2.activeNamespaces(0));
    assertEquals(List.of(1, 2), p3.activeNamespaces(0));
    assertEquals(List.of(2), p3.activeNamespaces(1));
    assertEquals(List.of(), p3.activeNamespaces(2));
    // ns2 is private: the second controller on port 3 does not get it
    assertEquals(List.of(1), p3second.activeNamespaces(0));
    assertEquals(List.of(1, 2), p3.ctrl.attachedNamespaces());
    assertEquals(List.of(p3.cntlid()), rig.subsystem.attachedControllers(2));

    Cqe bad = p1.admin((s, cid) -> IdentifyCommand.activeNamespaces(s, cid, -1), ByteBuffer.allocate(4096));
    assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), bad.code());
  }

  @Test
  void namespaceIdentificationDescriptors() throws Exception {
    TestHost p3 = rig.host(3, HOST_A);
    NamespaceIdDescriptorList d1 = NamespaceIdDescriptorList.decode(
        p3.identify(IdentifyCommand.CNS_NAMESPACE_ID_DESCRIPTORS, 1, 0));
    assertArrayEquals(TargetRig.NGUID1, d1.nguid().orElseThrow());
    assertTrue(d1.eui64().isEmpty());
    assertTrue(d1.uuid().isEmpty());
    assertEquals(0, d1.csi().orElseThrow());

    NamespaceIdDescriptorList d2 = NamespaceIdDescriptorList.decode(
        p3.identify(IdentifyCommand.CNS_NAMESPACE_ID_DESCRIPTORS, 2, 0));
    assertArrayEquals(TargetRig.EUI2, d2.eui64().orElseThrow());
    assertEquals(TargetRig.UUID2, d2.uuid().orElseThrow());
    assertTrue(d2.nguid().isEmpty());
    assertEquals(0, d2.csi().orElseThrow());

    TestHost p1 = rig.host(1, HOST_B);
    Cqe inactive = p1.admin(
        (s, cid) -> IdentifyCommand.namespaceIdDescriptors(s, cid, 2), ByteBuffer.allocate(4096));
    assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), inactive.code());
  }

  @Test
  void identifiersAreDerivedWhenNoneGiven() throws Exception {
    byte[][] nguids = new byte[3][];
    UUID[] uuids = new UUID[3];
    String[] nqns = {"nqn.2014-08.dev.mpath:x", "nqn.2014-08.dev.mpath:x", "nqn.2014-08.dev.mpath:y"};
    for (int i = 0; i < 3; i++) {
      String nqn = nqns[i];
      try (TargetRig r = TargetRig.custom(
          sch -> NvmeSubsystem.builder(nqn, sch).namespace(NamespaceSpec.of(7, 64)))) {
        TestHost h = r.connect(1, HOST_A, 0);
        h.enable();
        NamespaceIdDescriptorList d = NamespaceIdDescriptorList.decode(
            h.identify(IdentifyCommand.CNS_NAMESPACE_ID_DESCRIPTORS, 7, 0));
        nguids[i] = d.nguid().orElseThrow();
        uuids[i] = d.uuid().orElseThrow();
        assertEquals(7, h.identifyController().nn());
        assertEquals(20, h.identifyController().sn().length(), "derived serial");
      }
    }
    assertArrayEquals(nguids[0], nguids[1], "stable across restarts");
    assertEquals(uuids[0], uuids[1]);
    assertFalse(java.util.Arrays.equals(nguids[0], nguids[2]), "distinct across subsystems");
    assertNotEquals(uuids[0], uuids[2]);
  }

  @Test
  void controllerLists() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    rig.host(2, HOST_A);
    TestHost p3 = rig.host(3, HOST_B);
    rig.host(3, HOST_B);
    assertEquals(List.of(1, 2, 3, 4), ControllerList.decode(
        p1.identify(IdentifyCommand.CNS_CONTROLLER_LIST, 0, 0)).controllerIds());
    assertEquals(List.of(3, 4), ControllerList.decode(
        p1.identify(IdentifyCommand.CNS_CONTROLLER_LIST, 0, 3)).controllerIds());
    assertEquals(List.of(1, 2, 3, 4), ControllerList.decode(
        p1.identify(IdentifyCommand.CNS_ATTACHED_CONTROLLER_LIST, 1, 0)).controllerIds());
    assertEquals(List.of(p3.cntlid()), ControllerList.decode(
        p1.identify(IdentifyCommand.CNS_ATTACHED_CONTROLLER_LIST, 2, 0)).controllerIds());
    Cqe unknown = p1.admin((s, cid) -> IdentifyCommand.attachedControllers(s, cid, 9, 0),
        ByteBuffer.allocate(4096));
    assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), unknown.code());
  }

  @Test
  void unknownOpcodeAndCnsAreRejectedWithDnr() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    Cqe op = h.admin((s, cid) -> s.clear().opcode(AdminOpcode.FORMAT_NVM).cid(cid), null);
    assertEquals(NvmeStatus.INVALID_OPCODE.code(), op.code());
    assertTrue(op.dnr());
    Cqe cns = h.admin((s, cid) -> IdentifyCommand.fill(s, cid, 0, 0x55, 0, 0, 0), ByteBuffer.allocate(4096));
    assertEquals(NvmeStatus.INVALID_FIELD.code(), cns.code());
    assertTrue(cns.dnr());
    // the completion carries CID, SQID 0 and an advancing SQHD
    assertEquals(0, cns.sqid());
    assertTrue(cns.sqhd() > 0);
  }

  @Test
  void identifyIntoAShortBufferTransfersWhatFits() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    ByteBuffer small = ByteBuffer.allocate(100);
    small.position(10);
    Cqe c = h.admin((s, cid) -> IdentifyCommand.controller(s, cid), small);
    assertTrue(c.ok());
    assertEquals(10, small.position(), "the host's position never moves");
    assertEquals('M', small.get(10 + IdentifyController.SN_OFFSET));
  }

  @Test
  void features() throws Exception {
    TestHost h = rig.host(1, HOST_A);
    Cqe nq = h.admin((s, cid) -> FeatureCommand.setFeatures(s, cid, 0,
        FeatureCommand.FID_NUMBER_OF_QUEUES, false, FeatureCommand.numberOfQueues(8, 200)), null);
    assertTrue(nq.ok());
    assertEquals(7, nq.dw0() & 0xFFFF, "NSQA");
    assertEquals(63, nq.dw0() >>> 16, "NCQA capped at 64 queues");
    Cqe get = h.admin((s, cid) -> FeatureCommand.getFeatures(s, cid, 0,
        FeatureCommand.FID_NUMBER_OF_QUEUES, 0, 0), null);
    assertEquals(nq.dw0(), get.dw0());

    ByteBuffer hostId = ByteBuffer.allocate(16);
    Cqe hid = h.admin((s, cid) -> FeatureCommand.getFeatures(s, cid, 0,
        FeatureCommand.FID_HOST_IDENTIFIER, 0, 1), hostId);
    assertTrue(hid.ok());
    assertEquals(HOST_A, new UUID(hostId.getLong(0), hostId.getLong(8)));

    Cqe save = h.admin((s, cid) -> FeatureCommand.setFeatures(s, cid, 0,
        FeatureCommand.FID_KEEP_ALIVE_TIMER, true, 1000), null);
    assertEquals(NvmeStatus.FEATURE_ID_NOT_SAVEABLE.code(), save.code());
    Cqe unknown = h.admin((s, cid) -> FeatureCommand.getFeatures(s, cid, 0,
        FeatureCommand.FID_ARBITRATION, 0, 0), null);
    assertEquals(NvmeStatus.INVALID_FIELD.code(), unknown.code());
    assertEquals(SubmissionQueueEntry.LENGTH, 64);
  }
}
