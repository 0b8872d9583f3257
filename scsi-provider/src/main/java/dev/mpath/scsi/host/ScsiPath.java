package dev.mpath.scsi.host;

import dev.mpath.AccessState;
import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import dev.mpath.PathState;
import dev.mpath.alua.AluaCommandException;
import dev.mpath.alua.AluaCommands;
import dev.mpath.alua.AluaHandler;
import dev.mpath.alua.AluaPathInfo;
import dev.mpath.alua.ReportTargetPortGroupsCdb;
import dev.mpath.alua.RtpgFormat;
import dev.mpath.alua.SetTargetPortGroupsCdb;
import dev.mpath.scsi.proto.ReadWriteCdb;
import dev.mpath.scsi.proto.SenseData;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.SynchronizeCacheCdb;
import dev.mpath.scsi.proto.TestUnitReadyCdb;
import dev.mpath.scsi.proto.UnmapBlockDescriptor;
import dev.mpath.scsi.proto.UnmapCdb;
import dev.mpath.scsi.proto.UnmapParameterList;
import dev.mpath.spi.Disposition;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import dev.mpath.spi.PathSink;
import dev.mpath.spi.ProviderPath;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical unit through one I_T nexus: a SCSI path ({@code sd<letters>:<index>}). The
 * head hands it clones (clone failover style), so a partial or failed attempt never
 * touches the caller's request. Access state and priority come from the ALUA handler when
 * the LU reports TPGS; otherwise the path is active/optimized.
 */
public final class ScsiPath implements ProviderPath {
  private static final Logger LOG = LoggerFactory.getLogger(ScsiPath.class);

  /** What identification found on this nexus. */
  public record LuInfo(
      DeviceId id, long blocks, int blockSize, int relativeTargetPort, int targetPortGroup,
      int tpgs, String vendor, String product, long maxTransferBlocks) {
    LuInfo withMaxTransfer(long max) {
      return new LuInfo(id, blocks, blockSize, relativeTargetPort, targetPortGroup, tpgs, vendor,
          product, max);
    }
  }

  private final ScsiSession session;
  private final int lun;
  private final LuInfo lu;
  private final ScsiPathReservations reservations = new ScsiPathReservations(this);
  private volatile PathSink sink;
  private volatile AluaHandler alua;
  private volatile AluaPathInfo aluaInfo;
  /** NOT READY 04/0A seen; cleared by the next ALUA report. */
  private volatile boolean transitioning;

  ScsiPath(ScsiSession session, int lun, LuInfo lu) {
    this.session = session;
    this.lun = lun;
    this.lu = lu;
  }

  ScsiSession session() {
    return session;
  }

  /** The head's side, once attached. */
  PathSink sink() {
    return sink;
  }

  int lun() {
    return lun;
  }

  public LuInfo lu() {
    return lu;
  }

  /** The head-assigned name once attached, else the transport address. */
  String displayName() {
    PathSink s = sink;
    return s != null ? s.name() : session.address() + " lun " + lun;
  }

  /** Starts ALUA handling (when the LU reports TPGS); completes after the first check. */
  CompletableFuture<Void> startAlua(dev.mpath.spi.Scheduler scheduler) {
    dev.mpath.alua.Tpgs tpgs = dev.mpath.alua.Tpgs.fromInquiryByte5(lu.tpgs() << 4);
    if (!tpgs.supported()) {
      return CompletableFuture.completedFuture(null);
    }
    AluaHandler h = new AluaHandler(
        session.address() + " lun " + lun, new Commands(), scheduler, tpgs, lu.targetPortGroup(),
        (before, now) -> {
          aluaInfo = now;
          transitioning = false;
          changed();
        });
    alua = h;
    return h.attach().handle((info, e) -> {
      if (e != null) {
        LOG.warn("{}: first ALUA check failed: {}", displayName(), e.toString());
      } else {
        aluaInfo = info;
      }
      return null;
    });
  }

  void sessionUp() {
    AluaHandler h = alua;
    if (h != null) {
      h.recheck();
    }
    changed();
  }

  void changed() {
    PathSink s = sink;
    if (s != null) {
      s.stateChanged();
    }
  }

  void onSense(SenseData s) {
    if (s.senseKey() == SenseKey.UNIT_ATTENTION && s.asc() == 0x3F && s.ascq() == 0x0E) {
      session.lunsChanged(); // REPORTED LUNS DATA HAS CHANGED (SPC-4 6.33)
    }
    AluaHandler h = alua;
    if (h != null) {
      h.onSense(s.senseKey().code(), s.asc(), s.ascq());
    }
  }

  void close() {
    AluaHandler h = alua;
    if (h != null) {
      h.close();
    }
  }

  // ------------------------------------------------------------------ ProviderPath

  @Override
  public void attached(PathSink sink) {
    this.sink = sink;
  }

  @Override
  public DeviceId deviceId() {
    return lu.id();
  }

  @Override
  public String transport() {
    return session.address() + " lun " + lun;
  }

  @Override
  public int blockSize() {
    return lu.blockSize();
  }

