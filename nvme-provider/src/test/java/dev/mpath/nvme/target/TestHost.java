package dev.mpath.nvme.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.nvme.proto.ActiveNamespaceList;
import dev.mpath.nvme.proto.AnaLogPage;
import dev.mpath.nvme.proto.AsyncEventRequestCommand;
import dev.mpath.nvme.proto.ChangedNamespaceList;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.KeepAliveCommand;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeReservationType;
import dev.mpath.nvme.proto.ReadWriteCommand;
import dev.mpath.nvme.proto.ReservationAcquireCommand;
import dev.mpath.nvme.proto.ReservationAcquireData;
import dev.mpath.nvme.proto.ReservationRegisterCommand;
import dev.mpath.nvme.proto.ReservationRegisterData;
import dev.mpath.nvme.proto.ReservationReleaseCommand;
import dev.mpath.nvme.proto.ReservationReleaseData;
import dev.mpath.nvme.proto.ReservationReportCommand;
import dev.mpath.nvme.proto.ReservationStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.nvme.target.RecordingSink.Cqe;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A test host on one controller: submits through the contract, pumps the rig, takes the CQE. */
final class TestHost {

  /** Fills an SQE for a CID (the proto builders have this shape). */
  @FunctionalInterface
  interface Fill {
    SubmissionQueueEntry fill(SubmissionQueueEntry sqe, int cid);
  }

  final TargetRig rig;
  final TargetController ctrl;
  final RecordingSink admin = new RecordingSink();
  final Map<Integer, RecordingSink> io = new HashMap<>();
  private int nextCid = 1;

  TestHost(TargetRig rig, int port, UUID hostId, int katoMillis) throws NvmeConnectException {
    this.rig = rig;
    this.ctrl = rig.subsystem.connect(
        port, "nqn.2014-08.org.nvmexpress:uuid:" + hostId, hostId, katoMillis, admin);
  }

  int cntlid() {
    return ctrl.cntlid();
  }

  void enable() {
    ctrl.propertySet(TargetController.PROP_CC, 4, TargetController.CC_EN | 6 << 16 | 4 << 20);
  }

  RecordingSink connectIo(int qid, int entries) {
    RecordingSink s = new RecordingSink();
    ctrl.connectIoQueue(qid, entries, s);
    io.put(qid, s);
    return s;
  }

  RecordingSink sink(int qid) {
    return qid == 0 ? admin : io.get(qid);
  }

  /** Submits without running anything; returns the CID. */
  int submit(int qid, Fill f, ByteBuffer data) {
    int cid = nextCid++ & 0xFFFF;
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    f.fill(sqe, cid);
    ctrl.submit(qid, sqe, data);
    return cid;
  }

  Cqe admin(Fill f, ByteBuffer data) {
    int cid = submit(0, f, data);
    rig.pump();
    return admin.take(cid);
  }

  Cqe io(Fill f, ByteBuffer data) {
    int cid = submit(1, f, data);
    rig.pump();
    return io.get(1).take(cid);
  }

  // ---- admin helpers ----

  ByteBuffer identify(int cns, int nsid, int cntid) {
    ByteBuffer buf = ByteBuffer.allocate(IdentifyCommand.DATA_LENGTH);
    Cqe c = admin((s, cid) -> IdentifyCommand.fill(s, cid, nsid, cns, cntid, 0, 0), buf);
    assertTrue(c.ok(), () -> "identify CNS " + cns + " nsid " + nsid + ": " + c);
    return buf;
  }

  IdentifyController identifyController() throws NvmeProtocolException {
    return IdentifyController.decode(identify(IdentifyCommand.CNS_CONTROLLER, 0, 0));
  }

  IdentifyNamespace identifyNamespace(int nsid) throws NvmeProtocolException {
    return IdentifyNamespace.decode(identify(IdentifyCommand.CNS_NAMESPACE, nsid, 0));
  }

  List<Integer> activeNamespaces(int after) throws NvmeProtocolException {
    return ActiveNamespaceList.decode(identify(IdentifyCommand.CNS_ACTIVE_NAMESPACE_LIST, after, 0))
        .nsids();
  }

  AnaLogPage anaLog(boolean rgo, boolean rae) throws NvmeProtocolException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    Cqe c = admin((s, cid) -> GetLogPageCommand.anaLog(s, cid, 4096, rgo, rae), buf);
    assertTrue(c.ok(), () -> "ANA log: " + c);
    return AnaLogPage.decode(buf);
  }

  ChangedNamespaceList changedNamespaces(boolean rae) throws NvmeProtocolException {
    ByteBuffer buf = ByteBuffer.allocate(ChangedNamespaceList.LENGTH);
    Cqe c = admin((s, cid) -> GetLogPageCommand.changedNamespaceList(s, cid, rae), buf);
    assertTrue(c.ok(), () -> "changed namespace list: " + c);
    return ChangedNamespaceList.decode(buf);
  }

  Cqe keepAlive() {
    return admin(KeepAliveCommand::fill, null);
  }

  /** Submits an Asynchronous Event Request; returns its CID (it stays outstanding). */
  int aer() {
    int cid = submit(0, AsyncEventRequestCommand::fill, null);
    rig.pump();
    return cid;
  }

  // ---- I/O helpers ----

  Cqe write(int nsid, long slba, byte[] bytes, int blocks) {
    return io((s, cid) -> ReadWriteCommand.write(s, cid, nsid, slba, blocks, false),
        ByteBuffer.wrap(bytes));
  }

  Cqe read(int nsid, long slba, ByteBuffer into, int blocks) {
    return io((s, cid) -> ReadWriteCommand.read(s, cid, nsid, slba, blocks), into);
  }

  byte[] readOk(int nsid, long slba, int blocks, int blockSize) {
    ByteBuffer buf = ByteBuffer.allocate(blocks * blockSize);
    Cqe c = read(nsid, slba, buf, blocks);
    assertTrue(c.ok(), () -> "read: " + c);
    return buf.array();
  }

  Cqe register(int nsid, int rrega, boolean iekey, int cptpl, long crkey, long nrkey) {
    return io((s, cid) -> ReservationRegisterCommand.fill(s, cid, nsid, rrega, iekey, cptpl),
        ByteBuffer.wrap(new ReservationRegisterData(crkey, nrkey).toBytes()));
  }

  Cqe register(int nsid, long key) {
    return register(nsid, ReservationRegisterCommand.RREGA_REGISTER, false, 0, 0, key);
  }

  Cqe acquire(int nsid, int racqa, NvmeReservationType type, long crkey, long prkey) {
    return io((s, cid) -> ReservationAcquireCommand.fill(s, cid, nsid, racqa, false, type),
        ByteBuffer.wrap(new ReservationAcquireData(crkey, prkey).toBytes()));
  }

  Cqe release(int nsid, int rrela, NvmeReservationType type, long crkey) {
    return io((s, cid) -> ReservationReleaseCommand.fill(s, cid, nsid, rrela, false, type),
        ByteBuffer.wrap(new ReservationReleaseData(crkey).toBytes()));
  }

  ReservationStatus report(int nsid, boolean eds, int length) throws NvmeProtocolException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    Cqe c = io((s, cid) -> ReservationReportCommand.fill(s, cid, nsid, length, eds), buf);
    assertEquals(0, c.code(), () -> "report: " + c);
    return ReservationStatus.decode(buf, eds);
  }
}
