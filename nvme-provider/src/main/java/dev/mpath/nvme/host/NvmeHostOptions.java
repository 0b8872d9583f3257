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
 *   <tr><td>{@code nvme.io_queue_depth}</td><td>128</td><td>I/O queue entries</td></tr>
 * </table>
 */
public record NvmeHostOptions(
    String hostNqn,
    UUID hostId,
    int katoMillis,
    Duration reconnectDelay,
    Duration ctrlLossTimeout,
    Duration fastIoFailTimeout,
    int ioQueueDepth) {

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
        (int) millis(ctx, "nvme.io_queue_depth", 128));
  }

  private static long millis(ProviderContext ctx, String key, long dflt) {
    return ctx.property(key)
        .map(
            v -> {
              try {
                return Long.parseLong(v.trim());
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number of ms: '" + v + "'");
              }
            })
        .orElse(dflt);
  }

  private static Duration durationOrNull(long ms) {
    return ms < 0 ? null : Duration.ofMillis(ms);
  }
}
