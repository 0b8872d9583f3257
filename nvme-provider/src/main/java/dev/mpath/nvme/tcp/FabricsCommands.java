package dev.mpath.nvme.tcp;

import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * NVMe over Fabrics commands the transport itself issues and serves (NVMe base 2.0, 6.3
 * Connect, 6.5 Property Get, 6.6 Property Set). SQE byte 4 is FCTYPE; the Connect data
 * (1024 bytes) carries HOSTID (bytes 15:0), CNTLID (17:16), SUBNQN (511:256) and HOSTNQN
 * (767:512), NQNs NUL-terminated UTF-8.
 */
public final class FabricsCommands {
  private FabricsCommands() {}

  public static final int OPCODE = AdminOpcode.FABRICS;
  public static final int FCTYPE_PROPERTY_SET = 0x00;
  public static final int FCTYPE_CONNECT = 0x01;
  public static final int FCTYPE_PROPERTY_GET = 0x04;

  /** The well-known discovery subsystem NQN (NVMe base 2.0, 4.5 NVMe Qualified Names). */
  public static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";

  /** Connect data length. */
  public static final int CONNECT_DATA_LENGTH = 1024;
  public static final int CD_HOSTID = 0;
  public static final int CD_CNTLID = 16;
  public static final int CD_SUBNQN = 256;
  public static final int CD_HOSTNQN = 512;
  public static final int NQN_FIELD = 256;
  /** CNTLID 0xFFFF in the Connect data of an admin queue: dynamic controller model. */
  public static final int CNTLID_DYNAMIC = 0xFFFF;
  /** CATTR bit 2: the host disables SQ flow control (SQHD need not be reported). */
  public static final int CATTR_DISABLE_SQ_FLOW_CONTROL = 0x04;

  /** Connect status codes (SCT 1): Incompatible Format, Controller Busy, Invalid Parameters. */
  public static final int SC_CONNECT_INCOMPATIBLE_FORMAT = 0x80;
  public static final int SC_CONNECT_CONTROLLER_BUSY = 0x81;
  public static final int SC_CONNECT_INVALID_PARAMETERS = 0x82;
  public static final int SC_CONNECT_INVALID_HOST = 0x84;

  /** FCTYPE (SQE byte 4) of a Fabrics command. */
  public static int fctype(SubmissionQueueEntry sqe) {
    return sqe.nsid() & 0xFF;
  }

  /** Status field of a Connect command-specific status, DNR set. */
  public static int connectStatus(int sc) {
    return NvmeStatus.field(1, sc, 0, false, true);
  }

  /** DW0 of a Connect Invalid Parameters completion: IPO (15:0), IATTR (bit 16: in data). */
  public static int invalidParameter(boolean inData, int offset) {
    return (inData ? 1 << 16 : 0) | (offset & 0xFFFF);
  }

  /**
   * Fills a Connect SQE: QID (CDW10 31:16), RECFMT 0, SQSIZE 0's based (CDW11 15:0), CATTR
   * (CDW11 23:16), KATO ms (CDW12), SGL1 describing {@code 1024} bytes of in-capsule data.
   */
  public static void connect(SubmissionQueueEntry sqe, int cid, int qid, int sqsize0, int cattr,
      int kato) {
    sqe.clear().opcode(OPCODE).psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_BUFFER).cid(cid);
    sqe.nsid(FCTYPE_CONNECT);
    sqe.cdw10(qid << 16);
    sqe.cdw11(sqsize0 & 0xFFFF | (cattr & 0xFF) << 16);
    sqe.cdw12(kato);
    sqe.sglDataBlock(0, CONNECT_DATA_LENGTH, SubmissionQueueEntry.SGL_ID_DATA_BLOCK_OFFSET);
  }

  /** The 1024 bytes of Connect data. */
  public static ByteBuffer connectData(UUID hostId, int cntlid, String subNqn, String hostNqn) {
    ByteBuffer b = ByteBuffer.allocate(CONNECT_DATA_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    b.order(ByteOrder.BIG_ENDIAN);
    b.putLong(CD_HOSTID, hostId.getMostSignificantBits());
    b.putLong(CD_HOSTID + 8, hostId.getLeastSignificantBits());
    b.order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(CD_CNTLID, (short) cntlid);
    putNqn(b, CD_SUBNQN, subNqn);
    putNqn(b, CD_HOSTNQN, hostNqn);
    return b;
  }

  private static void putNqn(ByteBuffer b, int off, String nqn) {
    byte[] v = nqn.getBytes(StandardCharsets.UTF_8);
    if (v.length >= NQN_FIELD) {
      throw new IllegalArgumentException("NQN longer than 255 bytes: " + nqn);
    }
    b.put(off, v);
  }

  /** Host identifier of Connect data (absolute, from the buffer's position). */
  public static UUID hostId(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(ByteOrder.BIG_ENDIAN);
    int p = data.position();
    return new UUID(b.getLong(p + CD_HOSTID), b.getLong(p + CD_HOSTID + 8));
  }

  /** CNTLID of Connect data. */
  public static int cntlid(ByteBuffer data) {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return b.getShort(data.position() + CD_CNTLID) & 0xFFFF;
  }

  /** The NUL-terminated NQN at {@code off} of Connect data, or null when it has no NUL. */
  public static String nqn(ByteBuffer data, int off) {
    int p = data.position() + off;
    for (int i = 0; i < NQN_FIELD; i++) {
      if (data.get(p + i) == 0) {
        byte[] v = new byte[i];
        data.get(p, v);
        return new String(v, StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Fills a Property Get SQE: ATTRIB size (CDW10 bits 2:0: 0 = 4 bytes, 1 = 8), OFST (CDW11). */
  public static void propertyGet(SubmissionQueueEntry sqe, int cid, int offset, int size) {
    sqe.clear().opcode(OPCODE).psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_BUFFER).cid(cid);
    sqe.nsid(FCTYPE_PROPERTY_GET);
    sqe.cdw10(size == 8 ? 1 : 0);
    sqe.cdw11(offset);
    sqe.sglDataBlock(0, 0, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
  }

  /** Fills a Property Set SQE: ATTRIB, OFST, VALUE (CDW12-13). */
  public static void propertySet(SubmissionQueueEntry sqe, int cid, int offset, int size,
      long value) {
    sqe.clear().opcode(OPCODE).psdt(SubmissionQueueEntry.PSDT_SGL_MPTR_BUFFER).cid(cid);
    sqe.nsid(FCTYPE_PROPERTY_SET);
    sqe.cdw10(size == 8 ? 1 : 0);
    sqe.cdw11(offset);
    sqe.cdw12((int) value);
    sqe.cdw13((int) (value >>> 32));
    sqe.sglDataBlock(0, 0, SubmissionQueueEntry.SGL_ID_TRANSPORT_DATA_BLOCK);
  }
}
