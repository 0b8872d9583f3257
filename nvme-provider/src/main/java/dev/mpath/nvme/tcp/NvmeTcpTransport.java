package dev.mpath.nvme.tcp;

import dev.mpath.nvme.host.NvmeTransport;
import dev.mpath.nvme.host.QueueHandler;
import dev.mpath.nvme.proto.CompletionQueueEntry;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import com.google.common.base.Splitter;
import dev.mpath.spi.NetAddress;
import dev.mpath.spi.PathFailureException;
import dev.mpath.wire.IoEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The NVMe/TCP host transport ({@code nvme+tcp://HOST[:PORT]/<subsystem NQN>}): one TCP
 * connection per queue (admin, then each I/O queue), spread over the event loops of an
 * {@link IoEngine} (the process's shared one unless given): no thread of its own. A queue's
 * completions reach its {@link QueueHandler} on its event loop; submissions from any thread
 * are handed to that loop without a lock and written in batches.
 *
 * <p>Submission: write data up to the in-capsule size (8 KiB on the admin queue,
 * {@link Target#inCapsuleDataSize} on I/O queues, default 8 KiB, and no more than the
 * controller's IOCCSZ allows once the host has {@linkplain #ioCapsuleDataSize told} it)
 * travels in the capsule; larger writes wait for the controller's R2T and go as H2CData PDUs
 * of at most MAXH2CDATA bytes. Read data arrives as C2HData PDUs copied into the caller's
 * buffer at absolute positions (its position and limit never move); a last C2HData with
 * SUCCESS stands for a successful completion. Digests (CRC32C) are asked for with the URI
 * query {@code ?hdgst=1&ddgst=1}.
 *
 * <p>The transport's own Fabrics commands (Connect, Property Get/Set) use command ids from
 * FF00h up, out of the host controller's range. A protocol error from the controller, a
 * C2HTermReq or a dead socket end the queue's connection and report
 * {@link QueueHandler#disconnected}; after {@link #close()} nothing is reported.
 */
public final class NvmeTcpTransport implements NvmeTransport {
  /** URI scheme. */
  public static final String SCHEME = "nvme+tcp";
  /** Admin queue entries asked for in Connect. */
  public static final int ADMIN_QUEUE_ENTRIES = 32;

  /**
   * Where and how to connect: the controller's address (an IP literal or a host name,
   * resolved when a queue connects, on that queue's thread) with an optional source address
   * or interface, the subsystem NQN, digests, the in-capsule data size of I/O queues and the
   * time bound of a connect.
   */
  public record Target(NetAddress address, String subsystemNqn, boolean headerDigest,
      boolean dataDigest, int inCapsuleDataSize, long connectTimeoutMillis) {
    /** The IANA port for NVMe/TCP I/O controllers (TCP transport spec 7.4.10). */
    public static final int DEFAULT_PORT = 4420;
    /** The IANA port for NVMe/TCP discovery controllers. */
    public static final int DEFAULT_DISCOVERY_PORT = 8009;

    public Target {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(subsystemNqn, "subsystemNqn");
      if (subsystemNqn.isEmpty() || subsystemNqn.getBytes(StandardCharsets.UTF_8).length > 223) {
        throw new IllegalArgumentException("subsystem NQN must be 1..223 bytes: '" + subsystemNqn + "'");
      }
      if (inCapsuleDataSize < 0 || inCapsuleDataSize > (1 << 20)) {
        throw new IllegalArgumentException("in-capsule data size " + inCapsuleDataSize);
      }
      if (connectTimeoutMillis <= 0) {
        throw new IllegalArgumentException("connect timeout " + connectTimeoutMillis + " ms");
      }
    }

    /** A target with digests off, 8 KiB of in-capsule data and a 10 s connect bound. */
    public static Target of(NetAddress address, String nqn) {
      return new Target(address, nqn, false, false, 8192, 10_000);
    }

    /** {@link #of(NetAddress, String)} for a resolved socket address (its IP literal). */
    public static Target of(InetSocketAddress address, String nqn) {
      return of(NetAddress.of(address.getAddress().getHostAddress(), address.getPort()), nqn);
    }

    /** Same target with digests as given. */
    public Target withDigests(boolean header, boolean data) {
      return new Target(address, subsystemNqn, header, data, inCapsuleDataSize,
          connectTimeoutMillis);
    }

    /** Same options, another address and subsystem (a discovery log entry's). */
    public Target to(NetAddress where, String nqn) {
      NetAddress a = address.sourceAddress() != null ? where.withSourceAddress(address.sourceAddress())
          : address.sourceInterface() != null ? where.withSourceInterface(address.sourceInterface())
          : where;
      return new Target(a, nqn, headerDigest, dataDigest, inCapsuleDataSize, connectTimeoutMillis);
    }

    /** Whether this is the discovery subsystem (a URI without a subsystem NQN). */
    public boolean isDiscovery() {
      return FabricsCommands.DISCOVERY_NQN.equals(subsystemNqn);
    }

    /**
     * Parses {@code nvme+tcp://host[:port][/<nqn>][?options]}. The host is an IPv4 or
     * bracketed IPv6 literal or a name; nothing is resolved here. Without a subsystem NQN
     * (or with the well-known discovery NQN) the URI names a discovery controller, and the
     * port defaults to 8009; otherwise to 4420. Options (nvme-cli's names):
     * {@code hdgst}/{@code hdr_digest}, {@code ddgst}/{@code data_digest} (0/1),
     * {@code icd} (in-capsule data bytes), {@code host_traddr} (source IP address),
     * {@code host_iface} (source interface). Anything else is refused.
     *
     * @throws IllegalArgumentException malformed
     */
    public static Target parse(URI uri) {
      if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("not an " + SCHEME + " URI: " + uri);
      }
      String path = uri.getPath();
      String nqn = path == null || path.length() < 2 ? FabricsCommands.DISCOVERY_NQN
          : path.substring(1);
      NetAddress address;
      try {
        address = NetAddress.parse(uri, FabricsCommands.DISCOVERY_NQN.equals(nqn)
            ? DEFAULT_DISCOVERY_PORT : DEFAULT_PORT);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expected nvme+tcp://<host>[:<port>]/<subsystem NQN>, got '"
            + uri + "': " + e.getMessage(), e);
      }
      boolean hd = false;
      boolean dd = false;
      int icd = 8192;
      String q = uri.getQuery();
      if (q != null && !q.isEmpty()) {
        for (String kv : Splitter.on('&').omitEmptyStrings().split(q)) {
          int eq = kv.indexOf('=');
          String k = eq < 0 ? kv : kv.substring(0, eq);
          String v = eq < 0 ? "1" : kv.substring(eq + 1);
          switch (k) {
            case "hdgst":
            case "hdr_digest":
              hd = flag(k, v);
              break;
            case "ddgst":
            case "data_digest":
              dd = flag(k, v);
              break;
            case "icd":
              try {
                icd = Integer.parseInt(v);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("icd must be a number of bytes: " + v);
              }
              break;
            case "host_traddr":
              address = address.withSourceAddress(v);
              break;
            case "host_iface":
              address = address.withSourceInterface(v);
              break;
            default:
              throw new IllegalArgumentException("unknown option '" + k + "' in " + uri);
          }
        }
      }
      return new Target(address, nqn, hd, dd, icd, 10_000);
    }

    private static boolean flag(String k, String v) {
      switch (v.toLowerCase(java.util.Locale.ROOT)) {
        case "1":
        case "true":
        case "on":
          return true;
        case "0":
        case "false":
        case "off":
          return false;
        default:
          throw new IllegalArgumentException(k + " must be 0/1/true/false: " + v);
      }
    }
  }

  private final Target target;
  private final IoEngine engine;
  private final Map<Integer, NvmeTcpHostQueue> queues = new ConcurrentHashMap<>();
  /** I/O queues at index qid - 1 (null until connected; copy on write, rarely). */
  private volatile NvmeTcpHostQueue[] ioQueues = new NvmeTcpHostQueue[0];
  private final AtomicInteger internalCid = new AtomicInteger();
  private volatile boolean closed;
  private volatile int cntlid = -1;
  private volatile int ioInCapsule;
  private volatile String hostNqn;
  private volatile UUID hostId;

  /** A transport on the process's shared {@link IoEngine}. */
  public NvmeTcpTransport(Target target) {
    this(target, IoEngine.shared());
  }

  /** A transport whose queues run on {@code engine}'s event loops. */
  public NvmeTcpTransport(Target target, IoEngine engine) {
    this.target = Objects.requireNonNull(target, "target");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.ioInCapsule = target.inCapsuleDataSize();
  }

  @Override
  public String address() {
    return SCHEME + "://" + target.address().hostPort() + "/" + target.subsystemNqn();
  }

  /** Where and how this transport connects. */
  public Target target() {
    return target;
  }

  @Override
  public CompletableFuture<Integer> connectAdmin(
      String subsystemNqn, String hostNqn, UUID hostId, int katoMillis, QueueHandler admin) {
    this.hostNqn = hostNqn;
    this.hostId = hostId;
    return connectQueue(0, ADMIN_QUEUE_ENTRIES, katoMillis, FabricsCommands.CNTLID_DYNAMIC,
        subsystemNqn, admin)
        .thenApply(id -> {
          cntlid = id;
          return id;
        });
  }

  /**
   * I/O queues carry at most {@code bytes} of write data in the capsule (the controller's
   * IOCCSZ less the SQE), and never more than the target's {@code icd}.
   */
  @Override
  public void ioCapsuleDataSize(int bytes) {
    ioInCapsule = Math.max(0, Math.min(bytes, target.inCapsuleDataSize()));
  }

  @Override
  public CompletableFuture<Void> connectIo(int qid, int size, QueueHandler handler) {
    if (cntlid < 0 || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    if (qid < 1 || qid > 0xFFFE || size < 2 || size > 0x10000) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("qid " + qid + " size " + size));
    }
    return connectQueue(qid, size, 0, cntlid, target.subsystemNqn(), handler)
        .thenApply(id -> null);
  }

  /** The I/O queue whose event loop the caller runs on, or -1. */
  @Override
  public int queueOfThisThread() {
    for (NvmeTcpHostQueue q : ioQueues) {
      if (q != null && q.onLoop()) {
        return q.qid();
      }
    }
    return -1;
  }

  private CompletableFuture<Integer> connectQueue(int qid, int size, int kato, int cntlidIn,
      String nqn, QueueHandler handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": closed"));
    }
    NvmeTcpHostQueue q = new NvmeTcpHostQueue(address(), qid, size,
        qid == 0 ? NvmeTcpListener.ADMIN_IN_CAPSULE_DATA : ioInCapsule, target.headerDigest(),
        target.dataDigest(), handler);
    if (queues.putIfAbsent(qid, q) != null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("queue " + qid + " is already connected"));
    }
    CompletableFuture<Integer> f = engine.connect(target.address(),
            Duration.ofMillis(target.connectTimeoutMillis()), () -> q)
        .thenCompose(ch -> q.ready)
        .thenCompose(v -> {
          SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
          int cid = nextInternalCid();
          FabricsCommands.connect(sqe, cid, qid, size - 1,
              FabricsCommands.CATTR_DISABLE_SQ_FLOW_CONTROL, kato);
          ByteBuffer data = FabricsCommands.connectData(hostId, cntlidIn, nqn, hostNqn);
          return q.internal(sqe, data);
        })
        .thenApply(cqe -> {
          int status = statusOf(cqe);
          if (NvmeStatus.code(status) != 0) {
            throw new CompletionException(new PathFailureException(address() + ": Connect of queue "
                + qid + " refused: " + NvmeStatus.fromField(status)
                + String.format(" (DW0 0x%08x)", ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN).getInt(0))));
          }
          q.connected = true;
          if (qid > 0) {
            addIoQueue(q);
          }
          return ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xFFFF;
        });
    return bound(f, "Connect of queue " + qid).whenComplete((v, e) -> {
      if (e != null) {
        q.shutdown();
        queues.remove(qid, q);
      } else if (closed) {
        q.shutdown();
      }
    });
  }

  private synchronized void addIoQueue(NvmeTcpHostQueue q) {
    NvmeTcpHostQueue[] a = Arrays.copyOf(ioQueues, Math.max(ioQueues.length, q.qid()));
    a[q.qid() - 1] = q;
    ioQueues = a;
  }

  private <T> CompletableFuture<T> bound(CompletableFuture<T> f, String what) {
    return f.orTimeout(target.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
        .handle((v, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(v);
          }
          Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (t instanceof TimeoutException) {
            t = new PathFailureException(address() + ": " + what + " timed out");
          } else if (!(t instanceof PathFailureException)
              && !(t instanceof IllegalArgumentException)) {
            t = new PathFailureException(address() + ": " + what + ": " + t.getMessage(), t);
          }
          return CompletableFuture.<T>failedFuture(t);
        })
        .thenCompose(x -> x);
  }

  private int nextInternalCid() {
    return NvmeTcpHostQueue.INTERNAL_CID_BASE + (internalCid.getAndIncrement() & 0xFF) % 0xFF;
  }

  private static int statusOf(byte[] cqe) {
    return (ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN)
        .getShort(CompletionQueueEntry.STATUS_OFFSET) & 0xFFFF) >>> 1;
  }

  @Override
  public CompletableFuture<Long> propertyGet(int offset, int size) {
    NvmeTcpHostQueue q = queues.get(0);
    if (q == null || !q.connected || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    FabricsCommands.propertyGet(sqe, nextInternalCid(), offset, size);
    return bound(q.internal(sqe, null).thenApply(cqe -> {
      int status = statusOf(cqe);
      if (NvmeStatus.code(status) != 0) {
        throw new CompletionException(new PathFailureException(String.format(
            "%s: Property Get 0x%x: %s", address(), offset, NvmeStatus.fromField(status))));
      }
      ByteBuffer b = ByteBuffer.wrap(cqe).order(ByteOrder.LITTLE_ENDIAN);
      return size == 8 ? b.getLong(0) : b.getInt(0) & 0xFFFF_FFFFL;
    }), "Property Get");
  }

  @Override
  public CompletableFuture<Void> propertySet(int offset, int size, long value) {
    NvmeTcpHostQueue q = queues.get(0);
    if (q == null || !q.connected || closed) {
      return CompletableFuture.failedFuture(new PathFailureException(address() + ": not connected"));
    }
    SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    FabricsCommands.propertySet(sqe, nextInternalCid(), offset, size, value);
    return bound(q.internal(sqe, null).thenApply(cqe -> {
      int status = statusOf(cqe);
      if (NvmeStatus.code(status) != 0) {
        throw new CompletionException(new PathFailureException(String.format(
            "%s: Property Set 0x%x: %s", address(), offset, NvmeStatus.fromField(status))));
      }
      return (Void) null;
    }), "Property Set");
  }

  /**
   * Queues a command on {@code qid}'s connection (any thread; written by its event loop).
   * The SQE is copied before return; {@code data} must stay untouched until the command
   * completes.
   */
  @Override
  public void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data) {
    NvmeTcpHostQueue[] io = ioQueues;
    NvmeTcpHostQueue q = qid > 0 ? (qid <= io.length ? io[qid - 1] : null) : queues.get(0);
    if (q == null || closed) {
      return; // the association is gone; the host fails outstanding commands itself
    }
    q.submit(sqe, data);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NvmeTcpHostQueue q : queues.values()) {
      q.shutdown();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }
}
