package dev.mpath.nvme.target;

import dev.mpath.store.BackingStore;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One namespace of an {@link NvmeSubsystem}: identifier, geometry, medium, identifiers, sharing,
 * ANA group and the ports whose controllers get it attached when they connect.
 *
 * <pre>{@code
 * NamespaceSpec.builder(1).blocks(1 << 20).blockSize(4096).anaGroup(2).build();
 * NamespaceSpec.builder(2).blocks(2048).ports(3).shared(false).build();
 * }</pre>
 *
 * <p>When none of NGUID, EUI-64 and UUID is given, the subsystem derives an NGUID and a UUID
 * from its NQN and the NSID (stable across restarts, distinct across subsystems).
 */
public final class NamespaceSpec {

  private final int nsid;
  private final int blockSize;
  private final long blocks;
  private final BackingStore store;
  private final byte[] nguid;
  private final byte[] eui64;
  private final UUID uuid;
  private final boolean shared;
  private final int anaGroup;
  private final Set<Integer> ports;

  private NamespaceSpec(Builder b) {
    this.nsid = b.nsid;
    this.blockSize = b.blockSize;
    this.blocks = b.blocks;
    this.store = b.store;
    this.nguid = b.nguid;
    this.eui64 = b.eui64;
    this.uuid = b.uuid;
    this.shared = b.shared;
    this.anaGroup = b.anaGroup;
    this.ports = b.ports == null ? null : Collections.unmodifiableSet(new TreeSet<>(b.ports));
  }

  /** A builder for namespace {@code nsid} (1..FFFFFFFEh, unsigned). */
  public static Builder builder(int nsid) {
    return new Builder(nsid);
  }

  /** A shared namespace of {@code blocks} 512-byte blocks in sparse memory, ANA group 1, all ports. */
  public static NamespaceSpec of(int nsid, long blocks) {
    return builder(nsid).blocks(blocks).build();
  }

  /** NSID. */
  public int nsid() {
    return nsid;
  }

  /** Logical block size in bytes. */
  public int blockSize() {
    return blockSize;
  }

  /** Capacity in logical blocks (NSZE). */
  public long blocks() {
    return blocks;
  }

  /** Capacity in bytes. */
  public long sizeBytes() {
    return blocks * blockSize;
  }

  /** The medium given, if any (otherwise the subsystem makes a sparse memory store). */
  public Optional<BackingStore> store() {
    return Optional.ofNullable(store);
  }

  /** NGUID (16 bytes), if given. */
  public Optional<byte[]> nguid() {
    return Optional.ofNullable(nguid).map(byte[]::clone);
  }

  /** EUI-64 (8 bytes), if given. */
  public Optional<byte[]> eui64() {
    return Optional.ofNullable(eui64).map(byte[]::clone);
  }

  /** Namespace UUID, if given. */
  public Optional<UUID> uuid() {
    return Optional.ofNullable(uuid);
  }

  /** NMIC bit 0: may be attached to more than one controller. */
  public boolean shared() {
    return shared;
  }

  /** ANAGRPID. */
  public int anaGroup() {
    return anaGroup;
  }

  /**
   * The ports whose controllers get the namespace attached at connect; empty means attached
   * nowhere (QEMU's {@code detached=on}); absent means every port.
   */
  public Optional<Set<Integer>> ports() {
    return Optional.ofNullable(ports);
  }

  boolean hasIdentifier() {
    return nguid != null || eui64 != null || uuid != null;
  }

  @Override
  public String toString() {
    return "NamespaceSpec[nsid=" + Integer.toUnsignedString(nsid) + " blocks=" + blocks + "x"
        + blockSize + " shared=" + shared + " anagrp=" + anaGroup
        + " ports=" + (ports == null ? "all" : ports) + "]";
  }

