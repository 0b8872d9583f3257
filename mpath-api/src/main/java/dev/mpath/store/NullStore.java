package dev.mpath.store;

import java.nio.ByteBuffer;

/** Reads zeros, drops writes: for benchmarks that measure everything but the medium. */
final class NullStore implements BackingStore {
  private final long size;

  NullStore(long size) {
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
    Zeros.fill(dst, dst.remaining());
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    BackingStore.checkRange(size, offset, src.remaining());
    src.position(src.limit());
  }

  @Override
  public void zero(long offset, long length) {
    BackingStore.checkRange(size, offset, length);
  }

  @Override
  public void discard(long offset, long length) {
    BackingStore.checkRange(size, offset, length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
