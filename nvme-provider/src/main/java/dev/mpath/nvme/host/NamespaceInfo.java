package dev.mpath.nvme.host;

import dev.mpath.DeviceId;
import dev.mpath.nvme.proto.IdentifyNamespace;
import dev.mpath.nvme.proto.NamespaceIdDescriptorList;
import dev.mpath.nvme.proto.NvmeProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * What identification says about one namespace through one controller.
 *
 * <p>The WWID follows Linux {@code wwid_show}: the namespace UUID if there is one, else the
 * NGUID, else the EUI-64 (non-zero ones only), else {@code nvme.<vid>-<serial>-<model>-<nsid>}
 * with serial and model as hex of their bytes without trailing spaces.
 *
 * @param nguid 16 bytes, all zero when absent
 * @param eui64 8 bytes, all zero when absent
 * @param rescap Reservation Capabilities (RESCAP)
 */
public record NamespaceInfo(
    int nsid,
    int blockSize,
    long blocks,
    boolean shared,
    int anaGroupId,
    byte[] nguid,
    byte[] eui64,
    Optional<UUID> uuid,
    int csi,
    int rescap,
    DeviceId id) {

  static NamespaceInfo of(
      int nsid, IdentifyNamespace ns, NamespaceIdDescriptorList descs, int vid, String serial,
      String model) throws NvmeProtocolException {
    byte[] nguid = descs.nguid().orElse(ns.nguid());
    byte[] eui64 = descs.eui64().orElse(ns.eui64());
    Optional<UUID> uuid = descs.uuid();
    DeviceId id;
    if (uuid.isPresent()) {
      id = DeviceId.uuid(uuid.get());
    } else if (!zero(nguid)) {
      id = DeviceId.eui(nguid);
    } else if (!zero(eui64)) {
      id = DeviceId.eui(eui64);
    } else {
      HexFormat hex = HexFormat.of();
      id = DeviceId.nvme(String.format("%04x-%s-%s-%08x", vid,
          hex.formatHex(serial.strip().getBytes(StandardCharsets.US_ASCII)),
          hex.formatHex(model.strip().getBytes(StandardCharsets.US_ASCII)), nsid));
    }
    return new NamespaceInfo(
        nsid, ns.blockSize(), ns.nsze(), (ns.nmic() & 1) != 0, ns.anagrpid(), nguid, eui64,
        uuid, descs.csi().orElse(0), ns.rescap(), id);
  }

  /** Whether another controller's view names the same namespace (NGUID, EUI-64, UUID, CSI). */
  public boolean sameIdentity(NamespaceInfo o) {
    return Arrays.equals(nguid, o.nguid) && Arrays.equals(eui64, o.eui64) && uuid.equals(o.uuid)
        && csi == o.csi;
  }

  private static boolean zero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
