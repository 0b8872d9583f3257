package dev.mpath.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory store that allocates 64 KiB chunks on first write, so a large namespace costs
 * only what is written. Chunks are locked one at a time: transfers within a chunk are
 * atomic, and {@link BackingStore#ATOMIC_UNIT}-aligned blocks never straddle chunks.
 */
final class SparseMemoryStore implements BackingStore {
  static final int CHUNK = 64 * 1024;

  private final long size;
  private final ConcurrentHashMap<Long, byte[]> chunks = new ConcurrentHashMap<>();

  SparseMemoryStore(long size) {
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive: " + size);
    }
    this.size = size;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    BackingStore.checkRange(size, offset, dst.remaining());
    while (dst.hasRemaining()) {
      long index = offset / CHUNK;
      int in = (int) (offset % CHUNK);
      int n = Math.min(dst.remaining(), CHUNK - in);
      byte[] chunk = chunks.get(index);
      if (chunk == null) {
        Zeros.fill(dst, n);
      } else {
        synchronized (chunk) {
          dst.put(chunk, in, n);
        }
      }
      offset += n;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    BackingStore.checkRange(size, offset, src.remaining());
    while (src.hasRemaining()) {
      long index = offset / CHUNK;
      int in = (int) (offset % CHUNK);
      int n = Math.min(src.remaining(), CHUNK - in);
      byte[] chunk = chunks.computeIfAbsent(index, k -> new byte[CHUNK]);
      synchronized (chunk) {
        src.get(chunk, in, n);
      }
      offset += n;
    }
  }

  @Override
  public void zero(long offset, long length) {
    BackingStore.checkRange(size, offset, length);
    long end = offset + length;
    while (offset < end) {
      long index = offset / CHUNK;
      int in = (int) (offset % CHUNK);
      int n = (int) Math.min(end - offset, CHUNK - in);
      if (in == 0 && n == CHUNK) {
        chunks.remove(index); // a whole chunk: give the memory back
      } else {
        byte[] chunk = chunks.get(index);
        if (chunk != null) {
          synchronized (chunk) {
            Arrays.fill(chunk, in, in + n, (byte) 0);
          }
        }
      }
      offset += n;
    }
  }

  @Override
  public void discard(long offset, long length) {
    zero(offset, length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    chunks.clear();
  }

  /** A chunk is mapped once written, until a discard or zeroing of the whole chunk. */
  @Override
  public boolean isMapped(long offset) {
    return chunks.containsKey(offset / CHUNK);
  }

  @Override
  public long mappingGranularity() {
    return CHUNK;
  }

  /** Bytes of memory held by chunks (for tests and listings). */
  long allocatedBytes() {
    return (long) chunks.size() * CHUNK;
  }
}
