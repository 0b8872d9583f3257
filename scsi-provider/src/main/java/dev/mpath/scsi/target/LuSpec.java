package dev.mpath.scsi.target;

import dev.mpath.store.BackingStore;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What one logical unit of a {@link ScsiTarget} is: capacity, logical block size, medium,
 * identity and where its persistent reservations persist.
 *
 * <p>Immutable. Unset identity fields are derived by the target, deterministically from the
 * target name and the LUN: the NAA IEEE Registered Extended designator {@code 6001405...} (the
 * OUI Linux LIO uses) and the unit serial number.
 */
public final class LuSpec {
  private final long blocks;
  private final int blockSize;
  private final BackingStore store;
  private final byte[] naa;
  private final Path aptplFile;
  private final String serialNumber;

  private LuSpec(Builder b) {
    this.blocks = b.blocks;
    this.blockSize = b.blockSize;
    this.store = b.store;
    this.naa = b.naa == null ? null : b.naa.clone();
    this.aptplFile = b.aptplFile;
    this.serialNumber = b.serialNumber;
  }

  /** A builder for a logical unit of {@code blocks} logical blocks (512 bytes unless changed). */
  public static Builder builder(long blocks) {
    return new Builder(blocks);
  }

  /** {@code blocks} blocks of {@code blockSize} bytes on a sparse in-memory medium. */
  public static LuSpec of(long blocks, int blockSize) {
    return builder(blocks).blockSize(blockSize).build();
  }

  /** Capacity in logical blocks. */
  public long blocks() {
    return blocks;
  }

  /** Logical block length in bytes. */
  public int blockSize() {
    return blockSize;
  }

  /** The medium, if one was given (otherwise the target creates a sparse in-memory store). */
  public Optional<BackingStore> store() {
    return Optional.ofNullable(store);
  }

  /** The 16-byte NAA 6 designator, if one was given. */
  public Optional<byte[]> naa() {
    return Optional.ofNullable(naa).map(byte[]::clone);
  }

  /** Where APTPL registrations persist; without it the LU reports PTPL_C = 0. */
  public Optional<Path> aptplFile() {
    return Optional.ofNullable(aptplFile);
  }

  /** The unit serial number (VPD page 80h), if one was given. */
  public Optional<String> serialNumber() {
    return Optional.ofNullable(serialNumber);
  }

  /** Builds a {@link LuSpec}. */
  public static final class Builder {
    private final long blocks;
    private int blockSize = 512;
    private BackingStore store;
    private byte[] naa;
    private Path aptplFile;
    private String serialNumber;

    private Builder(long blocks) {
      if (blocks <= 0) {
        throw new IllegalArgumentException("a logical unit needs at least one block: " + blocks);
      }
      this.blocks = blocks;
    }

    /** Logical block length: 512, 1024, 2048 or 4096 bytes (default 512). */
    public Builder blockSize(int bytes) {
      if (bytes != 512 && bytes != 1024 && bytes != 2048 && bytes != 4096) {
        throw new IllegalArgumentException("block size must be 512, 1024, 2048 or 4096: " + bytes);
      }
      this.blockSize = bytes;
      return this;
    }

    /**
     * The medium; at least {@code blocks * blockSize} bytes. The target owns it from then on
     * and closes it with the target. Default: {@link dev.mpath.store.BackingStores#sparseMemory}.
     */
    public Builder store(BackingStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The NAA designator: 16 bytes with NAA field 6 (IEEE Registered Extended). */
    public Builder naa(byte[] naa6) {
      if (naa6.length != 16 || (naa6[0] & 0xF0) != 0x60) {
        throw new IllegalArgumentException("NAA 6 designator must be 16 bytes starting with 6h");
      }
      this.naa = naa6.clone();
      return this;
    }

    /** File where registrations made with APTPL = 1 persist (and are reloaded from). */
    public Builder aptplFile(Path file) {
      this.aptplFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The unit serial number: printable ASCII, 1..64 characters. */
    public Builder serialNumber(String serial) {
      Objects.requireNonNull(serial, "serial");
      if (serial.isEmpty() || serial.length() > 64
          || !serial.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
        throw new IllegalArgumentException("serial number must be 1..64 printable ASCII "
            + "characters without spaces: '" + serial + "'");
      }
      this.serialNumber = serial;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the store is smaller than the capacity or the
     *     capacity does not fit a byte offset
     */
    public LuSpec build() {
      if (blocks > Long.MAX_VALUE / blockSize) {
        throw new IllegalArgumentException("capacity overflows: " + blocks + " blocks of "
            + blockSize);
      }
      if (store != null && store.size() < blocks * blockSize) {
        throw new IllegalArgumentException("store of " + store.size() + " bytes is smaller than "
            + blocks + " blocks of " + blockSize);
      }
      return new LuSpec(this);
    }
  }
}
