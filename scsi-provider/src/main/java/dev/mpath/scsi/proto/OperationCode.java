package dev.mpath.scsi.proto;

/**
 * SCSI operation codes (SPC-4 4.2.5 / SBC-3 command tables, SPC-4 Annex "operation codes")
 * and the facts about them a CDB parser needs: CDB length by group code and where the
 * SERVICE ACTION lives.
 */
public final class OperationCode {
  private OperationCode() {}

  // SPC-4 / SBC-3 operation codes.
  public static final int TEST_UNIT_READY = 0x00;
  public static final int REQUEST_SENSE = 0x03;
  public static final int READ_6 = 0x08;
  public static final int WRITE_6 = 0x0A;
  public static final int INQUIRY = 0x12;
  public static final int MODE_SELECT_6 = 0x15;
  public static final int RESERVE_6 = 0x16;
  public static final int RELEASE_6 = 0x17;
  public static final int MODE_SENSE_6 = 0x1A;
  public static final int START_STOP_UNIT = 0x1B;
  public static final int READ_CAPACITY_10 = 0x25;
  public static final int READ_10 = 0x28;
  public static final int WRITE_10 = 0x2A;
  public static final int WRITE_AND_VERIFY_10 = 0x2E;
  public static final int VERIFY_10 = 0x2F;
  public static final int PRE_FETCH_10 = 0x34;
  public static final int SYNCHRONIZE_CACHE_10 = 0x35;
  public static final int READ_DEFECT_DATA_10 = 0x37;
  public static final int WRITE_SAME_10 = 0x41;
  public static final int UNMAP = 0x42;
  public static final int MODE_SELECT_10 = 0x55;
  public static final int MODE_SENSE_10 = 0x5A;
  public static final int PERSISTENT_RESERVE_IN = 0x5E;
  public static final int PERSISTENT_RESERVE_OUT = 0x5F;
  public static final int VARIABLE_LENGTH = 0x7F;
  public static final int READ_16 = 0x88;
  public static final int COMPARE_AND_WRITE = 0x89;
  public static final int WRITE_16 = 0x8A;
  public static final int ORWRITE_16 = 0x8B;
  public static final int WRITE_AND_VERIFY_16 = 0x8E;
  public static final int VERIFY_16 = 0x8F;
  public static final int PRE_FETCH_16 = 0x90;
  public static final int SYNCHRONIZE_CACHE_16 = 0x91;
  public static final int WRITE_SAME_16 = 0x93;
  public static final int SERVICE_ACTION_IN_16 = 0x9E;
  public static final int SERVICE_ACTION_OUT_16 = 0x9F;
  public static final int REPORT_LUNS = 0xA0;
  public static final int MAINTENANCE_IN = 0xA3;
  public static final int MAINTENANCE_OUT = 0xA4;
  public static final int READ_12 = 0xA8;
  public static final int WRITE_12 = 0xAA;
  public static final int WRITE_AND_VERIFY_12 = 0xAE;
  public static final int VERIFY_12 = 0xAF;
  public static final int READ_DEFECT_DATA_12 = 0xB7;

  /** SERVICE ACTION IN (16) service action READ CAPACITY (16) (SBC-3). */
  public static final int SA_READ_CAPACITY_16 = 0x10;

  /** SERVICE ACTION IN (16) service action GET LBA STATUS (SBC-3 5.16). */
  public static final int SA_GET_LBA_STATUS = 0x12;

  /** MAINTENANCE IN service action REPORT SUPPORTED OPERATION CODES (SPC-4 6.35). */
  public static final int SA_REPORT_SUPPORTED_OPERATION_CODES = 0x0C;

  /** Largest CDB this package parses (SAM-5: a CDB is at most 260 bytes). */
  public static final int MAX_CDB_LENGTH = 260;

  /**
   * CDB length implied by the GROUP CODE (top three bits of the opcode, SPC-4 4.2.5.1):
   * group 0 = 6 bytes, 1 and 2 = 10, 4 = 16, 5 = 12; -1 for group 3 (reserved / variable
   * length, see {@link #VARIABLE_LENGTH}) and the vendor-specific groups 6 and 7.
   */
  public static int cdbLength(int opcode) {
    switch ((opcode & 0xFF) >>> 5) {
      case 0:
        return 6;
      case 1:
      case 2:
        return 10;
      case 4:
        return 16;
      case 5:
        return 12;
      default:
        return -1;
    }
  }

