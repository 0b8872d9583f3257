package dev.mpath.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A store in a file, created or extended to the size asked for (sparse where the file
 * system allows). Positional I/O, so concurrent transfers need no lock; {@link #flush()}
 * forces data to the device. Discard writes zeros (Java has no hole punching).
 */
final class FileStore implements BackingStore {
  private static final int ZERO_CHUNK = 64 * 1024;

  private final Path file;
  private final long size;
  private final FileChannel channel;

  FileStore(Path file, long size) throws IOException {
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive: " + size);
    }
    this.file = file;
    this.size = size;
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (channel.size() < size) {
      channel.write(ByteBuffer.wrap(new byte[1]), size - 1); // extend, sparsely
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BackingStore.checkRange(size, offset, dst.remaining());
    long pos = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new IOException(file + " is shorter than " + size + " bytes");
      }
      pos += n;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BackingStore.checkRange(size, offset, src.remaining());
    long pos = offset;
    while (src.hasRemaining()) {
      pos += channel.write(src, pos);
    }
  }

  @Override
  public void zero(long offset, long length) throws IOException {
    BackingStore.checkRange(size, offset, length);
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(1, length)));
    long end = offset + length;
    for (long pos = offset; pos < end; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), end - pos));
      while (zeros.hasRemaining()) {
        pos += channel.write(zeros, pos);
      }
    }
  }

  @Override
  public void discard(long offset, long length) throws IOException {
    zero(offset, length);
  }

  @Override
  public void flush() throws IOException {
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
