package dev.mpath.scsi.target;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.PersistentReserveInCdb;
import dev.mpath.scsi.proto.PersistentReserveOutCdb;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.PrOutParameterList;
import dev.mpath.scsi.proto.PrOutServiceAction;
import dev.mpath.scsi.proto.PrType;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.TestUnitReadyCdb;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A recording {@link ResponseSink} plus one session: the initiator side of the tests. */
final class Host implements ResponseSink {
  final Rig rig;
  Session session;
  final Map<Long, ScsiResponse> responses = new LinkedHashMap<>();
  final List<Long> order = new ArrayList<>();
  final List<String> disconnects = new ArrayList<>();
  final List<String> threads = new ArrayList<>();
  private long nextTag = 1;

  private Host(Rig rig) {
    this.rig = rig;
  }

  static Host login(Rig rig, String initiator, int port) {
    Host h = new Host(rig);
    try {
      h.session = rig.target.login(initiator, port, h);
    } catch (ScsiTargetException e) {
      throw new AssertionError(e);
    }
    return h;
  }

  @Override
  public synchronized void complete(long tag, ScsiResponse response) {
    responses.put(tag, response);
    order.add(tag);
    threads.add(Thread.currentThread().getName());
  }

  @Override
  public synchronized void disconnected(String reason) {
    disconnects.add(reason);
  }

  Nexus nexus() {
    return session.nexus();
  }

  long submit(int lun, byte[] cdb, ByteBuffer data, int length) {
    long tag = nextTag++;
    session.execute(tag, lun, cdb, data, length);
    return tag;
  }

  /** Submits, checks nothing came back on the submitter's stack, runs the target, returns. */
  ScsiResponse run(int lun, byte[] cdb, ByteBuffer data, int length) {
    long tag = submit(lun, cdb, data, length);
    assertFalse(responses.containsKey(tag), "answered on the submitter's stack");
    rig.runDue();
    ScsiResponse r = responses.get(tag);
    assertNotNull(r, "no answer for tag " + tag);
    return r;
  }

  ScsiResponse noData(int lun, byte[] cdb) {
    return run(lun, cdb, null, 0);
  }

  ScsiResponse tur() {
    return noData(0, new TestUnitReadyCdb().toBytes());
  }

  /** Runs a data-in command with a buffer of {@code alloc} bytes; returns the bytes moved. */
  byte[] dataIn(int lun, byte[] cdb, int alloc) {
    ByteBuffer buf = ByteBuffer.allocate(alloc);
    ScsiResponse r = run(lun, cdb, buf, alloc);
    Rig.assertGood(r);
    return Arrays.copyOf(buf.array(), r.dataTransferred());
  }

  byte[] inquiry(int page) {
    return dataIn(0, page < 0 ? InquiryCdb.standard(255).toBytes()
        : InquiryCdb.vpd(page, 4096).toBytes(), page < 0 ? 255 : 4096);
  }

  ScsiResponse write(int lun, long lba, byte[] data) {
    byte[] cdb = ReadWriteCdb.write10(lba, data.length / Rig.BS).toBytes();
    return run(lun, cdb, ByteBuffer.wrap(data), data.length);
  }

  ScsiResponse read(int lun, long lba, ByteBuffer into) {
    byte[] cdb = ReadWriteCdb.read10(lba, into.remaining() / Rig.BS).toBytes();
    return run(lun, cdb, into, into.remaining());
  }

  byte[] readBlocks(long lba, int blocks) {
    ByteBuffer b = ByteBuffer.allocate(blocks * Rig.BS);
    Rig.assertGood(read(0, lba, b));
    return b.array();
  }

  ScsiResponse prOut(PrOutServiceAction action, PrType type, PrOutParameterList list) {
    byte[] d = list.encode();
    return run(0, PersistentReserveOutCdb.of(action, type, d.length).toBytes(),
        ByteBuffer.wrap(d), d.length);
  }

  ScsiResponse register(long key) {
    return prOut(PrOutServiceAction.REGISTER, null, PrOutParameterList.of(0, key));
  }

  byte[] prIn(PrInServiceAction action) {
    return dataIn(0, PersistentReserveInCdb.of(action, 8192).toBytes(), 8192);
  }
}
