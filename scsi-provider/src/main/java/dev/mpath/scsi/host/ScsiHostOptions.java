package dev.mpath.scsi.host;

import dev.mpath.spi.ProviderContext;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Host-side SCSI settings from {@code Multipath.builder().property(...)}.
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code scsi.initiator}</td><td>{@code iqn.2024-01.dev.mpath:host-<random>}</td><td>initiator name</td></tr>
 *   <tr><td>{@code scsi.isid}</td><td>{@code 00023d000001}</td><td>ISID of this host's sessions (the initiator port is {@code <name>,i,0x<isid>})</td></tr>
 *   <tr><td>{@code scsi.reconnect_delay_ms}</td><td>2000</td><td>between login attempts after a loss</td></tr>
 *   <tr><td>{@code scsi.replacement_timeout_ms}</td><td>120000</td><td>after this long without the
 *       nexus its paths are removed from their heads (open-iscsi replacement_timeout); URI
 *       {@code replacement_timeout_ms}</td></tr>
 *   <tr><td>{@code scsi.timeout_ms}</td><td>30000</td><td>a command not answered by then is aborted
 *       (ABORT TASK, then LOGICAL UNIT RESET, then the session is dropped) and its request
 *       cloned onto another path (Linux's SCSI command timeout); URI {@code timeout_ms}</td></tr>
 *   <tr><td>{@code scsi.abort_timeout_ms}</td><td>15000</td><td>bound of an ABORT TASK (open-iscsi
 *       abort_timeout); URI {@code abort_timeout_ms}</td></tr>
 *   <tr><td>{@code scsi.lu_reset_timeout_ms}</td><td>30000</td><td>bound of a LOGICAL UNIT RESET
 *       (open-iscsi lu_reset_timeout); URI {@code lu_reset_timeout_ms}</td></tr>
 *   <tr><td>{@code scsi.noop_out_interval_ms}</td><td>5000</td><td>iSCSI: idle time before a NOP-Out
 *       ping; 0 turns pings off; URI {@code noop_out_interval_ms}</td></tr>
 *   <tr><td>{@code scsi.noop_out_timeout_ms}</td><td>5000</td><td>iSCSI: an unanswered ping drops the
 *       connection after this; URI {@code noop_out_timeout_ms}</td></tr>
 * </table>
 */
public record ScsiHostOptions(
    String initiatorName, String isid, Duration reconnectDelay, Duration replacementTimeout,
    Duration commandTimeout, Duration abortTimeout, Duration luResetTimeout,
    Duration nopInterval, Duration nopTimeout) {

  /** The keys a URI may carry to override these options for its nexuses. */
  public static final java.util.Set<String> URI_KEYS = java.util.Set.of("replacement_timeout_ms",
      "timeout_ms", "abort_timeout_ms", "lu_reset_timeout_ms", "noop_out_interval_ms",
      "noop_out_timeout_ms");

  public static ScsiHostOptions from(ProviderContext ctx) {
    String name = ctx.property("scsi.initiator").orElseGet(() ->
        "iqn.2024-01.dev.mpath:host-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
    return new ScsiHostOptions(
        name,
        ctx.property("scsi.isid").orElse("00023d000001"),
        ms(ctx, "scsi.reconnect_delay_ms", 2000),
        ms(ctx, "scsi.replacement_timeout_ms", 120_000),
        ms(ctx, "scsi.timeout_ms", 30_000),
        ms(ctx, "scsi.abort_timeout_ms", 15_000),
        ms(ctx, "scsi.lu_reset_timeout_ms", 30_000),
        ms(ctx, "scsi.noop_out_interval_ms", 5000),
        ms(ctx, "scsi.noop_out_timeout_ms", 5000));
  }

  private static Duration ms(ProviderContext ctx, String key, long dflt) {
    String v = ctx.property(key).orElse(null);
    if (v == null) {
      return Duration.ofMillis(dflt);
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number of ms >= 0: '" + v + "'");
    }
  }

  /** These options with a URI's overrides ({@link #URI_KEYS}). */
  public ScsiHostOptions with(dev.mpath.spi.UriOptions o) {
    return new ScsiHostOptions(initiatorName, isid, reconnectDelay,
        o.duration("replacement_timeout_ms").orElse(replacementTimeout),
        o.duration("timeout_ms").orElse(commandTimeout),
        o.duration("abort_timeout_ms").orElse(abortTimeout),
        o.duration("lu_reset_timeout_ms").orElse(luResetTimeout),
        o.duration("noop_out_interval_ms").orElse(nopInterval),
        o.duration("noop_out_timeout_ms").orElse(nopTimeout));
  }

  /** The initiator port name: {@code <name>,i,0x<isid>} (SPC-4 iSCSI TransportID format 01b). */
  public String initiatorPort() {
    return initiatorName + ",i,0x" + isid;
  }
}