  /** Builder of a {@link NamespaceSpec}. */
  public static final class Builder {
    private final int nsid;
    private int blockSize = 512;
    private long blocks = -1;
    private BackingStore store;
    private byte[] nguid;
    private byte[] eui64;
    private UUID uuid;
    private boolean shared = true;
    private int anaGroup = 1;
    private Set<Integer> ports;

    private Builder(int nsid) {
      if (nsid == 0 || nsid == 0xFFFF_FFFF || nsid == 0xFFFF_FFFE) {
        throw new IllegalArgumentException("invalid NSID " + Integer.toUnsignedString(nsid));
      }
      this.nsid = nsid;
    }

    /** Logical block size: a power of two from 512 to 65536 (default 512). */
    public Builder blockSize(int bytes) {
      if (bytes < 512 || bytes > 65536 || Integer.bitCount(bytes) != 1) {
        throw new IllegalArgumentException("block size must be a power of two, 512..65536: " + bytes);
      }
      this.blockSize = bytes;
      return this;
    }

    /** Capacity in logical blocks (required unless a store is given). */
    public Builder blocks(long blocks) {
      if (blocks <= 0) {
        throw new IllegalArgumentException("blocks must be positive: " + blocks);
      }
      this.blocks = blocks;
      return this;
    }

    /**
     * The medium; at least blocks x blockSize bytes. Without {@link #blocks}, the capacity
     * is the store's size in whole blocks. The subsystem closes it when it closes.
     */
    public Builder store(BackingStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** NGUID, 16 bytes. */
    public Builder nguid(byte[] nguid) {
      if (nguid.length != 16) {
        throw new IllegalArgumentException("NGUID is 16 bytes, not " + nguid.length);
      }
      this.nguid = nguid.clone();
      return this;
    }

    /** EUI-64, 8 bytes. */
    public Builder eui64(byte[] eui64) {
      if (eui64.length != 8) {
        throw new IllegalArgumentException("EUI-64 is 8 bytes, not " + eui64.length);
      }
      this.eui64 = eui64.clone();
      return this;
    }

    /** Namespace UUID. */
    public Builder uuid(UUID uuid) {
      this.uuid = Objects.requireNonNull(uuid, "uuid");
      return this;
    }

    /** NMIC bit 0 (default true). A private namespace is attached to at most one controller. */
    public Builder shared(boolean shared) {
      this.shared = shared;
      return this;
    }

    /** ANA group (default 1); the subsystem declares it if the builder did not. */
    public Builder anaGroup(int grpid) {
      if (grpid == 0) {
        throw new IllegalArgumentException("ANAGRPID 0 is not a group");
      }
      this.anaGroup = grpid;
      return this;
    }

    /** The ports whose controllers get the namespace attached at connect (default: all). */
    public Builder ports(Set<Integer> ports) {
      this.ports = new TreeSet<>(ports);
      return this;
    }

    /** The ports whose controllers get the namespace attached at connect (default: all). */
    public Builder ports(int... ports) {
      Set<Integer> s = new TreeSet<>();
      for (int p : ports) {
        s.add(p);
      }
      this.ports = s;
      return this;
    }

    /** Attached to no controller at connect (QEMU {@code detached=on}); use Namespace Attachment. */
    public Builder detached() {
      this.ports = new TreeSet<>();
      return this;
    }

    /** The spec. */
    public NamespaceSpec build() {
      if (blocks < 0) {
        if (store == null) {
          throw new IllegalStateException("namespace " + nsid + ": blocks or a store is required");
        }
        blocks = store.size() / blockSize;
        if (blocks == 0) {
          throw new IllegalStateException("namespace " + nsid + ": store smaller than one block");
        }
      }
      if (blocks > Long.MAX_VALUE / blockSize) {
        throw new IllegalStateException("namespace " + nsid + ": capacity overflows");
      }
      if (store != null && store.size() < blocks * blockSize) {
        throw new IllegalStateException(
            "namespace " + nsid + ": store holds " + store.size() + " bytes, need "
                + blocks * blockSize);
      }
      return new NamespaceSpec(this);
    }
  }
}
