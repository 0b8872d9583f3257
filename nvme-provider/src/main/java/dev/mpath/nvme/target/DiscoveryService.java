package dev.mpath.nvme.target;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mpath.nvme.proto.AdminOpcode;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.DiscoveryLogPage;
import dev.mpath.nvme.proto.FeatureCommand;
import dev.mpath.nvme.proto.GetLogPageCommand;
import dev.mpath.nvme.proto.IdentifyCommand;
import dev.mpath.nvme.proto.IdentifyController;
import dev.mpath.nvme.proto.LogPageId;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import dev.mpath.spi.RateLimitedLog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A discovery subsystem (NVMe base 2.0, 3.1.3.3; the well-known discovery NQN): every
 * Connect to it gets a discovery controller (CNTRLTYPE 2) that answers Property Get/Set,
 * Identify Controller, Get Log Page 70h (the {@link DiscoveryLogPage} of the entries it is
 * given), Keep Alive, Set/Get Features (Asynchronous Event Configuration, Keep Alive Timer)
 * and holds Asynchronous Event Requests; anything else is Invalid Command Opcode. Like
 * nvmet, a controller connected with KATO 0 is dropped after {@link #IDLE_WITHOUT_KATO} of
 * silence, and one with a KATO after {@link KeepAliveTimer#toleratedIdleNanos}. All
 * controllers share one thread. Thread-safe.
 */
public final class DiscoveryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryService.class);
  private static final RateLimitedLog RLOG = new RateLimitedLog(DiscoveryService.class, 1000);
  /** How long a discovery controller connected with KATO 0 may stay silent (nvmet: 120 s). */
  public static final long IDLE_WITHOUT_KATO = TimeUnit.SECONDS.toNanos(120);
  /** Admin queue entries (CAP.MQES + 1). */
  public static final int QUEUE_ENTRIES = 32;
  static final int MDTS = 8; // 2^8 * 4 KiB = 1 MiB

  private final String nqn;
  private final Supplier<List<DiscoveryLogPage.Entry>> entries;
  private final AtomicLong generation = new AtomicLong(1);
  private final AtomicInteger cntlids = new AtomicInteger();
  private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(
      new ThreadFactoryBuilder().setDaemon(true).setNameFormat("nvme-discovery-%d").build());

  /**
   * @param nqn the discovery subsystem's NQN (normally the well-known one)
   * @param entries the log entries, asked for on every log read
   */
  public DiscoveryService(String nqn, Supplier<List<DiscoveryLogPage.Entry>> entries) {
    this.nqn = Objects.requireNonNull(nqn, "nqn");
    this.entries = Objects.requireNonNull(entries, "entries");
  }

  /** Tells readers that the entries changed (GENCTR moves on). */
  public void changed() {
    generation.incrementAndGet();
  }

  /** The log page as a read now sees it. */
  public DiscoveryLogPage logPage() {
    return new DiscoveryLogPage(generation.get(), entries.get());
  }

  /** A new discovery controller for an admin queue Connect. */
  public FabricsController connect(int port, String hostNqn, UUID hostId, int katoMillis,
      CompletionSink sink) {
    int id = 1 + (cntlids.getAndIncrement() & 0xFFEF) % 0xFFEF; // 1..FFEFh (dynamic range)
    Controller c = new Controller(id, port, hostNqn, hostId, katoMillis, sink);
    LOG.info("discovery controller {} for {} on port {} (kato {} ms)", id, hostNqn, port, katoMillis);
    return c;
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }

  /** The Identify Controller data of a discovery controller. */
  byte[] identify(int cntlid) {
    return IdentifyController.allocate()
        .sn("mpath-discovery")
        .mn("mpath discovery controller")
        .fr("0.1")
        .mdts(MDTS)
        .cntlid(cntlid)
        .ver(TargetController.VERSION)
        .cntrltype(IdentifyController.CNTRLTYPE_DISCOVERY)
        .aerl(3)
        .lpa(IdentifyController.LPA_EXTENDED_DATA) // LPO offsets into the log
        .kas(1)
        .sqes(0x66)
        .cqes(0x44)
        .maxcmd(QUEUE_ENTRIES)
        .sgls(1)
        .subnqn(nqn)
        .ioccsz(SubmissionQueueEntry.LENGTH / 16)
        .iorcsz(CompletionQueueEntry.LENGTH / 16)
        .msdbd(1)
        .toBytes();
  }

  private final class Controller implements FabricsController {
    final int cntlid;
    final int port;
    final String hostNqn;
    final UUID hostId;
    final CompletionSink sink;
    volatile int katoMillis;
    volatile long lastCommand = System.nanoTime();
    volatile boolean gone;
    int cc; // on exec
    int csts; // on exec
    final ScheduledFuture<?> idleCheck;

    Controller(int cntlid, int port, String hostNqn, UUID hostId, int katoMillis, CompletionSink sink) {
      this.cntlid = cntlid;
      this.port = port;
      this.hostNqn = hostNqn;
      this.hostId = hostId;
      this.katoMillis = katoMillis;
      this.sink = sink;
      this.idleCheck = exec.scheduleWithFixedDelay(this::checkIdle, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public int cntlid() {
      return cntlid;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public String hostNqn() {
      return hostNqn;
    }

    @Override
    public UUID hostId() {
      return hostId;
    }

    @Override
    public void connectIoQueue(int qid, int entries, CompletionSink s) {
      throw new IllegalStateException("a discovery controller has no I/O queues");
    }

    @Override
    public void disconnectIoQueue(int qid) {
      // none
    }

    @Override
    public void disconnect() {
      gone = true;
      idleCheck.cancel(false);
    }

    private void checkIdle() {
      long limit = katoMillis == 0 ? IDLE_WITHOUT_KATO : KeepAliveTimer.toleratedIdleNanos(katoMillis);
      if (!gone && System.nanoTime() - lastCommand > limit) {
        gone = true;
        idleCheck.cancel(false);
        LOG.info("discovery controller {} ({}): keep alive timeout", cntlid, hostNqn);
        sink.disconnected("keep alive timeout");
      }
    }

    @Override
    public void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data) {
      if (qid != 0) {
        throw new IllegalArgumentException("no queue " + qid);
      }
      lastCommand = System.nanoTime();
      ByteBuffer copy = ByteBuffer.allocate(SubmissionQueueEntry.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
      sqe.copyTo(copy, 0);
      exec.execute(() -> run(copy, data));
    }

    private void run(ByteBuffer raw, ByteBuffer data) {
      if (gone) {
        return;
      }
      SubmissionQueueEntry cmd;
      try {
        cmd = new SubmissionQueueEntry().wrap(raw, 0);
      } catch (NvmeProtocolException e) {
        throw new AssertionError(e);
      }
      long[] dw = new long[1];
      int status;
      try {
        status = admin(cmd, data, dw);
      } catch (RuntimeException e) {
        RLOG.warnFor("discovery", "discovery controller {}: {} failed", cntlid, cmd, e);
        status = NvmeStatus.INTERNAL_ERROR.field();
      }
      if (status < 0 || gone) {
        return; // held (AER)
      }
      CompletionQueueEntry cqe = CompletionQueueEntry.allocate().dw0((int) dw[0])
          .dw1((int) (dw[0] >>> 32)).sqid(0).cid(cmd.cid()).statusField(status);
      sink.complete(cqe);
    }

    private int admin(SubmissionQueueEntry cmd, ByteBuffer data, long[] dw) {
      int dnr = NvmeStatus.DNR_BIT;
      switch (cmd.opcode()) {
        case AdminOpcode.FABRICS:
          return fabrics(cmd, dw);
        case AdminOpcode.IDENTIFY:
          if (IdentifyCommand.cns(cmd) != IdentifyCommand.CNS_CONTROLLER) {
            return NvmeStatus.INVALID_FIELD.field() | dnr;
          }
          return out(identify(cntlid), 0, data);
        case AdminOpcode.GET_LOG_PAGE: {
          if (GetLogPageCommand.lid(cmd) != LogPageId.DISCOVERY) {
            return NvmeStatus.INVALID_LOG_PAGE.field() | dnr;
          }
          long offset = GetLogPageCommand.offsetBytes(cmd);
          byte[] page = logPage().toBytes();
          if (offset < 0 || offset > page.length) { // unsigned: 2^63 and more are past the end too
            return NvmeStatus.INVALID_FIELD.field() | dnr;
          }
          return out(page, (int) offset, data);
        }
        case AdminOpcode.KEEP_ALIVE:
          return 0;
        case AdminOpcode.SET_FEATURES:
          switch (FeatureCommand.fid(cmd)) {
            case FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION:
              return 0;
            case FeatureCommand.FID_KEEP_ALIVE_TIMER:
              katoMillis = cmd.cdw11();
              return 0;
            default:
              return NvmeStatus.INVALID_FIELD.field() | dnr;
          }
        case AdminOpcode.GET_FEATURES:
          switch (FeatureCommand.fid(cmd)) {
            case FeatureCommand.FID_ASYNC_EVENT_CONFIGURATION:
              return 0;
            case FeatureCommand.FID_KEEP_ALIVE_TIMER:
              dw[0] = katoMillis & 0xFFFF_FFFFL;
              return 0;
            default:
              return NvmeStatus.INVALID_FIELD.field() | dnr;
          }
        case AdminOpcode.ASYNC_EVENT_REQUEST:
          return -1; // held: this service raises no events (OAES 0)
        default:
          return NvmeStatus.INVALID_OPCODE.field() | dnr;
      }
    }

    /** Property Get/Set (Fabrics 1.1, 3.5 and 3.6): CAP, VS, CC, CSTS. */
    private int fabrics(SubmissionQueueEntry cmd, long[] dw) {
      int fctype = cmd.nsid() & 0xFF;
      int size = (cmd.cdw10() & 0x7) == 1 ? 8 : 4;
      int offset = cmd.cdw11();
      int invalid = NvmeStatus.INVALID_FIELD.field() | NvmeStatus.DNR_BIT;
      if (fctype == TargetController.FCTYPE_PROPERTY_GET) {
        switch (offset) {
          case TargetController.PROP_CAP:
            // MQES, CQR, TO 15 (7.5 s), CSS NVM; MPSMIN = MPSMAX = 0 (4 KiB)
            dw[0] = (QUEUE_ENTRIES - 1) | 1L << 16 | 15L << 24 | 1L << 37;
            return size == 8 ? 0 : invalid;
          case TargetController.PROP_VS:
            dw[0] = TargetController.VERSION;
            return 0;
          case TargetController.PROP_CC:
            dw[0] = cc & 0xFFFF_FFFFL;
            return 0;
          case TargetController.PROP_CSTS:
            dw[0] = csts & 0xFFFF_FFFFL;
            return 0;
          default:
            return invalid;
        }
      }
      if (fctype == TargetController.FCTYPE_PROPERTY_SET && offset == TargetController.PROP_CC) {
        int v = cmd.cdw12();
        cc = v;
        csts = (v & TargetController.CC_EN) != 0 ? TargetController.CSTS_RDY : 0;
        if ((v >>> TargetController.CC_SHN_SHIFT & 3) != 0) {
          csts |= TargetController.CSTS_SHST_COMPLETE;
        }
        return 0;
      }
      return invalid;
    }

    /** Copies {@code src[from..]} into the command's buffer; the rest of the buffer stays 0. */
    private int out(byte[] src, int from, ByteBuffer data) {
      if (data != null) {
        int n = Math.min(data.remaining(), src.length - from);
        data.put(data.position(), src, from, n);
      }
      return 0;
    }
  }
}
