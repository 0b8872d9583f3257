package dev.mpath.nvme.target;

import static dev.mpath.nvme.target.TargetRig.HOST_A;
import static dev.mpath.nvme.target.TargetRig.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.AsyncEvent;
import dev.mpath.nvme.proto.ChangedNamespaceList;
import dev.mpath.nvme.proto.ControllerList;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NamespaceAttachmentCommand;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttachmentTest {

  private final TargetRig rig = new TargetRig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  private static ByteBuffer controllers(Integer... ids) {
    return ByteBuffer.wrap(new ControllerList(List.of(ids)).toBytes());
  }

  private Cqe attachCommand(TestHost via, int nsid, int sel, ByteBuffer list) {
    return via.admin((s, cid) -> NamespaceAttachmentCommand.fill(s, cid, nsid, sel), list);
  }

  @Test
  void runtimeDetachRaisesNoticeAndChangedNamespaceList() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    int aer1 = p1.aer();
    int aer2 = p2.aer();
    rig.subsystem.detach(1, p1.cntlid());
    rig.pump();
    Cqe ev = p1.admin.take(aer1);
    AsyncEvent e = AsyncEvent.fromDw0(ev.dw0());
    assertTrue(e.isNamespaceAttributeChanged());
    assertEquals(LogPageId.CHANGED_NAMESPACE_LIST, e.logPageId());
    assertFalse(p2.admin.has(aer2), "only the affected controller is told");

    assertEquals(List.of(), p1.activeNamespaces(0));
    assertArrayEquals(new byte[4096], p1.identify(IdentifyCommand.CNS_NAMESPACE, 1, 0).array());
    Cqe io = p1.read(1, 0, ByteBuffer.allocate(512), 1);
    assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(), io.code());
    assertTrue(p2.read(1, 0, ByteBuffer.allocate(512), 1).ok());

    ChangedNamespaceList changed = p1.changedNamespaces(false);
    assertEquals(List.of(1), changed.nsids());
    assertEquals(List.of(), p1.changedNamespaces(false).nsids(), "cleared by the read");
    assertEquals(List.of(p2.cntlid()), rig.subsystem.attachedControllers(1));

    rig.subsystem.attach(1, p1.cntlid());
    rig.pump();
    assertEquals(List.of(1), p1.activeNamespaces(0));
    assertEquals(List.of(1), p1.changedNamespaces(false).nsids());
  }

  @Test
  void changedListIsKeptWhileRaeIsSet() throws Exception {
    TestHost p3 = rig.host(3, HOST_A);
    rig.subsystem.detach(2, p3.cntlid());
    rig.subsystem.detach(1, p3.cntlid());
    rig.pump();
    assertEquals(List.of(1, 2), p3.changedNamespaces(true).nsids());
    assertEquals(List.of(1, 2), p3.changedNamespaces(true).nsids());
    // notice masked until read with RAE cleared
    int aer = p3.aer();
    assertTrue(AsyncEvent.fromDw0(p3.admin.take(aer).dw0()).isNamespaceAttributeChanged());
    int aer2 = p3.aer();
    rig.subsystem.attach(1, p3.cntlid());
    rig.pump();
    assertFalse(p3.admin.has(aer2));
    assertEquals(List.of(1, 2), p3.changedNamespaces(false).nsids());
    rig.subsystem.attach(2, p3.cntlid());
    rig.pump();
    assertTrue(p3.admin.has(aer2));
    assertEquals(List.of(2), p3.changedNamespaces(false).nsids());
  }

  @Test
  void namespaceAttachmentCommand() throws Exception {
    TestHost admin = rig.host(1, HOST_A);
    TestHost p2 = rig.host(2, HOST_A);
    TestHost p3 = rig.host(3, HOST_B);
    TestHost p3b = rig.host(3, HOST_B);
    int aer = p2.aer();

    assertTrue(attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_DETACH,
        controllers(p2.cntlid())).ok());
    rig.pump();
    assertTrue(AsyncEvent.fromDw0(p2.admin.take(aer).dw0()).isNamespaceAttributeChanged());
    assertEquals(List.of(), p2.activeNamespaces(0));

    Cqe again = attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_DETACH,
        controllers(p2.cntlid()));
    assertEquals(NvmeStatus.NAMESPACE_NOT_ATTACHED.code(), again.code());
    assertTrue(again.dnr());

    assertTrue(attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(p2.cntlid())).ok());
    assertEquals(List.of(1), p2.activeNamespaces(0));
    Cqe twice = attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(p2.cntlid()));
    assertEquals(NvmeStatus.NAMESPACE_ALREADY_ATTACHED.code(), twice.code());

    // ns2 is private and attached to p3: attaching it to another controller fails
    Cqe priv = attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(p3b.cntlid()));
    assertEquals(NvmeStatus.NAMESPACE_IS_PRIVATE.code(), priv.code());
    assertTrue(attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_DETACH,
        controllers(p3.cntlid())).ok());
    Cqe two = attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(p3.cntlid(), p3b.cntlid()));
    assertEquals(NvmeStatus.NAMESPACE_IS_PRIVATE.code(), two.code());
    assertTrue(attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(p3b.cntlid())).ok());
    assertEquals(List.of(p3b.cntlid()), ControllerList.decode(
        admin.identify(IdentifyCommand.CNS_ATTACHED_CONTROLLER_LIST, 2, 0)).controllerIds());
    // a private namespace may go to a controller on another port
    assertTrue(attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_DETACH,
        controllers(p3b.cntlid())).ok());
    assertTrue(attachCommand(admin, 2, NamespaceAttachmentCommand.SEL_ATTACH,
        controllers(admin.cntlid())).ok());
    assertEquals(List.of(1, 2), admin.activeNamespaces(0));

    // all or nothing: one bad id spoils the list
    Cqe unknown = attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_DETACH,
        controllers(p3.cntlid(), 99));
    assertEquals(NvmeStatus.CONTROLLER_LIST_INVALID.code(), unknown.code());
    assertEquals(List.of(1), p3.activeNamespaces(0));
    assertEquals(NvmeStatus.CONTROLLER_LIST_INVALID.code(),
        attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_DETACH, controllers()).code());
    ByteBuffer lying = ByteBuffer.allocate(4);
    lying.putShort(0, (short) 2000);
    assertEquals(NvmeStatus.CONTROLLER_LIST_INVALID.code(),
        attachCommand(admin, 1, NamespaceAttachmentCommand.SEL_DETACH, lying).code());
    assertEquals(NvmeStatus.INVALID_FIELD.code(),
        attachCommand(admin, 1, 2, controllers(p3.cntlid())).code());
    assertEquals(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.code(),
        attachCommand(admin, 5, 0, controllers(p3.cntlid())).code());
  }

  @Test
  void portLevelConvenience() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    TestHost p3 = rig.host(3, HOST_A);
    rig.subsystem.detachEverywhere(2);
    assertEquals(List.of(1), p3.activeNamespaces(0));
    assertEquals(List.of(), rig.subsystem.attachedControllers(2));
    rig.subsystem.attachPorts(2, Set.of(1));
    assertEquals(List.of(1, 2), p1.activeNamespaces(0));
    // a new controller on port 3 no longer gets ns2; a new one on port 1 would, but it is private
    TestHost p3new = rig.host(3, HOST_B);
    assertEquals(List.of(1), p3new.activeNamespaces(0));
    TestHost p1new = rig.host(1, HOST_B);
    assertEquals(List.of(1), p1new.activeNamespaces(0));
    assertThrows(IllegalStateException.class, () -> rig.subsystem.attachPorts(2, Set.of(3)));

    rig.subsystem.detachPorts(1, Set.of(1));
    assertEquals(List.of(2), p1.activeNamespaces(0));
    assertEquals(List.of(), p1new.activeNamespaces(0));
    assertEquals(List.of(1), p3.activeNamespaces(0));
  }

  @Test
  void apiErrors() throws Exception {
    TestHost p1 = rig.host(1, HOST_A);
    assertThrows(IllegalArgumentException.class, () -> rig.subsystem.attach(9, p1.cntlid()));
    assertThrows(IllegalArgumentException.class, () -> rig.subsystem.attach(1, 99));
    assertThrows(IllegalStateException.class, () -> rig.subsystem.attach(1, p1.cntlid()));
    assertThrows(IllegalStateException.class, () -> rig.subsystem.detach(2, p1.cntlid()));
  }
}
