package dev.mpath.scsi.proto;

/**
 * A command descriptor block, decoded.
 *
 * <p>Each command this package knows is a record implementing this interface with its fields
 * named as SPC-4/SBC-3 name them; every record can {@link #toBytes() encode} itself and has a
 * static {@code decode}. {@link #parse(byte[], int, int)} is the generic entry point a target
 * uses: it looks at the OPERATION CODE (and SERVICE ACTION where there is one) and returns the
 * matching record, or a {@link GenericCdb} that still tells opcode, service action and control
 * byte for anything else (MAINTENANCE IN/OUT, MODE SENSE, ...).
 *
 * <p>Input may be longer than the CDB (an iSCSI SCSI Command PDU carries a 16-byte CDB field,
 * so a 6-byte INQUIRY arrives zero padded): only the CDB's own length is read. Shorter input
 * than the opcode's CDB length is a {@link ScsiProtocolException}. Parsing checks structure
 * only: a reserved service action or PR type decodes fine and is the device server's to
 * reject with ILLEGAL REQUEST / INVALID FIELD IN CDB.
 */
public sealed interface Cdb
    permits InquiryCdb, TestUnitReadyCdb, ReadCapacity16Cdb, ReadWriteCdb, SynchronizeCacheCdb,
        ReportLunsCdb, UnmapCdb, PersistentReserveInCdb, PersistentReserveOutCdb, VerifyCdb,
        WriteSameCdb, CompareAndWriteCdb, PreFetchCdb, GetLbaStatusCdb,
        ReportSupportedOperationCodesCdb, GenericCdb {

  /** CONTROL byte bit 2: NACA (SAM-5 5.2). */
  int CONTROL_NACA = 0x04;

  /** OPERATION CODE, byte 0. */
  int opcode();

  /** SERVICE ACTION, or -1 when the command has none. */
  default int serviceAction() {
    return -1;
  }

  /** CONTROL byte (last byte of fixed-length CDBs). */
  int control();

  /** The CDB's encoded length in bytes. */
  default int length() {
    return OperationCode.cdbLength(opcode());
  }

  /** Encodes the CDB (exactly {@link #length()} bytes). */
  byte[] toBytes();

  /** The command name, e.g. {@code "READ (16)"}. */
  default String commandName() {
    return OperationCode.name(opcode());
  }

  /** {@link #parse(byte[], int, int)} over the whole array. */
  static Cdb parse(byte[] cdb) {
    return parse(cdb, 0, cdb.length);
  }

  /**
   * Decodes the CDB in {@code b[off, off+len)}.
   *
   * @throws ScsiProtocolException if {@code len} is shorter than the opcode's CDB length
   */
  static Cdb parse(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("CDB", 1, len);
    int op = Bytes.u8(b, off);
    switch (op) {
      case OperationCode.TEST_UNIT_READY:
        return TestUnitReadyCdb.decode(b, off, len);
      case OperationCode.INQUIRY:
        return InquiryCdb.decode(b, off, len);
      case OperationCode.READ_10:
      case OperationCode.WRITE_10:
      case OperationCode.READ_16:
      case OperationCode.WRITE_16:
        return ReadWriteCdb.decode(b, off, len);
      case OperationCode.SYNCHRONIZE_CACHE_10:
      case OperationCode.SYNCHRONIZE_CACHE_16:
        return SynchronizeCacheCdb.decode(b, off, len);
      case OperationCode.REPORT_LUNS:
        return ReportLunsCdb.decode(b, off, len);
      case OperationCode.UNMAP:
        return UnmapCdb.decode(b, off, len);
      case OperationCode.PERSISTENT_RESERVE_IN:
        return PersistentReserveInCdb.decode(b, off, len);
      case OperationCode.PERSISTENT_RESERVE_OUT:
        return PersistentReserveOutCdb.decode(b, off, len);
      case OperationCode.SERVICE_ACTION_IN_16:
        Bytes.need("SERVICE ACTION IN (16) CDB", 2, len);
        if ((b[off + 1] & 0x1F) == OperationCode.SA_READ_CAPACITY_16) {
          return ReadCapacity16Cdb.decode(b, off, len);
        }
        if ((b[off + 1] & 0x1F) == OperationCode.SA_GET_LBA_STATUS) {
          return GetLbaStatusCdb.decode(b, off, len);
        }
        return GenericCdb.decode(b, off, len);
      case OperationCode.MAINTENANCE_IN:
        Bytes.need("MAINTENANCE IN CDB", 2, len);
        if ((b[off + 1] & 0x1F) == OperationCode.SA_REPORT_SUPPORTED_OPERATION_CODES) {
          return ReportSupportedOperationCodesCdb.decode(b, off, len);
        }
        return GenericCdb.decode(b, off, len);
      case OperationCode.VERIFY_10:
      case OperationCode.VERIFY_12:
      case OperationCode.VERIFY_16:
      case OperationCode.WRITE_AND_VERIFY_10:
      case OperationCode.WRITE_AND_VERIFY_12:
      case OperationCode.WRITE_AND_VERIFY_16:
        return VerifyCdb.decode(b, off, len);
      case OperationCode.WRITE_SAME_10:
      case OperationCode.WRITE_SAME_16:
        return WriteSameCdb.decode(b, off, len);
      case OperationCode.COMPARE_AND_WRITE:
        return CompareAndWriteCdb.decode(b, off, len);
      case OperationCode.PRE_FETCH_10:
      case OperationCode.PRE_FETCH_16:
        return PreFetchCdb.decode(b, off, len);
      default:
        return GenericCdb.decode(b, off, len);
    }
  }
}
