package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.ReportSupportedOperationCodesCdb;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The commands the logical unit's device server implements, each with its CDB USAGE DATA
 * (SPC-4 6.35.3: byte 0 the operation code, then a bit set for every CDB bit the device server
 * examines), and the REPORT SUPPORTED OPERATION CODES parameter data built from them. This
 * table is the one list of what is implemented: {@link AccessRules#implemented} asks it.
 *
 * <p>Immutable and thread-safe.
 */
final class SupportedCommands {
  /** One supported command: opcode, service action (-1: none), CDB usage data. */
  record Entry(int opcode, int serviceAction, byte[] usage, boolean alua) {
    boolean hasServiceAction() {
      return serviceAction >= 0;
    }
  }

  /** all_commands descriptor length, without and with a command timeouts descriptor. */
  static final int COMMAND_DESCRIPTOR = 8;
  static final int TIMEOUTS_DESCRIPTOR = 12;
  /** SUPPORT field (SPC-4 table 360): not supported, supported as the standard says. */
  static final int SUPPORT_NOT_SUPPORTED = 0b001;
  static final int SUPPORT_STANDARD = 0b011;

  // Usage data: RDPROTECT/WRPROTECT e0 + DPO 10 + FUA 08 = f8; (WRITE AND) VERIFY: e0 + DPO 10 +
  // BYTCHK 06 = f6; WRITE SAME: WRPROTECT e0 + ANCHOR 10 + UNMAP 08 (+ NDOB 01 in (16)).
  // CONTROL: 04 (NACA is checked; it must be 0). GROUP NUMBER: 1f.
  private static final List<Entry> ALL = List.of(
      e(OperationCode.TEST_UNIT_READY, "00 00 00 00 00 04"),
      e(OperationCode.REQUEST_SENSE, "03 01 00 00 ff 04"),
      e(OperationCode.READ_6, "08 1f ff ff ff 04"),
      e(OperationCode.WRITE_6, "0a 1f ff ff ff 04"),
      e(OperationCode.INQUIRY, "12 03 ff ff ff 04"),
      e(OperationCode.RESERVE_6, "16 00 00 00 00 04"),
      e(OperationCode.RELEASE_6, "17 00 00 00 00 04"),
      e(OperationCode.MODE_SENSE_6, "1a 00 ff ff ff 04"),
      e(OperationCode.READ_CAPACITY_10, "25 00 ff ff ff ff 00 00 01 04"),
      e(OperationCode.READ_10, "28 f8 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.WRITE_10, "2a f8 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.WRITE_AND_VERIFY_10, "2e f6 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.VERIFY_10, "2f f6 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.PRE_FETCH_10, "34 02 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.SYNCHRONIZE_CACHE_10, "35 02 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.WRITE_SAME_10, "41 f8 ff ff ff ff 1f ff ff 04"),
      e(OperationCode.UNMAP, "42 01 00 00 00 00 1f ff ff 04"),
      e(OperationCode.MODE_SENSE_10, "5a 00 ff ff 00 00 00 ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_IN, 0x00, "5e 1f 00 00 00 00 00 ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_IN, 0x01, "5e 1f 00 00 00 00 00 ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_IN, 0x02, "5e 1f 00 00 00 00 00 ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_IN, 0x03, "5e 1f 00 00 00 00 00 ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x00, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x01, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x02, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x03, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x04, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x05, "5f 1f ff 00 00 ff ff ff ff 04"),
      sa(OperationCode.PERSISTENT_RESERVE_OUT, 0x06, "5f 1f ff 00 00 ff ff ff ff 04"),
      e(OperationCode.READ_16, "88 f8 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.COMPARE_AND_WRITE, "89 f8 ff ff ff ff ff ff ff ff 00 00 00 ff 1f 04"),
      e(OperationCode.WRITE_16, "8a f8 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.ORWRITE_16, "8b f8 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.WRITE_AND_VERIFY_16, "8e f6 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.VERIFY_16, "8f f6 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.PRE_FETCH_16, "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.SYNCHRONIZE_CACHE_16, "91 02 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.WRITE_SAME_16, "93 f9 ff ff ff ff ff ff ff ff ff ff ff ff 1f 04"),
      sa(OperationCode.SERVICE_ACTION_IN_16, OperationCode.SA_READ_CAPACITY_16,
          "9e 1f ff ff ff ff ff ff ff ff ff ff ff ff 01 04"),
      sa(OperationCode.SERVICE_ACTION_IN_16, OperationCode.SA_GET_LBA_STATUS,
          "9e 1f ff ff ff ff ff ff ff ff ff ff ff ff 00 04"),
      e(OperationCode.REPORT_LUNS, "a0 00 ff 00 00 00 ff ff ff ff 00 04"),
      new Entry(OperationCode.MAINTENANCE_IN, AccessRules.SA_TARGET_PORT_GROUPS,
          usage("a3 ff 00 00 00 00 ff ff ff ff 00 04"), true),
      sa(OperationCode.MAINTENANCE_IN, OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES,
          "a3 1f 87 ff ff ff ff ff ff ff 00 04"),
      new Entry(OperationCode.MAINTENANCE_OUT, AccessRules.SA_TARGET_PORT_GROUPS,
          usage("a4 1f 00 00 00 00 ff ff ff ff 00 04"), true),
      e(OperationCode.READ_12, "a8 f8 ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.WRITE_12, "aa f8 ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.WRITE_AND_VERIFY_12, "ae f6 ff ff ff ff ff ff ff ff 1f 04"),
      e(OperationCode.VERIFY_12, "af f6 ff ff ff ff ff ff ff ff 1f 04"));

  /** Implemented opcodes, by opcode. */
  private static final boolean[] IMPLEMENTED = new boolean[256];

  static {
    for (Entry x : ALL) {
      IMPLEMENTED[x.opcode] = true;
    }
  }

  private SupportedCommands() {}

  private static Entry e(int opcode, String usage) {
    return new Entry(opcode, -1, usage(usage), false);
  }

  private static Entry sa(int opcode, int serviceAction, String usage) {
    return new Entry(opcode, serviceAction, usage(usage), false);
  }

  private static byte[] usage(String hex) {
    return HexFormat.ofDelimiter(" ").parseHex(hex);
  }

  /** Whether the device server implements {@code opcode} (some service action of it). */
  static boolean implemented(int opcode) {
    return IMPLEMENTED[opcode & 0xFF];
  }

  /** The commands reported: ALUA's only when the target has port groups. */
  static List<Entry> entries(boolean alua) {
    List<Entry> out = new ArrayList<>(ALL.size());
    for (Entry x : ALL) {
      if (alua || !x.alua) {
        out.add(x);
      }
    }
    return out;
  }

  /**
   * The full parameter data of REPORT SUPPORTED OPERATION CODES, or null when the CDB's
   * REPORTING OPTIONS or requested command is invalid for them (INVALID FIELD IN CDB).
   */
  static byte[] report(ReportSupportedOperationCodesCdb r, boolean alua) {
    List<Entry> entries = entries(alua);
    switch (r.reportingOptions()) {
      case ReportSupportedOperationCodesCdb.ALL:
        return allCommands(entries, r.rctd());
      case ReportSupportedOperationCodesCdb.ONE_OPCODE:
      case ReportSupportedOperationCodesCdb.ONE_SERVICE_ACTION:
      case ReportSupportedOperationCodesCdb.ONE_EITHER:
        return oneCommand(entries, r);
      default:
        return null;
    }
  }

  /** SPC-4 6.35.2: the all_commands parameter data. */
  private static byte[] allCommands(List<Entry> entries, boolean rctd) {
    int each = COMMAND_DESCRIPTOR + (rctd ? TIMEOUTS_DESCRIPTOR : 0);
    ByteBuffer b = ByteBuffer.allocate(4 + entries.size() * each);
    b.putInt(entries.size() * each); // COMMAND DATA LENGTH
    for (Entry x : entries) {
      b.put((byte) x.opcode).put((byte) 0).putShort((short) Math.max(0, x.serviceAction))
          .put((byte) 0)
          .put((byte) ((rctd ? 0x02 : 0) | (x.hasServiceAction() ? 0x01 : 0))) // CTDP, SERVACTV
          .putShort((short) x.usage.length); // CDB LENGTH
      if (rctd) {
        timeouts(b);
      }
    }
    return b.array();
  }

  /**
   * SPC-4 6.35.3: the one_command parameter data. 001b for an opcode with service actions and
   * 010b for one without are invalid; a command not implemented is reported with SUPPORT 001b.
   */
  private static byte[] oneCommand(List<Entry> entries, ReportSupportedOperationCodesCdb r) {
    int op = r.requestedOperationCode();
    boolean opHasServiceActions = false;
    Entry found = null;
    for (Entry x : entries) {
      if (x.opcode != op) {
        continue;
      }
      opHasServiceActions |= x.hasServiceAction();
      if (!x.hasServiceAction() || x.serviceAction == r.requestedServiceAction()) {
        found = x;
      }
    }
    int options = r.reportingOptions();
    if (options == ReportSupportedOperationCodesCdb.ONE_OPCODE && opHasServiceActions
        || options == ReportSupportedOperationCodesCdb.ONE_SERVICE_ACTION
            && found != null && !found.hasServiceAction()) {
      return null;
    }
    int usage = found == null ? 0 : found.usage.length;
    ByteBuffer b = ByteBuffer.allocate(4 + usage + (r.rctd() ? TIMEOUTS_DESCRIPTOR : 0));
    b.put((byte) 0)
        .put((byte) ((r.rctd() ? 0x80 : 0)
            | (found == null ? SUPPORT_NOT_SUPPORTED : SUPPORT_STANDARD))) // CTDP, SUPPORT
        .putShort((short) usage); // CDB SIZE
    if (found != null) {
      b.put(found.usage);
    }
    if (r.rctd()) {
      timeouts(b);
    }
    return b.array();
  }

  /**
   * SPC-4 6.35.4 command timeouts descriptor: DESCRIPTOR LENGTH 0Ah, and no timeouts
   * specified (0 in NOMINAL COMMAND PROCESSING TIMEOUT and RECOMMENDED COMMAND TIMEOUT).
   */
  private static void timeouts(ByteBuffer b) {
    b.putShort((short) 0x0A).put((byte) 0).put((byte) 0).putInt(0).putInt(0);
  }
}
