package dev.mpath.nvme.target;

import dev.mpath.store.BackingStore;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** A namespace of a running subsystem. Attachment sets are guarded by the subsystem's lock. */
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

  /** Whether {@code [slba, slba + count)} lies inside the namespace (slba unsigned). */
  boolean inRange(long slba, long count) {
    return slba >= 0 && count >= 0 && count <= blocks && slba <= blocks - count;
  }

  @Override
  public String toString() {
    return "ns" + Integer.toUnsignedString(nsid);
  }
}
