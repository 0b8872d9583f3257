package dev.mpath.nvme.host;

import dev.mpath.spi.ProviderContext;
import java.time.Duration;
import java.util.UUID;

/**
 * Host-side settings, read from {@code Multipath.builder().property(...)} with the Linux
 * nvme-cli connect defaults.
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code nvme.hostnqn}</td><td>{@code nqn.2014-08.org.nvmexpress:uuid:<hostid>}</td><td>host NQN</td></tr>
 *   <tr><td>{@code nvme.hostid}</td><td>random per Multipath instance</td><td>host identifier (UUID)</td></tr>
 *   <tr><td>{@code nvme.kato_ms}</td><td>5000</td><td>keep alive timeout; 0 turns keep alive off</td></tr>
 *   <tr><td>{@code nvme.reconnect_delay_ms}</td><td>10000</td><td>between reconnect attempts</td></tr>
 *   <tr><td>{@code nvme.ctrl_loss_tmo_ms}</td><td>600000</td><td>give a lost controller up after this; -1 never</td></tr>
 *   <tr><td>{@code nvme.fast_io_fail_tmo_ms}</td><td>-1 (off)</td><td>stop queueing I/O for a reconnecting controller after this</td></tr>
 *   <tr><td>{@code nvme.io_queue_depth}</td><td>128</td><td>I/O queue entries (at most what
 *       CAP.MQES allows)</td></tr>
 *   <tr><td>{@code nvme.nr_io_queues}</td><td>0: one per processor</td><td>I/O queues asked
 *       for per controller (at most what it grants; URI: {@code nr_io_queues})</td></tr>
 *   <tr><td>{@code nvme.io_timeout_ms}</td><td>30000</td><td>an I/O command not completed by then is
 *       aborted, then the controller reset; its request fails over (URI: {@code io_timeout_ms})</td></tr>
 *   <tr><td>{@code nvme.admin_timeout_ms}</td><td>60000</td><td>an admin command not completed by
 *       then resets the controller (URI: {@code admin_timeout_ms})</td></tr>
 * </table>
 */
public record NvmeHostOptions(
    String hostNqn,
    UUID hostId,
    int katoMillis,
    Duration reconnectDelay,
    Duration ctrlLossTimeout,
    Duration fastIoFailTimeout,
    int ioQueueDepth,
    Duration ioTimeout,
    Duration adminTimeout,
    int nrIoQueues) {

  /** Linux nvme_core {@code io_timeout}: 30 s. */
  public static final long DEFAULT_IO_TIMEOUT_MS = 30_000;
  /** Linux nvme_core {@code admin_timeout}: 60 s. */
  public static final long DEFAULT_ADMIN_TIMEOUT_MS = 60_000;

  public NvmeHostOptions {
    if (ioTimeout.isNegative() || ioTimeout.isZero() || adminTimeout.isNegative()
        || adminTimeout.isZero()) {
      throw new IllegalArgumentException("command timeouts must be positive: io " + ioTimeout
          + ", admin " + adminTimeout);
    }
    if (nrIoQueues < 0 || ioQueueDepth < 2) {
      throw new IllegalArgumentException("nr_io_queues " + nrIoQueues + ", io_queue_depth "
          + ioQueueDepth + " (at least 2)");
    }
  }

  /**
   * These options with a URI's own: {@code io_timeout_ms}, {@code admin_timeout_ms} and
   * {@code nr_io_queues} in its query override the provider's (null: keep).
   */
  public NvmeHostOptions withUri(Duration io, Duration admin, Integer queues) {
    return new NvmeHostOptions(hostNqn, hostId, katoMillis, reconnectDelay, ctrlLossTimeout,
        fastIoFailTimeout, ioQueueDepth, io == null ? ioTimeout : io,
        admin == null ? adminTimeout : admin, queues == null ? nrIoQueues : queues);
  }

  /** Reads the options from the provider context. */
  public static NvmeHostOptions from(ProviderContext ctx) {
    UUID hostId =
        ctx.property("nvme.hostid").map(UUID::fromString).orElseGet(UUID::randomUUID);
    String hostNqn =
        ctx.property("nvme.hostnqn").orElse("nqn.2014-08.org.nvmexpress:uuid:" + hostId);
    return new NvmeHostOptions(
        hostNqn,
        hostId,
        (int) millis(ctx, "nvme.kato_ms", 5000),
        Duration.ofMillis(millis(ctx, "nvme.reconnect_delay_ms", 10_000)),
        durationOrNull(millis(ctx, "nvme.ctrl_loss_tmo_ms", 600_000)),
        durationOrNull(millis(ctx, "nvme.fast_io_fail_tmo_ms", -1)),
        (int) millis(ctx, "nvme.io_queue_depth", 128),
        Duration.ofMillis(millis(ctx, "nvme.io_timeout_ms", DEFAULT_IO_TIMEOUT_MS)),
        Duration.ofMillis(millis(ctx, "nvme.admin_timeout_ms", DEFAULT_ADMIN_TIMEOUT_MS)),
        (int) millis(ctx, "nvme.nr_io_queues", 0));
  }

  private static long millis(ProviderContext ctx, String key, long dflt) {
    return ctx.property(key)
        .map(
            v -> {
              try {
                return Long.parseLong(v.trim());
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number" + (key.endsWith("_ms") ? " of ms" : "") + ": '" + v + "'");
              }
            })
        .orElse(dflt);
  }

  private static Duration durationOrNull(long ms) {
    return ms < 0 ? null : Duration.ofMillis(ms);
  }
}