  @Override
  public long capacityBlocks() {
    return lu.blocks();
  }

  @Override
  public PathState state() {
    return session.state();
  }

  @Override
  public AccessState accessState() {
    if (alua == null) {
      return AccessState.OPTIMIZED;
    }
    if (transitioning) {
      return AccessState.TRANSITIONING;
    }
    AluaPathInfo i = aluaInfo;
    return i == null ? AccessState.TRANSITIONING : i.accessState();
  }

  @Override
  public int priority() {
    AluaPathInfo i = aluaInfo;
    return i == null ? ProviderPath.super.priority() : i.priority();
  }

  @Override
  public boolean preferred() {
    AluaPathInfo i = aluaInfo;
    return i != null && i.preferred();
  }

  /** Explicit ALUA can turn a standby port group active (STPG). */
  @Override
  public boolean canActivate() {
    AluaHandler h = alua;
    return h != null && h.tpgs().explicit();
  }

  @Override
  public void activate() {
    AluaHandler h = alua;
    if (h != null) {
      h.activate();
    }
  }

  @Override
  public PathReservations reservations() {
    return reservations;
  }

  @Override
  public void submit(IoRequest a) {
    byte[] cdb;
    ByteBuffer data = null;
    int length = 0;
    switch (a.op()) {
      case READ:
      case WRITE: {
        long max = lu.maxTransferBlocks();
        if (max > 0 && a.blocks() > max) {
          split(a, a.buffer(), (int) max);
          return;
        }
        // the I/O path: the CDB goes into the command's own arrays, nothing is allocated
        ScsiSession.Command c = session.command();
        if (c == null) {
          sink.complete(a, Disposition.PATH_ERROR, lost(session.address()));
          return;
        }
        length = a.blocks() * lu.blockSize();
        cdb = ReadWriteCdb.layoutSmallest(a.op() == dev.mpath.IoOp.WRITE, a.lba(), a.blocks(),
            c.cdb10, c.cdb16);
        session.send(c, this, a, length, lun, cdb, a.buffer(), length);
        return;
      }
      case FLUSH:
        cdb = SynchronizeCacheCdb.all16().toBytes();
        break;
      case WRITE_ZEROES:
        // WRITE with a zero buffer: every target has WRITE; WRITE SAME support varies
        cdb = ReadWriteCdb.of(true, a.lba(), a.blocks(), false, false).toBytes();
        length = a.blocks() * lu.blockSize();
        data = ByteBuffer.allocate(length);
        break;
      case DISCARD:
        byte[] params = new UnmapParameterList(
            List.of(new UnmapBlockDescriptor(a.lba(), a.blocks()))).encode();
        cdb = UnmapCdb.of(params.length).toBytes();
        data = ByteBuffer.wrap(params);
        length = params.length;
        break;
      default:
        throw new AssertionError(a.op());
    }
    int expected = a.op().hasData() || a.op() == dev.mpath.IoOp.WRITE_ZEROES ? length : 0;
    long max = lu.maxTransferBlocks();
    if (max > 0 && expected > 0 && a.blocks() > max) {
      split(a, data, (int) max);
      return;
    }
    execute(a, cdb, data, length, expected);
  }

  /** The first piece of a split attempt that did not end GOOD. */
  private record PieceFailure(ScsiResult result, int expected, Throwable error) {}

  /**
   * A transfer beyond the LU's MAXIMUM TRANSFER LENGTH (VPD B0h), sent as several commands
   * through this nexus (Linux splits at max_hw_sectors the same way). The attempt completes
   * once: GOOD if every piece was, otherwise as the first piece that was not.
   */
  private void split(IoRequest a, ByteBuffer data, int maxBlocks) {
    boolean write = a.op() != dev.mpath.IoOp.READ;
    int bs = lu.blockSize();
    int pieces = (a.blocks() + maxBlocks - 1) / maxBlocks;
    AtomicInteger left = new AtomicInteger(pieces);
    AtomicReference<PieceFailure> firstFailure = new AtomicReference<>();
    for (int i = 0; i < pieces; i++) {
      int first = i * maxBlocks;
      int n = Math.min(maxBlocks, a.blocks() - first);
      ByteBuffer piece = data.duplicate();
      piece.limit(data.position() + (first + n) * bs).position(data.position() + first * bs);
      byte[] cdb = ReadWriteCdb.of(write, a.lba() + first, n, false, false).toBytes();
      int bytes = n * bs;
      session.execute(lun, cdb, piece, bytes).whenComplete((r, e) -> {
        if (e != null) {
          firstFailure.compareAndSet(null, new PieceFailure(null, bytes, unwrap(e)));
        } else if (ScsiClassifier.classify(r, bytes, displayName()).disposition() != Disposition.SUCCESS) {
          firstFailure.compareAndSet(null, new PieceFailure(r, bytes, null));
        }
        if (left.decrementAndGet() == 0) {
          PieceFailure f = firstFailure.get();
          if (f == null) {
            sink.complete(a, Disposition.SUCCESS, null);
          } else {
            complete(a, f.result(), f.error(), f.expected());
          }
        }
      });
    }
  }

