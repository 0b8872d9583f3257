package dev.mpath.examples.cli;

import dev.mpath.MultipathDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A verified read/write load on one device: each worker thread owns a disjoint block
 * range, writes a pattern that encodes LBA and generation, reads it back and compares
 * every byte. Counts I/Os, verified bytes and errors; bounded by {@link #stop()}.
 */
final class VerifiedLoad implements AutoCloseable {
  static final int BLOCKS_PER_IO = 8;

  private final MultipathDevice device;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong ios = new AtomicLong();
  final AtomicLong verifiedBytes = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicReference<Throwable> firstError = new AtomicReference<>();

  VerifiedLoad(MultipathDevice device, int threads) {
    this.device = device;
    int bs = device.blockSize();
    long span = Math.min(device.capacityBlocks() / threads, 4096) / BLOCKS_PER_IO * BLOCKS_PER_IO;
    for (int t = 0; t < threads; t++) {
      long base = t * span;
      Thread w = new Thread(() -> run(base, span, bs), "load-" + device.name() + "-" + t);
      w.setDaemon(true);
      workers.add(w);
    }
    workers.forEach(Thread::start);
  }

  private void run(long base, long span, int bs) {
    int bytes = BLOCKS_PER_IO * bs;
    ByteBuffer src = ByteBuffer.allocateDirect(bytes);
    ByteBuffer dst = ByteBuffer.allocateDirect(bytes);
    long gen = 0;
    long off = 0;
    while (running.get()) {
      long lba = base + off;
      off = (off + BLOCKS_PER_IO) % span;
      gen++;
      for (int i = 0; i < bytes; i += 8) {
        src.putLong(i, lba * 0x9E3779B97F4A7C15L ^ gen ^ i);
      }
      try {
        device.write(lba, src).join();
        ios.incrementAndGet();
        device.read(lba, dst).join();
        ios.incrementAndGet();
        if (!src.equals(dst)) {
          fail(new IllegalStateException("data mismatch at lba " + lba));
        } else {
          verifiedBytes.addAndGet(bytes);
        }
      } catch (RuntimeException e) {
        fail(e.getCause() != null ? e.getCause() : e);
      }
    }
  }

  private void fail(Throwable t) {
    errors.incrementAndGet();
    firstError.compareAndSet(null, t);
  }

  /** Stops the workers and waits for them (bounded by the I/O they have in flight). */
  void stop() {
    running.set(false);
    for (Thread w : workers) {
      try {
        w.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
