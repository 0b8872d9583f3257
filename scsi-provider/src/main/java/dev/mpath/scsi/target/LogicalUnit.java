package dev.mpath.scsi.target;

import dev.mpath.alua.AluaProtocolException;
import dev.mpath.alua.AluaState;
import dev.mpath.alua.ReportTargetPortGroupsCdb;
import dev.mpath.alua.SetTargetPortGroupsCdb;
import dev.mpath.alua.StpgRejectedException;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.BlockLimitsVpd;
import dev.mpath.scsi.proto.Cdb;
import dev.mpath.scsi.proto.CompareAndWriteCdb;
import dev.mpath.scsi.proto.Designator;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.GetLbaStatusCdb;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.Peripheral;
import dev.mpath.scsi.proto.PersistentReserveInCdb;
import dev.mpath.scsi.proto.PersistentReserveOutCdb;
import dev.mpath.scsi.proto.PreFetchCdb;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.PrOutParameterList;
import dev.mpath.scsi.proto.PrOutServiceAction;
import dev.mpath.scsi.proto.PrType;
import dev.mpath.scsi.proto.RawVpdPage;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadWriteCdbFlyweight;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.ReportSupportedOperationCodesCdb;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.SupportedVpdPages;
import dev.mpath.scsi.proto.SynchronizeCacheCdb;
import dev.mpath.scsi.proto.UnitSerialNumberVpd;
import dev.mpath.scsi.proto.UnmapCdb;
import dev.mpath.scsi.proto.VerifyCdb;
import dev.mpath.scsi.proto.VpdPage;
import dev.mpath.scsi.proto.WriteSameCdb;
import dev.mpath.spi.SerialExecutor;
import dev.mpath.store.BackingStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulated logical unit (direct-access block device, SBC-3) of a {@link ScsiTarget}: its
 * medium, identity, unit attentions and persistent reservations, and the device server that
 * runs its commands.
 *
 * <p>Commands run one at a time on the LU's executor. The accessors here are thread-safe and
 * meant for tests and tools (they see the state between two commands).
 */
