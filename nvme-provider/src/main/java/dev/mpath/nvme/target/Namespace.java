package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.store.BackingStore;
import dev.mpath.store.BackingStores;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A namespace of a running subsystem: its geometry, identifiers, medium, reservations and
 * attachment. Thread-safety: immutable but for the attachment sets, which are guarded by the
 * subsystem's lock, and the reservations (their own).
 */
final class Namespace {

  final NamespaceSpec spec;
  final int nsid;
  final int blockSize;
  final int blockShift;
  final long blocks;
  final BackingStore store;
  final byte[] nguid; // 16 bytes, zeros when absent
  final byte[] eui64; // 8 bytes, zeros when absent
  final UUID uuid; // null when absent
  final boolean hasNguid;
  final boolean hasEui64;
  final boolean shared;
  final int anaGroup;
  final AnaGroup group;
  final Reservations reservations = new Reservations();

  /** Ports whose controllers get the namespace at connect (subsystem lock). */
  final Set<Integer> autoPorts;
  /** Controllers the namespace is attached to (subsystem lock). */
  final Set<Integer> attached = new TreeSet<>();

  Namespace(NamespaceSpec spec, BackingStore store, byte[] nguid, byte[] eui64, UUID uuid,
      Set<Integer> autoPorts, AnaGroup group) {
    this.spec = spec;
    this.nsid = spec.nsid();
    this.blockSize = spec.blockSize();
    this.blockShift = Integer.numberOfTrailingZeros(blockSize);
    this.blocks = spec.blocks();
    this.store = store;
    this.hasNguid = nguid != null;
    this.hasEui64 = eui64 != null;
    this.nguid = nguid != null ? nguid : new byte[16];
    this.eui64 = eui64 != null ? eui64 : new byte[8];
    this.uuid = uuid;
    this.shared = spec.shared();
    this.anaGroup = spec.anaGroup();
    this.group = group;
    this.autoPorts = new TreeSet<>(autoPorts);
  }

  /**
   * The namespace {@code s} describes, in subsystem {@code nqn}: without an identifier of its
   * own it gets a UUID and an NGUID derived from the NQN and NSID (the same on every run);
   * without a store, sparse memory of its size; without ports, every one of {@code ports}.
   */
  static Namespace of(String nqn, NamespaceSpec s, List<Integer> ports, AnaGroup group) {
    byte[] nguid = s.nguid().orElse(null);
    byte[] eui64 = s.eui64().orElse(null);
    UUID uuid = s.uuid().orElse(null);
    if (!s.hasIdentifier()) {
      uuid = UUID.nameUUIDFromBytes((nqn + "/ns/" + Integer.toUnsignedString(s.nsid()) + "/uuid")
          .getBytes(StandardCharsets.UTF_8));
      UUID g = UUID.nameUUIDFromBytes((nqn + "/ns/" + Integer.toUnsignedString(s.nsid())
          + "/nguid").getBytes(StandardCharsets.UTF_8));
      nguid = ByteBuffer.allocate(16).putLong(g.getMostSignificantBits())
          .putLong(g.getLeastSignificantBits()).array();
    }
    BackingStore store = s.store().orElseGet(() -> BackingStores.sparseMemory(s.sizeBytes()));
    Set<Integer> auto = s.ports().orElseGet(() -> new TreeSet<>(ports));
    return new Namespace(s, store, nguid, eui64, uuid, auto, group);
  }

  /**
   * Attaches the namespace to every controller of {@code cntlids}, all or nothing (Namespace
   * Attachment, NVMe base 2.0 5.20; subsystem lock).
   *
   * @return 0, or Namespace Already Attached or Namespace Is Private (DNR)
   */
  int attach(List<Integer> cntlids) {
    for (int id : cntlids) {
      if (attached.contains(id)) {
        return NvmeStatus.NAMESPACE_ALREADY_ATTACHED.field() | NvmeStatus.DNR_BIT;
      }
    }
    if (!shared && attached.size() + cntlids.size() > 1) {
      return NvmeStatus.NAMESPACE_IS_PRIVATE.field() | NvmeStatus.DNR_BIT;
    }
    attached.addAll(cntlids);
    return 0;
  }

  /**
   * Detaches the namespace from every controller of {@code cntlids}, all or nothing
   * (subsystem lock).
   *
   * @return 0, or Namespace Not Attached (DNR)
   */
  int detach(List<Integer> cntlids) {
    for (int id : cntlids) {
      if (!attached.contains(id)) {
        return NvmeStatus.NAMESPACE_NOT_ATTACHED.field() | NvmeStatus.DNR_BIT;
      }
    }
    attached.removeAll(cntlids);
    return 0;
  }

  /** Whether {@code [slba, slba + count)} lies inside the namespace (slba unsigned). */
  boolean inRange(long slba, long count) {
    return slba >= 0 && count >= 0 && count <= blocks && slba <= blocks - count;
  }

  @Override
  public String toString() {
    return "ns" + Integer.toUnsignedString(nsid);
  }
}