  /**
   * Whether the opcode carries a 5-bit SERVICE ACTION in byte 1 bits 4:0 (PERSISTENT RESERVE
   * IN/OUT, SERVICE ACTION IN/OUT (16), MAINTENANCE IN/OUT).
   */
  public static boolean hasServiceActionInByte1(int opcode) {
    switch (opcode) {
      case PERSISTENT_RESERVE_IN:
      case PERSISTENT_RESERVE_OUT:
      case SERVICE_ACTION_IN_16:
      case SERVICE_ACTION_OUT_16:
      case MAINTENANCE_IN:
      case MAINTENANCE_OUT:
        return true;
      default:
        return false;
    }
  }

  /** The command's name as SPC-4/SBC-3 spell it, or {@code "OPCODE xxh"}. */
  public static String name(int opcode) {
    switch (opcode) {
      case TEST_UNIT_READY: return "TEST UNIT READY";
      case REQUEST_SENSE: return "REQUEST SENSE";
      case INQUIRY: return "INQUIRY";
      case MODE_SELECT_6: return "MODE SELECT (6)";
      case RESERVE_6: return "RESERVE (6)";
      case RELEASE_6: return "RELEASE (6)";
      case MODE_SENSE_6: return "MODE SENSE (6)";
      case START_STOP_UNIT: return "START STOP UNIT";
      case READ_CAPACITY_10: return "READ CAPACITY (10)";
      case READ_6: return "READ (6)";
      case WRITE_6: return "WRITE (6)";
      case READ_10: return "READ (10)";
      case WRITE_10: return "WRITE (10)";
      case WRITE_AND_VERIFY_10: return "WRITE AND VERIFY (10)";
      case VERIFY_10: return "VERIFY (10)";
      case PRE_FETCH_10: return "PRE-FETCH (10)";
      case SYNCHRONIZE_CACHE_10: return "SYNCHRONIZE CACHE (10)";
      case READ_DEFECT_DATA_10: return "READ DEFECT DATA (10)";
      case WRITE_SAME_10: return "WRITE SAME (10)";
      case UNMAP: return "UNMAP";
      case MODE_SELECT_10: return "MODE SELECT (10)";
      case MODE_SENSE_10: return "MODE SENSE (10)";
      case PERSISTENT_RESERVE_IN: return "PERSISTENT RESERVE IN";
      case PERSISTENT_RESERVE_OUT: return "PERSISTENT RESERVE OUT";
      case VARIABLE_LENGTH: return "VARIABLE LENGTH";
      case READ_16: return "READ (16)";
      case COMPARE_AND_WRITE: return "COMPARE AND WRITE";
      case WRITE_16: return "WRITE (16)";
      case ORWRITE_16: return "ORWRITE (16)";
      case WRITE_AND_VERIFY_16: return "WRITE AND VERIFY (16)";
      case VERIFY_16: return "VERIFY (16)";
      case PRE_FETCH_16: return "PRE-FETCH (16)";
      case SYNCHRONIZE_CACHE_16: return "SYNCHRONIZE CACHE (16)";
      case WRITE_SAME_16: return "WRITE SAME (16)";
      case SERVICE_ACTION_IN_16: return "SERVICE ACTION IN (16)";
      case SERVICE_ACTION_OUT_16: return "SERVICE ACTION OUT (16)";
      case REPORT_LUNS: return "REPORT LUNS";
      case MAINTENANCE_IN: return "MAINTENANCE IN";
      case MAINTENANCE_OUT: return "MAINTENANCE OUT";
      case READ_12: return "READ (12)";
      case WRITE_12: return "WRITE (12)";
      case WRITE_AND_VERIFY_12: return "WRITE AND VERIFY (12)";
      case VERIFY_12: return "VERIFY (12)";
      case READ_DEFECT_DATA_12: return "READ DEFECT DATA (12)";
      default: return "OPCODE " + Bytes.hex2(opcode);
    }
  }
}