public final class LogicalUnit {
  private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);

  /** Unit attentions kept per I_T nexus; further ones are dropped (the same one is kept once). */
  static final int MAX_UNIT_ATTENTIONS = 16;
  private static final List<Integer> VPD_PAGES = List.of(VpdPage.SUPPORTED_VPD_PAGES,
      VpdPage.UNIT_SERIAL_NUMBER, VpdPage.DEVICE_IDENTIFICATION, VpdPage.BLOCK_LIMITS,
      VpdPage.BLOCK_DEVICE_CHARACTERISTICS, VpdPage.LOGICAL_BLOCK_PROVISIONING);
  /** Block Limits: MAXIMUM COMPARE AND WRITE LENGTH, in blocks (the field's largest value). */
  static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;
  /**
   * VPD B1h bytes 4-63 (SBC-3 6.5.2): MEDIUM ROTATION RATE 0001h (non-rotating medium), the
   * rest (PRODUCT TYPE, WABEREQ, WACEREQ, NOMINAL FORM FACTOR, FUAB, VBULS) 0: not reported.
   */
  private static final byte[] BLOCK_DEVICE_CHARACTERISTICS = new byte[0x3C];
  /**
   * VPD B2h bytes 4-7 (SBC-3 6.5.4): THRESHOLD EXPONENT 0; byte 5 LBPU (UNMAP) 80h, LBPWS
   * (WRITE SAME (16) with UNMAP) 40h, LBPWS10 20h, LBPRZ 04h (ANC_SUP 0, DP 0); byte 6
   * PROVISIONING TYPE 010b (thin).
   */
  private static final byte[] LOGICAL_BLOCK_PROVISIONING = {0, (byte) 0xE4, 0x02, 0};

  static {
    BLOCK_DEVICE_CHARACTERISTICS[1] = 0x01;
  }

  private final ScsiTarget target;
  private final int lun;
  private final long blocks;
  private final int blockSize;
  private final BackingStore store;
  private final byte[] naa;
  private final String serial;
  private final SerialExecutor executor;
  /** The SBC commands (under this LU's monitor). */
  private final BlockCommands sbc;
  private final VerifyCommands compare;
  private final ProvisioningCommands provisioning;
  private final Spc2Reservation spc2 = new Spc2Reservation();
  private final long maxTransferBlocks;
  private final long optimalTransferBlocks;
  private final long maxUnmapBlocks;
  private final long maxWriteSameBlocks;
  private final Path aptplFile;

  /** Guarded by this (the command lock). */
  private final PersistentReservations pr;

  private final Object uaLock = new Object();
  private volatile int resets; // written under uaLock
  /** Pending unit attentions per I_T nexus, oldest first. Guarded by {@link #uaLock}. */
  private final Map<Nexus, ArrayDeque<Asc>> unitAttentions = new HashMap<>();

  LogicalUnit(ScsiTarget target, int lun, LuSpec spec, byte[] naa, String serial,
      BackingStore store, SerialExecutor executor) {
    this.target = target;
    this.lun = lun;
    this.blocks = spec.blocks();
    this.blockSize = spec.blockSize();
    this.store = store;
    this.naa = naa.clone();
    this.serial = serial;
    this.executor = executor;
    this.maxTransferBlocks = (8L << 20) / blockSize;
    this.optimalTransferBlocks = (128L << 10) / blockSize;
    // at most 2^20 blocks per UNMAP (4 GiB of 4 KiB blocks), the bound libiscsi checks
    this.maxUnmapBlocks = Math.min(1L << 20, (4L << 30) / blockSize);
    this.maxWriteSameBlocks = Math.min(1L << 20, (256L << 20) / blockSize);
    this.aptplFile = spec.aptplFile().orElse(null);
    this.pr = new PersistentReservations(aptplFile, target.ports());
    Medium medium = new Medium(target.name(), lun, blocks, blockSize, store);
    this.sbc = new BlockCommands(medium, maxTransferBlocks);
    this.provisioning = new ProvisioningCommands(medium, maxUnmapBlocks, maxWriteSameBlocks);
    this.compare = new VerifyCommands(medium, sbc, provisioning, maxTransferBlocks,
        MAX_COMPARE_AND_WRITE_BLOCKS);
  }

  // ------------------------------------------------------------------ public accessors

  /** The LUN. */
  public int lun() {
    return lun;
  }

  /** Capacity in logical blocks. */
  public long blocks() {
    return blocks;
  }

  /** Logical block length in bytes. */
  public int blockSize() {
    return blockSize;
  }

  /** The medium (thread-safe; reading it while commands run sees whole blocks). */
  public BackingStore store() {
    return store;
  }

  /** The 16-byte NAA 6 designator. */
  public byte[] naa() {
    return naa.clone();
  }

  /** The Linux sysfs {@code wwid}: {@code naa.} and the designator in lowercase hex. */
  public String wwid() {
    return "naa." + HexFormat.of().formatHex(naa);
  }

  /** The unit serial number (VPD page 80h). */
  public String serialNumber() {
    return serial;
  }

  /** The APTPL file, if persistence is configured. */
  public Optional<Path> aptplFile() {
    return Optional.ofNullable(aptplFile);
  }

  /** The registrations, one per registered I_T nexus, in registration order. */
  public synchronized List<PrRegistration> registrations() {
    return pr.registrations();
  }

  /** The persistent reservation, if one is held. */
  public synchronized Optional<PrHolder> reservation() {
    return pr.reservation();
  }

  /** PRGENERATION. */
  public synchronized long generation() {
    return pr.generation();
  }

  /** Whether registrations persist through power loss (the last REGISTER's APTPL bit). */
  public synchronized boolean aptpl() {
    return pr.aptpl();
  }

  /** The nexus holding the SPC-2 reservation (RESERVE (6)), if one does. */
  public Optional<Nexus> spc2Reservation() {
    return Optional.ofNullable(spc2.holder());
  }

  /** Unit attentions pending for {@code nexus}, oldest first. */
  public List<Asc> pendingUnitAttentions(Nexus nexus) {
    synchronized (uaLock) {
      ArrayDeque<Asc> q = unitAttentions.get(nexus);
      return q == null ? List.of() : List.copyOf(q);
    }
  }

  /** Establishes a unit attention for {@code nexus} (for tests and tools). */
  public void establishUnitAttention(Nexus nexus, Asc asc) {
    synchronized (uaLock) {
      queue(nexus, asc);
    }
  }

  @Override
  public String toString() {
    return "LogicalUnit[" + target.name() + " LUN " + lun + ", " + blocks + " x " + blockSize
        + ", " + wwid() + "]";
  }

  // ------------------------------------------------------------------ plumbing

  SerialExecutor executor() {
    return executor;
  }

  void close() {
    try {
      executor.execute(this::closeStore);
    } catch (RejectedExecutionException e) {
      closeStore();
    }
    executor.shutdown();
  }

  private void closeStore() {
    try {
      store.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: closing the medium of LUN {} failed", target.name(), lun, e);
    }
  }

  /** A nexus logged in: it is known from now on (unit attentions reach it). */
  void attach(Nexus n, boolean powerOn) {
    synchronized (uaLock) {
      ArrayDeque<Asc> q = unitAttentions.computeIfAbsent(n, k -> new ArrayDeque<>());
      if (powerOn) {
        // SAM-5: the power-on/reset condition supersedes what was pending for the nexus.
        q.clear();
        q.add(Asc.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
      }
    }
  }

  /** LOGICAL UNIT RESETs so far: commands dispatched before the last one are dropped. */
  int resets() {
    return resets;
  }

  /**
   * LOGICAL UNIT RESET (SAM-5 7.6): commands waiting for this LU are aborted (they see the
   * new count), and every known nexus gets BUS DEVICE RESET FUNCTION OCCURRED (29h/03h).
   */
  void reset() {
    reset(Asc.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
  }

  /** A reset that establishes {@code asc} (a target reset, or a power-on for a cold one). */
  void reset(Asc asc) {
    spc2.clear(); // SPC-2 7.21: a reset releases the reservation; persistent ones survive
    synchronized (uaLock) {
      resets++;
      establishAll(asc, null);
    }
  }

  /** The I_T nexus {@code n} ended (logout, drop, reinstatement): its SPC-2 reservation ends. */
  void nexusLost(Nexus n) {
    spc2.release(n);
  }

  /** Establishes {@code asc} for every known nexus except {@code except} (may be null). */
  void establishAll(Asc asc, Nexus except) {
    synchronized (uaLock) {
      for (Nexus n : unitAttentions.keySet()) {
        if (!n.equals(except)) {
          queue(n, asc);
        }
      }
    }
  }

  private void queue(Nexus n, Asc asc) {
    ArrayDeque<Asc> q = unitAttentions.computeIfAbsent(n, k -> new ArrayDeque<>());
    if (!q.contains(asc) && q.size() < MAX_UNIT_ATTENTIONS) {
      q.add(asc);
    }
  }

  private Asc takeUnitAttention(Nexus n) {
    synchronized (uaLock) {
      ArrayDeque<Asc> q = unitAttentions.get(n);
      return q == null ? null : q.poll();
    }
  }

  // ------------------------------------------------------------------ device server

  /** Runs one command (on the LU's executor). */
  synchronized ScsiResponse process(Command c) {
    byte[] cdb = c.cdb;
    try {
      if (cdb.length == 0) {
        throw CommandFailure.illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
      }
      int op = cdb[0] & 0xFF;
      int sa = cdb.length > 1 ? cdb[1] & 0x1F : -1;
      Nexus n = c.nexus();
      // Order as LIO: unit attention, ALUA access state, reservation, then the command.
      if (!AccessRules.unitAttentionExempt(op)) {
        Asc ua = takeUnitAttention(n);
        if (ua != null) {
          throw CommandFailure.check(SenseKey.UNIT_ATTENTION, ua);
        }
      }
      if (target.aluaEnabled()) {
        Asc refusal = AccessRules.aluaRefusal(stateOf(n), op, sa);
        if (refusal != null) {
          throw CommandFailure.check(SenseKey.NOT_READY, refusal);
        }
      }
      if (pr.conflicts(n, AccessRules.prClass(op, sa)) || spc2.conflicts(n, op)) {
        throw CommandFailure.reservationConflict();
      }
      if (!AccessRules.implemented(op)) {
        throw CommandFailure.illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
      }
      if (ReadWriteCdbFlyweight.isReadWrite(op)) { // the I/O path: read in place
        return sbc.readWrite(c);
      }
      Cdb parsed = ScsiTarget.decode(() -> Cdb.parse(cdb, 0, cdb.length));
      if ((parsed.control() & Cdb.CONTROL_NACA) != 0) {
        throw CommandFailure.invalidCdbField(parsed.length() - 1, 2); // NORMACA = 0
      }
      return execute(op, parsed, c);
    } catch (CommandFailure f) {
      return f.toResponse(c.dataLength);
    }
  }

  private AluaState stateOf(Nexus n) {
    return target.portGroups().stateOfPort(n.relativeTargetPort());
  }

  private ScsiResponse execute(int op, Cdb parsed, Command c) throws CommandFailure {
    switch (op) {
      case OperationCode.TEST_UNIT_READY:
        return Transfers.consumed(c, 0);
      case OperationCode.REQUEST_SENSE:
        return requestSense(c);
      case OperationCode.INQUIRY:
        return inquiry(c, (InquiryCdb) parsed);
      case OperationCode.MODE_SENSE_6:
      case OperationCode.MODE_SENSE_10:
        return modeSense(c);
      case OperationCode.READ_CAPACITY_10:
        return sbc.readCapacity10(c);
      case OperationCode.SYNCHRONIZE_CACHE_10:
      case OperationCode.SYNCHRONIZE_CACHE_16:
        return sbc.synchronizeCache(c, (SynchronizeCacheCdb) parsed);
      case OperationCode.UNMAP:
        return provisioning.unmap(c, (UnmapCdb) parsed);
      case OperationCode.WRITE_SAME_10:
      case OperationCode.WRITE_SAME_16:
        return provisioning.writeSame(c, (WriteSameCdb) parsed);
      case OperationCode.VERIFY_10:
      case OperationCode.VERIFY_12:
      case OperationCode.VERIFY_16:
      case OperationCode.WRITE_AND_VERIFY_10:
      case OperationCode.WRITE_AND_VERIFY_12:
      case OperationCode.WRITE_AND_VERIFY_16:
        return compare.verify(c, (VerifyCdb) parsed);
      case OperationCode.COMPARE_AND_WRITE:
        return compare.compareAndWrite(c, (CompareAndWriteCdb) parsed);
      case OperationCode.PRE_FETCH_10:
      case OperationCode.PRE_FETCH_16:
        return sbc.preFetch(c, (PreFetchCdb) parsed);
      case OperationCode.RESERVE_6:
        return reserve6(c);
      case OperationCode.RELEASE_6:
        return release6(c);
      case OperationCode.PERSISTENT_RESERVE_IN:
        return persistentReserveIn(c, (PersistentReserveInCdb) parsed);
      case OperationCode.PERSISTENT_RESERVE_OUT:
        return persistentReserveOut(c, (PersistentReserveOutCdb) parsed);
      case OperationCode.SERVICE_ACTION_IN_16:
        if (parsed instanceof ReadCapacity16Cdb rc) {
          return sbc.readCapacity16(c, rc);
        }
        if (parsed instanceof GetLbaStatusCdb g) {
          return provisioning.getLbaStatus(c, g);
        }
        throw CommandFailure.invalidCdbField(1, 4);
      case OperationCode.REPORT_LUNS:
        return target.reportLuns(c, (ReportLunsCdb) parsed);
      case OperationCode.MAINTENANCE_IN:
        if (parsed instanceof ReportSupportedOperationCodesCdb r) {
          return reportSupportedOperationCodes(c, r);
        }
        return maintenanceIn(c);
      case OperationCode.MAINTENANCE_OUT:
        return maintenanceOut(c);
      default:
        throw CommandFailure.illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
    }
  }

  // ------------------------------------------------------------------ SPC

  /** RESERVE (6) (SPC-2 7.21): conflicts with another holder or any PR registration. */
  private ScsiResponse reserve6(Command c) throws CommandFailure {
    if (!pr.registrations().isEmpty() || !spc2.reserve(c.nexus())) {
      throw CommandFailure.reservationConflict();
    }
    return Transfers.consumed(c, 0);
  }

  /** RELEASE (6) (SPC-2 7.17): GOOD from anyone, releasing only the holder's reservation. */
  private ScsiResponse release6(Command c) throws CommandFailure {
    if (!pr.registrations().isEmpty()) {
      throw CommandFailure.reservationConflict();
    }
    spc2.release(c.nexus());
    return Transfers.consumed(c, 0);
  }

  private ScsiResponse reportSupportedOperationCodes(Command c,
      ReportSupportedOperationCodesCdb r) throws CommandFailure {
    byte[] data = SupportedCommands.report(r, target.aluaEnabled());
    if (data == null) {
      throw CommandFailure.invalidCdbField(2, -1); // REPORTING OPTIONS / REQUESTED fields
    }
    return Transfers.dataIn(c, data, r.allocationLength());
  }

  private ScsiResponse requestSense(Command c) {
    boolean desc = (c.cdb[1] & 0x01) != 0;
    int alloc = c.cdb[4] & 0xFF;
    Asc ua = takeUnitAttention(c.nexus());
    SenseData s;
    if (ua != null) {
      s = SenseData.of(SenseKey.UNIT_ATTENTION, ua);
    } else {
      Asc state = target.aluaEnabled()
          ? AccessRules.aluaRefusal(stateOf(c.nexus()), OperationCode.TEST_UNIT_READY, -1)
          : null;
      s = state != null ? SenseData.of(SenseKey.NOT_READY, state)
          : SenseData.of(SenseKey.NO_SENSE, Asc.NO_ADDITIONAL_SENSE);
    }
    if (desc) {
      s = s.withFormat(SenseData.Format.DESCRIPTOR);
    }
    return Transfers.dataIn(c, s.encode(), alloc);
  }

  private ScsiResponse inquiry(Command c, InquiryCdb q) throws CommandFailure {
    if ((c.cdb[1] & 0x02) != 0) {
      throw CommandFailure.invalidCdbField(1, 1); // CMDDT
    }
    if (!q.evpd()) {
      if (q.pageCode() != 0) {
        throw CommandFailure.invalidCdbField(2, -1);
      }
      return Transfers.dataIn(c, target.standardInquiry(), q.allocationLength());
    }
    byte[] page;
    switch (q.pageCode()) {
      case VpdPage.SUPPORTED_VPD_PAGES:
        page = new SupportedVpdPages(Peripheral.DISK, VPD_PAGES).encode();
        break;
      case VpdPage.UNIT_SERIAL_NUMBER:
        page = new UnitSerialNumberVpd(Peripheral.DISK, serial).encode();
        break;
      case VpdPage.DEVICE_IDENTIFICATION:
        page = deviceIdentification(c.nexus().relativeTargetPort()).encode();
        break;
      case VpdPage.BLOCK_LIMITS:
        page = new BlockLimitsVpd(Peripheral.DISK, false, MAX_COMPARE_AND_WRITE_BLOCKS, 0,
            maxTransferBlocks, optimalTransferBlocks, maxTransferBlocks, maxUnmapBlocks,
            ProvisioningCommands.MAX_UNMAP_DESCRIPTORS, 1, false, 0, maxWriteSameBlocks)
            .encode();
        break;
      case VpdPage.BLOCK_DEVICE_CHARACTERISTICS:
        page = new RawVpdPage(Peripheral.DISK, VpdPage.BLOCK_DEVICE_CHARACTERISTICS,
            BLOCK_DEVICE_CHARACTERISTICS).encode();
        break;
      case VpdPage.LOGICAL_BLOCK_PROVISIONING:
        page = new RawVpdPage(Peripheral.DISK, VpdPage.LOGICAL_BLOCK_PROVISIONING,
            LOGICAL_BLOCK_PROVISIONING).encode();
        break;
      default:
        throw CommandFailure.invalidCdbField(2, -1);
    }
    return Transfers.dataIn(c, page, q.allocationLength());
  }

  /** VPD 83h as seen through {@code relativeTargetPort}. */
  DeviceIdentificationVpd deviceIdentification(int relativeTargetPort) {
    List<Designator> d = new ArrayList<>();
    d.add(Designator.naa(naa));
    d.add(Designator.t10VendorId(target.vendor(), serial));
    d.add(Designator.relativeTargetPort(relativeTargetPort));
    if (target.aluaEnabled()) {
      d.add(Designator.targetPortGroup(target.portGroupOf(relativeTargetPort)));
    }
    d.addAll(target.nameDesignators(relativeTargetPort));
    return new DeviceIdentificationVpd(Peripheral.DISK, d);
  }

  /** MODE SENSE (6)/(10): caching (08h) and control (0Ah) pages, no block descriptors. */
  private ScsiResponse modeSense(Command c) throws CommandFailure {
    byte[] cdb = c.cdb;
    boolean ten = (cdb[0] & 0xFF) == OperationCode.MODE_SENSE_10;
    int pc = (cdb[2] & 0xC0) >>> 6;
    int page = cdb[2] & 0x3F;
    int subpage = cdb[3] & 0xFF;
    int alloc = ten ? (cdb[7] & 0xFF) << 8 | (cdb[8] & 0xFF) : cdb[4] & 0xFF;
    if (pc == 3) {
      throw CommandFailure.illegal(Asc.SAVING_PARAMETERS_NOT_SUPPORTED);
    }
    if (subpage != 0 && !(page == 0x3F && subpage == 0xFF)) {
      throw CommandFailure.invalidCdbField(3, -1);
    }
    boolean changeable = pc == 1;
    ByteBuffer pages = ByteBuffer.allocate(32);
    if (page == 0x08 || page == 0x3F) {
      byte[] caching = new byte[20];
      caching[0] = 0x08;
      caching[1] = 0x12;
      caching[2] = (byte) (changeable ? 0 : 0x04); // WCE: write back, SYNCHRONIZE CACHE flushes
      pages.put(caching);
    }
    if (page == 0x0A || page == 0x3F) {
      byte[] control = new byte[12];
      control[0] = 0x0A;
      control[1] = 0x0A;
      control[3] = (byte) (changeable ? 0 : 0x10); // QUEUE ALGORITHM MODIFIER 1: unrestricted
      pages.put(control);
    }
    if (pages.position() == 0) {
      throw CommandFailure.invalidCdbField(2, 5);
    }
    int header = ten ? 8 : 4;
    byte[] out = new byte[header + pages.position()];
    System.arraycopy(pages.array(), 0, out, header, pages.position());
    if (ten) {
      out[0] = (byte) ((out.length - 2) >>> 8);
      out[1] = (byte) (out.length - 2);
      out[3] = 0x10; // DPOFUA
    } else {
      out[0] = (byte) (out.length - 1);
      out[2] = 0x10;
    }
    return Transfers.dataIn(c, out, alloc);
  }

  // ------------------------------------------------------------------ persistent reservations

  private ScsiResponse persistentReserveIn(Command c, PersistentReserveInCdb p)
      throws CommandFailure {
    PrInServiceAction action;
    try {
      action = p.action();
    } catch (ScsiProtocolException e) {
      throw CommandFailure.invalidCdbField(1, 4);
    }
    return Transfers.dataIn(c, pr.in(action), p.allocationLength());
  }

  private ScsiResponse persistentReserveOut(Command c, PersistentReserveOutCdb p)
      throws CommandFailure {
    PrOutServiceAction action;
    try {
      action = p.action();
    } catch (ScsiProtocolException e) {
      throw CommandFailure.invalidCdbField(1, 4);
    }
    if (action == PrOutServiceAction.REGISTER_AND_MOVE
        || action == PrOutServiceAction.REPLACE_LOST_RESERVATION) {
      throw CommandFailure.invalidCdbField(1, 4); // not supported
    }
    PrType type = null;
    if (action.usesType()) {
      if (p.scope() != PersistentReserveOutCdb.SCOPE_LU) {
        throw CommandFailure.invalidCdbField(2, 7);
      }
      try {
        type = p.prType();
      } catch (ScsiProtocolException e) {
        throw CommandFailure.invalidCdbField(2, 3);
      }
    }
    if (p.parameterListLength() != PrOutParameterList.BASIC_LENGTH) {
      throw CommandFailure.parameterListLength(); // SPEC_I_PT is not supported: always 24
    }
    byte[] d = Transfers.dataOut(c, PrOutParameterList.BASIC_LENGTH);
    if (d.length < PrOutParameterList.BASIC_LENGTH) {
      throw CommandFailure.parameterListLength();
    }
    if ((d[20] & 0x08) != 0) {
      throw CommandFailure.invalidParameterField(20, 3); // SPEC_I_PT: SIP_C = 0
    }
    PrOutParameterList list;
    try {
      list = PrOutParameterList.decode(d);
    } catch (ScsiProtocolException e) {
      throw CommandFailure.illegal(Asc.INVALID_FIELD_IN_PARAMETER_LIST);
    }
    boolean register = action == PrOutServiceAction.REGISTER
        || action == PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY;
    if (register && list.aptpl() && !pr.persistenceSupported()) {
      throw CommandFailure.invalidParameterField(20, 0); // PTPL_C = 0
    }
    List<PersistentReservations.Ua> uas = pr.out(c.nexus(), action, type, list);
    if (!uas.isEmpty()) {
      synchronized (uaLock) {
        for (PersistentReservations.Ua u : uas) {
          queue(u.nexus(), u.asc());
        }
      }
    }
    return Transfers.consumed(c, d.length);
  }

  // ------------------------------------------------------------------ ALUA

  private ScsiResponse maintenanceIn(Command c) throws CommandFailure {
    if ((c.cdb[1] & 0x1F) != AccessRules.SA_TARGET_PORT_GROUPS || !target.aluaEnabled()) {
      throw CommandFailure.invalidCdbField(1, 4);
    }
    ReportTargetPortGroupsCdb r;
    try {
      r = ReportTargetPortGroupsCdb.decode(c.cdb);
    } catch (AluaProtocolException e) {
      throw CommandFailure.invalidCdbField(Math.max(1, e.fieldOffset()), -1);
    }
    byte[] data = target.portGroups().reportTargetPortGroups(r.format(), r.allocationLength());
    return Transfers.dataIn(c, data, data.length);
  }

  private ScsiResponse maintenanceOut(Command c) throws CommandFailure {
    if ((c.cdb[1] & 0x1F) != AccessRules.SA_TARGET_PORT_GROUPS || !target.aluaEnabled()) {
      throw CommandFailure.invalidCdbField(1, 4);
    }
    SetTargetPortGroupsCdb s;
    try {
      s = SetTargetPortGroupsCdb.decode(c.cdb);
    } catch (AluaProtocolException e) {
      throw CommandFailure.invalidCdbField(1, 4);
    }
    long length = s.parameterListLength();
    if (length == 0) {
      return Transfers.consumed(c, 0);
    }
    byte[] d = Transfers.dataOut(c, length);
    if (d.length < length) {
      throw CommandFailure.parameterListLength();
    }
    try {
      target.portGroups().setTargetPortGroups(d, d.length,
          new ScsiTarget.StpgRequester(c.nexus(), lun));
    } catch (StpgRejectedException e) {
      SenseData.Builder b = SenseData.builder(SenseKey.ILLEGAL_REQUEST,
          Asc.of(e.additionalSenseCode(), e.additionalSenseCodeQualifier()));
      if (e.fieldOffset() >= 0 && e.fieldOffset() <= 0xFFFF) {
        b.senseKeySpecific(SenseData.fieldPointer(e.inCdb(), e.fieldOffset(), -1));
      }
      throw CommandFailure.check(b.build());
    }
    return Transfers.consumed(c, d.length);
  }
}