  private void execute(IoRequest a, byte[] cdb, ByteBuffer data, int length, int expected) {
    session.execute(lun, cdb, data, length).whenComplete((r, e) -> complete(a, r, unwrap(e), expected));
  }

  /**
   * The answer to an I/O attempt sent with {@link ScsiSession#send}: GOOD with every byte
   * moved completes it without allocating; anything else is classified as below.
   */
  void completed(IoRequest a, int status, byte[] sense, int transferred, int residual,
      int expected) {
    if (status == ScsiResult.GOOD && residual <= 0 && transferred >= expected) {
      sink.complete(a, Disposition.SUCCESS, null);
      return;
    }
    complete(a, new ScsiResult(status, sense, transferred, residual), null, expected);
  }

  /** An I/O attempt sent with {@link ScsiSession#send} was lost with its nexus or given up. */
  void failed(IoRequest a, Throwable error) {
    sink.complete(a, Disposition.PATH_ERROR, error);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Classifies one attempt's outcome and reports it (exactly once per attempt). */
  private void complete(IoRequest a, ScsiResult r, Throwable e, int expected) {
    PathSink s = sink;
    if (e != null) {
      s.complete(a, Disposition.PATH_ERROR, e);
      return;
    }
    ScsiClassifier.Verdict v = ScsiClassifier.classify(r, expected, displayName());
    if (v.aluaRecheck() || v.disposition() == Disposition.PATH_ERROR) {
      r.senseData().ifPresent(sd -> {
        AluaHandler h = alua;
        if (sd.senseKey() == SenseKey.NOT_READY && sd.asc() == 0x04 && sd.ascq() == 0x0A && h != null) {
          // Transitioning until the handler has looked again; its answer (even an
          // unchanged one, which the listener would not report) ends this.
          transitioning = true;
          changed();
          h.recheck().whenComplete((info, err) -> {
            if (info != null) {
              aluaInfo = info;
            }
            transitioning = false;
            changed();
          });
        } else {
          onSense(sd);
        }
      });
    }
    switch (v.disposition()) {
      case SUCCESS:
        s.complete(a, Disposition.SUCCESS, null);
        break;
      case RETRY:
        s.retry(a, v.error(), v.retryDelayMillis(), TimeUnit.MILLISECONDS);
        break;
      default:
        s.complete(a, v.disposition(), v.error());
    }
  }

  /** TEST UNIT READY checker: up unless the nexus fails (ALUA states are not failures). */
  /** TEST UNIT READY is a command: bounded like one, by the nexus's command timeout. */
  @Override
  public java.time.Duration checkTimeout() {
    return session.options().commandTimeout();
  }

  @Override
  public CompletableFuture<Boolean> check() {
    if (session.state() != PathState.LIVE) {
      return CompletableFuture.completedFuture(false);
    }
    return session.execute(lun, new TestUnitReadyCdb(0).toBytes(), null, 0).handle((r, e) -> {
      if (e != null) {
        return false;
      }
      if (r.good()) {
        return true;
      }
      var sd = r.senseData();
      sd.ifPresent(this::onSense);
      return sd.map(s -> s.senseKey() == SenseKey.UNIT_ATTENTION || s.senseKey() == SenseKey.NOT_READY)
          .orElse(false);
    });
  }

  @Override
  public String toString() {
    return displayName();
  }

  /** The ALUA handler's commands over this nexus. */
  private final class Commands implements AluaCommands {
    @Override
    public CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat format, int allocationLength) {
      ByteBuffer buf = ByteBuffer.allocate(allocationLength);
      return run(ReportTargetPortGroupsCdb.of(format, allocationLength).encode(), buf, allocationLength)
          .thenApply(r -> {
            byte[] out = new byte[Math.min(allocationLength, Math.max(0, r.transferred()))];
            buf.get(0, out);
            return out;
          });
    }

    @Override
    public CompletableFuture<Void> setTargetPortGroups(byte[] parameterList) {
      return run(new SetTargetPortGroupsCdb(parameterList.length, 0).encode(),
          ByteBuffer.wrap(parameterList), parameterList.length).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> testUnitReady() {
      return run(new TestUnitReadyCdb(0).toBytes(), null, 0).thenApply(r -> null);
    }

    private CompletableFuture<ScsiResult> run(byte[] cdb, ByteBuffer data, int len) {
      return session.execute(lun, cdb, data, len).thenCompose(r -> {
        if (r.good()) {
          return CompletableFuture.completedFuture(r);
        }
        var sd = r.senseData();
        if (r.status() == ScsiResult.CHECK_CONDITION && sd.isPresent()) {
          SenseData s = sd.get();
          return CompletableFuture.failedFuture(
              AluaCommandException.checkCondition(s.senseKey().code(), s.asc(), s.ascq()));
        }
        return CompletableFuture.failedFuture(AluaCommandException.status(r.status()));
      });
    }
  }

  static PathFailureException lost(String where) {
    return new PathFailureException(where + ": nexus lost");
  }
}
