package dev.mpath.testing;

import dev.mpath.DeviceId;
import dev.mpath.IoRequest;
import java.nio.ByteBuffer;

/** The shared medium behind every fake path to one device: a byte array. Thread-safe. */
public final class FakeDisk {
  public final DeviceId id;
  public final int blockSize;
  public final long blocks;
  private final byte[] data;

  public FakeDisk(DeviceId id, int blockSize, int blocks) {
    this.id = id;
    this.blockSize = blockSize;
    this.blocks = blocks;
    this.data = new byte[blockSize * blocks];
  }

  /** Carries out {@code r} against the medium without moving its buffer's position. */
  public synchronized void apply(IoRequest r) {
    int off = (int) (r.lba() * blockSize);
    int len = r.blocks() * blockSize;
    ByteBuffer b = r.buffer();
    switch (r.op()) {
      case READ:
        for (int i = 0; i < len; i++) {
          b.put(b.position() + i, data[off + i]);
        }
        break;
      case WRITE:
        for (int i = 0; i < len; i++) {
          data[off + i] = b.get(b.position() + i);
        }
        break;
      case WRITE_ZEROES:
      case DISCARD:
        java.util.Arrays.fill(data, off, off + len, (byte) 0);
        break;
      default:
        break;
    }
  }

  public synchronized byte get(long offset) {
    return data[(int) offset];
  }
}
