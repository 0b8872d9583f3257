package dev.mpath.store;

import java.io.IOException;
import java.nio.file.Path;

/** Factories of the bundled {@link BackingStore}s. */
public final class BackingStores {
  private BackingStores() {}

  /** In-memory, allocated in 64 KiB chunks as they are written. */
  public static BackingStore sparseMemory(long sizeBytes) {
    return new SparseMemoryStore(sizeBytes);
  }

  /** In a file (created, or extended to {@code sizeBytes}). */
  public static BackingStore file(Path file, long sizeBytes) throws IOException {
    return new FileStore(file, sizeBytes);
  }

  /** Reads zeros and drops writes. */
  public static BackingStore nullStore(long sizeBytes) {
    return new NullStore(sizeBytes);
  }
}
