package dev.mpath.scsi.target;

import dev.mpath.alua.AluaState;
import dev.mpath.alua.PortGroupChange;
import dev.mpath.alua.PortGroupListener;
import dev.mpath.alua.PortGroupSet;
import dev.mpath.alua.PortGroupStatus;
import dev.mpath.alua.SupportedStates;
import dev.mpath.alua.TargetPortGroup;
import dev.mpath.alua.Tpgs;
import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.Association;
import dev.mpath.scsi.proto.Designator;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.OperationCode;
import dev.mpath.scsi.proto.Peripheral;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.ReportLunsData;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.spi.Scheduler;
import dev.mpath.spi.SerialExecutor;
import dev.mpath.store.BackingStore;
import dev.mpath.store.BackingStores;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulated SCSI target device: target ports with relative port identifiers, ALUA target
 * port groups, and logical units (after Linux LIO / tgt). See the package documentation for the
 * behaviour.
 *
 * <pre>{@code
 * ScsiTarget t = ScsiTarget.builder("iqn.2024-01.dev.mpath:lu1", scheduler)
 *     .portGroup(1, AluaState.ACTIVE_OPTIMIZED, true, SupportedStates.DEFAULT)
 *     .portGroup(2, AluaState.ACTIVE_NON_OPTIMIZED, false, SupportedStates.DEFAULT)
 *     .port(1, 1).port(2, 2)
 *     .lun(0, LuSpec.of(2048, 512))
 *     .build();
 * Session s = t.login("iqn.1994-05.com.example:host-a,i,0x00023d000001", 1, sink);
 * s.execute(tag, 0, cdb, buffer, length);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ScsiTarget implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScsiTarget.class);
  /** Tasks a logical unit runs per hop before its pool thread serves another one. */
  private static final int LU_BATCH = 256;
  /** OUI of the derived NAA designators (the one Linux LIO uses, so they read naa.6001405...). */
  static final int NAA_OUI = 0x001405;

  private final String name;
  private final Scheduler scheduler;
  private final String vendor;
  private final String product;
  private final String revision;
  private final Tpgs tpgs;
  private final PortGroupSet portGroups;
  private final Map<Integer, Faults> ports;
  private final Map<Integer, Integer> groupOfPort;
  private final ConcurrentSkipListMap<Integer, LogicalUnit> lus;
  private final String serialBase;
  private final Executor backing;
  private final SerialExecutor absentExecutor;
  private final boolean powerOnUnitAttention;
  private final List<ExecutorService> ownedExecutors = new ArrayList<>();
  private final PortGroupListener listener = this::accessStateChanged;
  private final byte[] standardInquiry;
  private final byte[] absentInquiry;

  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final Map<Nexus, Session> sessions = new LinkedHashMap<>();
  /** Guarded by {@link #lock}. */
  private boolean closed;

  /** The token passed to {@link PortGroupSet} with an STPG, to spare the sender's I_T_L nexus. */
  record StpgRequester(Nexus nexus, int lun) {}

  private ScsiTarget(Builder b) {
    this.name = b.name;
    this.scheduler = b.scheduler;
    this.vendor = b.vendor;
    this.product = b.product;
    this.revision = b.revision;
    this.tpgs = b.tpgs;
    this.powerOnUnitAttention = b.powerOnUnitAttention;

    // Ports and groups. A port naming an undefined group gets an active/optimized one.
    Map<Integer, Builder.GroupSpec> groups = new LinkedHashMap<>(b.groups);
    Map<Integer, List<Integer>> members = new LinkedHashMap<>();
    for (Map.Entry<Integer, Integer> e : b.ports.entrySet()) {
      groups.computeIfAbsent(e.getValue(), id -> new Builder.GroupSpec(id,
          AluaState.ACTIVE_OPTIMIZED, false, SupportedStates.DEFAULT));
      members.computeIfAbsent(e.getValue(), id -> new ArrayList<>()).add(e.getKey());
    }
    PortGroupSet.Builder pg = PortGroupSet.builder(scheduler)
        .tpgs(tpgs.supported() ? tpgs : Tpgs.IMPLICIT)
        .implicitTransitionTime(b.implicitTransitionTime);
    for (Builder.GroupSpec g : groups.values()) {
      pg.addGroup(new TargetPortGroup(g.id(), members.getOrDefault(g.id(), List.of()),
          g.supported(), g.preferred(), g.initial(), PortGroupStatus.NO_STATUS));
    }
    this.portGroups = pg.build();
    Map<Integer, Faults> portMap = new TreeMap<>();
    for (int p : b.ports.keySet()) {
      portMap.put(p, new Faults(this, p));
    }
    this.ports = Collections.unmodifiableMap(portMap);
    this.groupOfPort = Map.copyOf(b.ports);

    this.standardInquiry = inquiry(Peripheral.DISK);
    this.absentInquiry = inquiry(Peripheral.NO_LOGICAL_UNIT);

    String serialBase = b.serialBase != null ? b.serialBase : hex(digest("serial:" + name), 4);
    this.serialBase = serialBase;
    this.backing = backing(b);
    this.absentExecutor = SerialExecutor.strict(backing, name + " absent LUNs", LU_BATCH);
    this.lus = new ConcurrentSkipListMap<>();
    try {
      for (Map.Entry<Integer, LuSpec> e : b.luns.entrySet()) {
        lus.put(e.getKey(), newLu(e.getKey(), e.getValue()));
      }
    } catch (RuntimeException e) {
      ownedExecutors.forEach(ExecutorService::shutdown);
      throw e;
    }
    portGroups.addListener(listener);
  }

  /**
   * Starts a target.
   *
   * @param name the target name, e.g. {@code iqn.2024-01.dev.mpath:lu1} (reported as SCSI name
   *     string designators when it is an {@code iqn.}, {@code eui.} or {@code naa.} name)
   * @param scheduler every timer (implicit ALUA transitions, answer delays)
   */
  public static Builder builder(String name, Scheduler scheduler) {
    return new Builder(name, scheduler);
  }

  /** The target name. */
  public String name() {
    return name;
  }

  /** Relative target port identifiers, ascending. */
  public List<Integer> ports() {
    return List.copyOf(ports.keySet());
  }

  /** The target port group of a port. */
  public int portGroupOf(int relativeTargetPort) {
    Integer g = groupOfPort.get(relativeTargetPort);
    if (g == null) {
      throw new IllegalArgumentException("no target port " + relativeTargetPort);
    }
    return g;
  }

  /**
   * The ALUA model: states per target port group, implicit transitions ({@link
   * PortGroupSet#transition}), RTPG data. Shared by every logical unit of the target.
   */
  public PortGroupSet portGroups() {
    return portGroups;
  }

  /** The TPGS value reported in standard INQUIRY data ({@link Tpgs#NONE}: no ALUA). */
  public Tpgs tpgs() {
    return tpgs;
  }

  /**
   * Logs an initiator port in through a target port, opening an I_T nexus. A login of a nexus
   * that already has a session replaces it (the old session is disconnected, as iSCSI session
   * reinstatement does). The new nexus gets a POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
   * unit attention on every logical unit unless the builder turned that off.
   *
   * @param initiatorPort the initiator port name, e.g. {@code iqn...:host-a,i,0x00023d000001}
   * @param relativeTargetPort the target port
   * @param sink where answers go
   * @throws ScsiTargetException for an unknown or killed port, a closed target, or an initiator
   *     port name that cannot be expressed as an iSCSI TransportID
   */
  public Session login(String initiatorPort, int relativeTargetPort, ResponseSink sink)
      throws ScsiTargetException {
    Objects.requireNonNull(sink, "sink");
    if (initiatorPort == null || initiatorPort.isEmpty()) {
      throw new ScsiTargetException(ScsiTargetException.Reason.INVALID_INITIATOR,
          "empty initiator port name");
    }
    try {
      PersistentReservations.transportId(initiatorPort);
    } catch (RuntimeException e) {
      throw new ScsiTargetException(ScsiTargetException.Reason.INVALID_INITIATOR,
          "initiator port name '" + initiatorPort + "' has no TransportID form: "
              + e.getMessage());
    }
    Faults port = ports.get(relativeTargetPort);
    if (port == null) {
      throw new ScsiTargetException(ScsiTargetException.Reason.UNKNOWN_PORT,
          "target " + name + " has no port " + relativeTargetPort + " (ports " + ports() + ")");
    }
    Nexus nexus = new Nexus(initiatorPort, relativeTargetPort);
    Session session = new Session(this, port, nexus, sink, scheduler);
    Session old;
    synchronized (lock) {
      if (closed) {
        throw new ScsiTargetException(ScsiTargetException.Reason.TARGET_CLOSED,
            "target " + name + " is closed");
      }
      if (!port.attach(session)) {
        throw new ScsiTargetException(ScsiTargetException.Reason.PORT_KILLED,
            "target port " + relativeTargetPort + " of " + name + " is killed");
      }
      old = sessions.put(nexus, session);
    }
    for (LogicalUnit lu : lus.values()) {
      lu.attach(nexus, powerOnUnitAttention);
    }
    if (old != null) {
      old.disconnect("session reinstated by a new login of " + nexus);
    }
    LOG.debug("{}: login {}", name, nexus);
    return session;
  }

  /** Sessions logged in now. */
  public List<Session> sessions() {
    synchronized (lock) {
      return List.copyOf(sessions.values());
    }
  }

  /** Fault injection for a port. */
  public Faults faults(int relativeTargetPort) {
    Faults f = ports.get(relativeTargetPort);
    if (f == null) {
      throw new IllegalArgumentException("target " + name + " has no port " + relativeTargetPort);
    }
    return f;
  }

  /**
   * The logical unit at {@code lun}.
   *
   * @throws IllegalArgumentException when there is none
   */
  public LogicalUnit lun(int lun) {
    LogicalUnit lu = lus.get(lun);
    if (lu == null) {
      throw new IllegalArgumentException("target " + name + " has no LUN " + lun);
    }
    return lu;
  }

  /** The LUNs, ascending. */
  public List<Integer> luns() {
    return List.copyOf(lus.keySet());
  }

  private LogicalUnit newLu(int lun, LuSpec spec) {
    byte[] naa = spec.naa().orElseGet(() -> deriveNaa(name, lun));
    String serial = spec.serialNumber().orElse(serialBase + String.format("%04x", lun));
    BackingStore store = spec.store().orElseGet(
        () -> BackingStores.sparseMemory(spec.blocks() * spec.blockSize()));
    return new LogicalUnit(this, lun, spec, naa, serial, store,
        SerialExecutor.strict(backing, name + " LUN " + lun, LU_BATCH));
  }

  /**
   * Adds logical unit {@code lun} while the target runs (a LUN mapped on an array). Every
   * logged-in nexus gets UNIT ATTENTION, REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh, SPC-4
   * 6.33) on the logical units it already had, as LIO does; the new LU starts with the
   * power-on unit attention for each of them, as after a login.
   *
   * @throws IllegalArgumentException a LUN out of range or already there
   */
  public LogicalUnit addLun(int lun, LuSpec spec) {
    if (lun < 0 || lun > Lun.MAX_FLAT_LUN) {
      throw new IllegalArgumentException("LUN out of range 0.." + Lun.MAX_FLAT_LUN + ": " + lun);
    }
    Objects.requireNonNull(spec, "spec");
    List<Nexus> nexuses;
    LogicalUnit lu;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("target " + name + " is closed");
      }
      if (lus.containsKey(lun)) {
        throw new IllegalArgumentException("target " + name + " already has LUN " + lun);
      }
      lu = newLu(lun, spec);
      nexuses = List.copyOf(sessions.keySet());
      for (Nexus n : nexuses) {
        lu.attach(n, powerOnUnitAttention);
      }
      lus.put(lun, lu);
    }
    reportedLunsChanged(lun);
    LOG.info("{}: LUN {} added", name, lun);
    return lu;
  }

  /**
   * Removes logical unit {@code lun} (unmapped): commands to it from now on get ILLEGAL
   * REQUEST, LOGICAL UNIT NOT SUPPORTED; those queued before finish first. Every nexus gets
   * REPORTED LUNS DATA HAS CHANGED on the logical units left.
   *
   * @throws IllegalArgumentException when there is no such LUN
   */
  public void removeLun(int lun) {
    LogicalUnit lu;
    synchronized (lock) {
      lu = lus.remove(lun);
    }
    if (lu == null) {
      throw new IllegalArgumentException("target " + name + " has no LUN " + lun);
    }
    lu.close();
    reportedLunsChanged(-1);
    LOG.info("{}: LUN {} removed", name, lun);
  }

  /** 3Fh/0Eh for every nexus on every LU but {@code except}. */
  private void reportedLunsChanged(int except) {
    for (LogicalUnit other : lus.values()) {
      if (other.lun() != except) {
        other.establishAll(Asc.REPORTED_LUNS_DATA_HAS_CHANGED, null);
      }
    }
  }

  /**
   * Closes the target: every session is disconnected, the logical units stop taking commands,
   * and each medium is closed after the commands queued before it. Idempotent.
   */
  @Override
  public void close() {
    List<Session> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(sessions.values());
    }
    for (Session s : all) {
      s.disconnect("target " + name + " closed");
    }
    portGroups.removeListener(listener);
    for (LogicalUnit lu : lus.values()) {
      lu.close();
    }
    absentExecutor.shutdown();
    ownedExecutors.forEach(ExecutorService::shutdown);
  }

  @Override
  public String toString() {
    return "ScsiTarget[" + name + ", ports " + ports.keySet() + ", luns " + lus.keySet() + "]";
  }

  // ------------------------------------------------------------------ device server side

  String vendor() {
    return vendor;
  }

  boolean aluaEnabled() {
    return tpgs.supported();
  }

  void forget(Session s) {
    synchronized (lock) {
      sessions.remove(s.nexus(), s);
    }
    for (LogicalUnit lu : lus.values()) {
      lu.nexusLost(s.nexus());
    }
  }

  /**
   * Routes an admitted command to its logical unit's executor: on the caller's thread when
   * {@code inline} is allowed, the session's sink {@linkplain ResponseSink#runsCommandsInline
   * asks for it} and the LU is idle. The caller must hold no lock (the run takes the LU's and
   * the session's).
   */
  void dispatch(Command c, boolean inline) {
    LogicalUnit lu = lus.get(c.lun);
    if (lu != null) {
      SerialExecutor ex = lu.executor();
      c.lu = lu;
      c.executor = ex;
      c.resets = lu.resets();
      try {
        if (!inline || !c.session.runsInline() || !ex.tryRunInline(c)) {
          ex.execute(c);
        }
        return;
      } catch (RejectedExecutionException e) {
        // the LU was removed meanwhile: answered as a LUN the target does not have
      }
    }
    c.lu = null;
    c.executor = absentExecutor;
    try {
      absentExecutor.execute(c);
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: command {} for LUN {} dropped, target closing", name, c.tag, c.lun);
    }
  }

  /** LOGICAL UNIT RESET of {@code lun} (see {@link Session#lunReset}). */
  void resetLun(int lun) {
    LogicalUnit lu = lus.get(lun);
    if (lu == null) {
      return;
    }
    lu.reset(); // queued commands are dropped from now on, the unit attentions queued
    for (Session s : sessions()) {
      s.abortTasksOf(lun);
    }
  }

  /** A target reset: every logical unit reset, establishing {@code asc} (see Session). */
  void resetAll(Asc asc) {
    for (LogicalUnit lu : lus.values()) {
      lu.reset(asc);
      for (Session s : sessions()) {
        s.abortTasksOf(lu.lun());
      }
    }
  }

  /** Runs a dispatched command on {@code ex} and delivers its answer; then reuses it. */
  void run(LogicalUnit lu, Executor ex, Command c) {
    Session s = c.session;
    if (!s.isActive() || lu != null && c.resets != lu.resets()) {
      s.recycle(c); // the nexus ended, or a LUN reset aborted the command while it waited
      return;
    }
    ScsiResponse r = c.faults().takeFailure(c.dataLength);
    if (r == null) {
      try {
        r = lu != null ? lu.process(c) : processAbsent(c);
      } catch (RuntimeException e) {
        LOG.error("{}: LUN {} failed on tag {} from {}", name, c.lun, c.tag, c.nexus(), e);
        r = CommandFailure.check(SenseKey.HARDWARE_ERROR, Asc.INTERNAL_TARGET_FAILURE)
            .toResponse(c.dataLength);
      }
    }
    c.restoreData();
    long tag = c.tag;
    int lun = c.lun;
    s.recycle(c); // before the answer: the sink may reuse the tag (and the buffer) at once
    s.deliver(ex, tag, lun, r);
  }

  /** A command to a LUN the target does not have (SPC-4 / SAM-5: INQUIRY and REPORT LUNS work). */
  private ScsiResponse processAbsent(Command c) {
    try {
      if (c.cdb.length == 0) {
        throw CommandFailure.illegal(Asc.INVALID_COMMAND_OPERATION_CODE);
      }
      switch (c.cdb[0] & 0xFF) {
        case OperationCode.INQUIRY: {
          InquiryCdb q = decode(() -> InquiryCdb.decode(c.cdb, 0, c.cdb.length));
          if (q.evpd()) {
            throw CommandFailure.illegal(Asc.LOGICAL_UNIT_NOT_SUPPORTED);
          }
          if (q.pageCode() != 0 || (c.cdb[1] & 0x02) != 0) {
            throw CommandFailure.invalidCdbField(q.pageCode() != 0 ? 2 : 1, -1);
          }
          return Transfers.dataIn(c, absentInquiry, q.allocationLength());
        }
        case OperationCode.REPORT_LUNS:
          return reportLuns(c, decode(() -> ReportLunsCdb.decode(c.cdb, 0, c.cdb.length)));
        case OperationCode.REQUEST_SENSE: {
          if (c.cdb.length < 6) {
            throw CommandFailure.illegal(Asc.INVALID_FIELD_IN_CDB);
          }
          SenseData s = SenseData.of(SenseKey.ILLEGAL_REQUEST, Asc.LOGICAL_UNIT_NOT_SUPPORTED);
          if ((c.cdb[1] & 1) != 0) {
            s = s.withFormat(SenseData.Format.DESCRIPTOR);
          }
          return Transfers.dataIn(c, s.encode(), c.cdb[4] & 0xFF);
        }
        default:
          throw CommandFailure.illegal(Asc.LOGICAL_UNIT_NOT_SUPPORTED);
      }
    } catch (CommandFailure f) {
      return f.toResponse(c.dataLength);
    }
  }

  /** A CDB decoder that may throw {@link ScsiProtocolException}. */
  @FunctionalInterface
  interface Decoder<T> {
    T decode();
  }

  /** Runs a CDB decoder; a structural error is INVALID FIELD IN CDB. */
  static <T> T decode(Decoder<T> d) throws CommandFailure {
    try {
      return d.decode();
    } catch (ScsiProtocolException | IllegalArgumentException e) {
      throw CommandFailure.illegal(Asc.INVALID_FIELD_IN_CDB);
    }
  }

  /** REPORT LUNS (SPC-4 6.33): every LUN for SELECT REPORT 00h/02h, none for the W-LUN reports. */
  ScsiResponse reportLuns(Command c, ReportLunsCdb r) throws CommandFailure {
    if (r.allocationLength() < 16) {
      throw CommandFailure.invalidCdbField(6, -1);
    }
    List<Lun> list = new ArrayList<>();
    switch (r.selectReport()) {
      case 0x00:
      case 0x02:
        lus.keySet().forEach(l -> list.add(Lun.of(l)));
        break;
      case 0x01:
      case 0x10:
      case 0x11:
      case 0x12:
        break;
      default:
        throw CommandFailure.invalidCdbField(2, -1);
    }
    return Transfers.dataIn(c, new ReportLunsData(list).encode(), r.allocationLength());
  }

  /** Standard INQUIRY data of a logical unit (encoded once; callers must not modify). */
  byte[] standardInquiry() {
    return standardInquiry;
  }

  private byte[] inquiry(Peripheral p) {
    return StandardInquiryData.builder().peripheral(p)
        .version(StandardInquiryData.VERSION_SPC4).hisup(true)
        .responseDataFormat(StandardInquiryData.RESPONSE_DATA_FORMAT)
        .tpgs(tpgs.code()).multip(ports.size() > 1).cmdque(true)
        .vendorId(vendor).productId(product).revision(revision)
        .addVersionDescriptor(0x00A0) // SAM-5
        .addVersionDescriptor(0x0460) // SPC-4
        .addVersionDescriptor(0x04C0) // SBC-3
        .addVersionDescriptor(0x0960) // iSCSI
        .build().encode();
  }

  /** SCSI name string designators for a target port and the target device, when the name allows. */
  List<Designator> nameDesignators(int relativeTargetPort) {
    if (!(name.startsWith("iqn.") || name.startsWith("eui.") || name.startsWith("naa."))) {
      return List.of();
    }
    try {
      return List.of(
          Designator.scsiNameString(name + ",t,0x" + String.format("%04x", relativeTargetPort),
              Association.TARGET_PORT),
          Designator.scsiNameString(name, Association.TARGET_DEVICE));
    } catch (IllegalArgumentException e) {
      return List.of(); // too long for a designator
    }
  }

  private void accessStateChanged(PortGroupChange change) {
    Nexus exceptNexus = null;
    int exceptLun = -1;
    if (change.cause() == PortGroupChange.Cause.EXPLICIT
        && change.requester() instanceof StpgRequester r) {
      exceptNexus = r.nexus();
      exceptLun = r.lun();
    }
    for (LogicalUnit lu : lus.values()) {
      lu.establishAll(Asc.ASYMMETRIC_ACCESS_STATE_CHANGED,
          lu.lun() == exceptLun ? exceptNexus : null);
    }
  }

  /**
   * The executor the logical units' serial executors run on: the builder's, or a pool of the
   * target's own with a few threads (2..4, by processors), whatever the number of LUs.
   */
  private Executor backing(Builder b) {
    if (b.executor != null) {
      return b.executor;
    }
    String prefix = "mpath-scsi-" + shortName(name) + "-";
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService es = Executors.newFixedThreadPool(threads, tf);
    ownedExecutors.add(es);
    return es;
  }

  private static String shortName(String n) {
    int colon = n.lastIndexOf(':');
    String s = colon >= 0 && colon < n.length() - 1 ? n.substring(colon + 1) : n;
    return s.length() > 24 ? s.substring(0, 24) : s;
  }

  /** NAA 6 (IEEE Registered Extended), OUI 001405, the rest from a digest of name and LUN. */
  static byte[] deriveNaa(String targetName, int lun) {
    byte[] h = digest("naa:" + targetName + ":" + lun);
    byte[] naa = new byte[16];
    naa[0] = (byte) (0x60 | (NAA_OUI >>> 20) & 0x0F);
    naa[1] = (byte) (NAA_OUI >>> 12);
    naa[2] = (byte) (NAA_OUI >>> 4);
    naa[3] = (byte) ((NAA_OUI & 0x0F) << 4 | (h[0] & 0x0F));
    System.arraycopy(h, 1, naa, 4, 12);
    return naa;
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ builder

  /** Builds a {@link ScsiTarget}. Not thread-safe. */
  public static final class Builder {
    record GroupSpec(int id, AluaState initial, boolean preferred, SupportedStates supported) {}

    private final String name;
    private final Scheduler scheduler;
    private String vendor = "MPATH";
    private String product = "EMULATED LU";
    private String revision = "0.1";
    private String serialBase;
    private Tpgs tpgs = Tpgs.BOTH;
    private final Map<Integer, GroupSpec> groups = new LinkedHashMap<>();
    private final Map<Integer, Integer> ports = new LinkedHashMap<>();
    private Duration implicitTransitionTime = Duration.ZERO;
    private final Map<Integer, LuSpec> luns = new TreeMap<>();
    private boolean powerOnUnitAttention = true;
    private Executor executor;

    private Builder(String name, Scheduler scheduler) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.length() > 223 || name.chars().anyMatch(c -> c <= 0x20)) {
        throw new IllegalArgumentException("target name must be 1..223 characters without "
            + "spaces or control characters: '" + name + "'");
      }
      this.name = name;
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** T10 VENDOR IDENTIFICATION: printable ASCII, at most 8 characters (default MPATH). */
    public Builder vendor(String v) {
      this.vendor = ascii(v, 8, "vendor");
      return this;
    }

    /** PRODUCT IDENTIFICATION: printable ASCII, at most 16 characters. */
    public Builder product(String v) {
      this.product = ascii(v, 16, "product");
      return this;
    }

    /** PRODUCT REVISION LEVEL: printable ASCII, at most 4 characters. */
    public Builder revision(String v) {
      this.revision = ascii(v, 4, "revision");
      return this;
    }

    /**
     * Prefix of the derived unit serial numbers (VPD 80h): printable ASCII without spaces, at
     * most 48 characters; the LUN is appended as 4 hex digits. Default: from the target name.
     */
    public Builder serialBase(String v) {
      ascii(v, 48, "serial base");
      if (v.isEmpty() || v.indexOf(' ') >= 0) {
        throw new IllegalArgumentException("serial base must be non-empty without spaces");
      }
      this.serialBase = v;
      return this;
    }

    /**
     * The ALUA support the target reports and enforces (default {@link Tpgs#BOTH}). With
     * {@link Tpgs#NONE} the port groups are ignored: every port serves every command, INQUIRY
     * reports TPGS 00b and REPORT/SET TARGET PORT GROUPS are refused.
     */
    public Builder tpgs(Tpgs value) {
      this.tpgs = Objects.requireNonNull(value, "tpgs");
      return this;
    }

    /**
     * Defines target port group {@code id}.
     *
     * @param id TARGET PORT GROUP, 0..65535
     * @param initial initial asymmetric access state (must be in {@code supported})
     * @param preferred the PREF bit
     * @param supported the states the group may enter
     */
    public Builder portGroup(int id, AluaState initial, boolean preferred,
        SupportedStates supported) {
      if (id < 0 || id > 0xFFFF) {
        throw new IllegalArgumentException("target port group id out of range: " + id);
      }
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(supported, "supported");
      if (!supported.contains(initial)) {
        throw new IllegalArgumentException("group " + id + ": initial state " + initial
            + " not in " + supported);
      }
      groups.put(id, new GroupSpec(id, initial, preferred, supported));
      return this;
    }

    /** A non-preferred group with {@link SupportedStates#DEFAULT}. */
    public Builder portGroup(int id, AluaState initial) {
      return portGroup(id, initial, false, SupportedStates.DEFAULT);
    }

    /**
     * Adds target port {@code relativePortId} (1..65535) in group {@code portGroupId}; a group
     * not defined with {@link #portGroup} is created active/optimized.
     */
    public Builder port(int relativePortId, int portGroupId) {
      if (relativePortId < 1 || relativePortId > 0xFFFF) {
        throw new IllegalArgumentException("relative port id out of range 1..65535: "
            + relativePortId);
      }
      if (portGroupId < 0 || portGroupId > 0xFFFF) {
        throw new IllegalArgumentException("target port group id out of range: " + portGroupId);
      }
      if (ports.putIfAbsent(relativePortId, portGroupId) != null) {
        throw new IllegalArgumentException("port " + relativePortId + " defined twice");
      }
      return this;
    }

    /** Time an implicit transition spends in transitioning (default zero: immediate). */
    public Builder implicitTransitionTime(Duration time) {
      if (time == null || time.isNegative()) {
        throw new IllegalArgumentException("transition time must be zero or positive: " + time);
      }
      this.implicitTransitionTime = time;
      return this;
    }

    /** Adds logical unit {@code lun} (0..16383). */
    public Builder lun(int lun, LuSpec spec) {
      if (lun < 0 || lun > Lun.MAX_FLAT_LUN) {
        throw new IllegalArgumentException("LUN out of range 0.." + Lun.MAX_FLAT_LUN + ": " + lun);
      }
      Objects.requireNonNull(spec, "spec");
      if (luns.putIfAbsent(lun, spec) != null) {
        throw new IllegalArgumentException("LUN " + lun + " defined twice");
      }
      return this;
    }

    /**
     * Whether a new I_T nexus gets UNIT ATTENTION, POWER ON, RESET, OR BUS DEVICE RESET
     * OCCURRED on its first command to each logical unit (default true, as LIO does).
     */
    public Builder powerOnUnitAttention(boolean on) {
      this.powerOnUnitAttention = on;
      return this;
    }

    /**
     * Runs the logical units' work on {@code executor} (each LU still one command at a time)
     * instead of one daemon thread per LU. It must not run tasks on the caller's stack. Tests
     * pass {@code r -> manualScheduler.schedule(r, 0, NANOSECONDS)} to drive everything by hand.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * @throws IllegalArgumentException with no port
     * @throws IllegalStateException when an APTPL file cannot be read back
     */
    public ScsiTarget build() {
      if (ports.isEmpty()) {
        throw new IllegalArgumentException("a target needs at least one port");
      }
      return new ScsiTarget(this);
    }

    private static String ascii(String v, int max, String what) {
      Objects.requireNonNull(v, what);
      if (v.length() > max || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
        throw new IllegalArgumentException(what + " must be printable ASCII, at most " + max
            + " characters: '" + v + "'");
      }
      return v;
    }
  }
}
