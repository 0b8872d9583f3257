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
 *   <tr><td>{@code scsi.replacement_timeout_ms}</td><td>120000</td><td>after this long without the nexus its paths report FAILED (open-iscsi replacement_timeout)</td></tr>
 * </table>
 */
public record ScsiHostOptions(
    String initiatorName, String isid, Duration reconnectDelay, Duration replacementTimeout) {

  public static ScsiHostOptions from(ProviderContext ctx) {
    String name = ctx.property("scsi.initiator").orElseGet(() ->
        "iqn.2024-01.dev.mpath:host-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
    return new ScsiHostOptions(
        name,
        ctx.property("scsi.isid").orElse("00023d000001"),
        Duration.ofMillis(Long.parseLong(ctx.property("scsi.reconnect_delay_ms").orElse("2000"))),
        Duration.ofMillis(Long.parseLong(ctx.property("scsi.replacement_timeout_ms").orElse("120000"))));
  }

  /** The initiator port name: {@code <name>,i,0x<isid>} (SPC-4 iSCSI TransportID format 01b). */
  public String initiatorPort() {
    return initiatorName + ",i,0x" + isid;
  }
}
