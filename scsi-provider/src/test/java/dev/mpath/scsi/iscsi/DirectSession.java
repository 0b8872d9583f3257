package dev.mpath.scsi.iscsi;

import dev.mpath.scsi.host.ResponseHandler;
import dev.mpath.scsi.host.ScsiResult;
import dev.mpath.scsi.proto.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One iSCSI session driven directly, below any head: commands to one LUN with a future per
 * tag, every wait bounded at 30 s. For tests against our listener and real targets alike.
 */
final class DirectSession implements AutoCloseable {
  final IscsiTransport t;
  final int lun;
  final Map<Long, CompletableFuture<ScsiResult>> pending = new ConcurrentHashMap<>();
  final AtomicLong tags = new AtomicLong();
  /** Why the session ended, once it has. */
  final AtomicReference<String> lost = new AtomicReference<>();

  DirectSession(IscsiEndpoint ep, IscsiSettings s, int lun) {
    this.t = new IscsiTransport(ep, s);
    this.lun = lun;
  }

  /** Logs in (bounded); fails with the login's error. */
  DirectSession login() {
    t.login(new ResponseHandler() {
      @Override
      public void response(long tag, int status, byte[] sense, int transferred, int residual) {
        CompletableFuture<ScsiResult> f = pending.remove(tag);
        if (f != null) {
          f.complete(new ScsiResult(status, sense, transferred, residual));
        }
      }

      @Override
      public void disconnected(String reason) {
        lost.set(reason);
        pending.values().forEach(f -> f.completeExceptionally(new IOException(reason)));
      }
    }).orTimeout(30, TimeUnit.SECONDS).join();
    return this;
  }

  CompletableFuture<ScsiResult> submit(byte[] cdb, ByteBuffer data, int len) {
    long tag = tags.incrementAndGet();
    CompletableFuture<ScsiResult> f = new CompletableFuture<>();
    pending.put(tag, f);
    t.execute(tag, lun, cdb, data, len);
    return f;
  }

  ScsiResult exec(byte[] cdb, ByteBuffer data, int len) {
    return submit(cdb, data, len).orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Executes, retrying unit attentions (power on / reset after login); anything else fails. */
  ScsiResult good(byte[] cdb, ByteBuffer data, int len) {
    for (int i = 0; i < 5; i++) {
      ScsiResult r = exec(cdb, data, len);
      if (r.good()) {
        return r;
      }
      boolean ua = r.senseData().map(s -> s.senseKey() == SenseKey.UNIT_ATTENTION).orElse(false);
      if (!ua) {
        throw new AssertionError("status " + r.status() + " sense " + r.senseData());
      }
    }
    throw new AssertionError("unit attentions do not end");
  }

  /** The data of a GOOD answer to a command that reads up to {@code length} bytes. */
  byte[] good(byte[] cdb, int length) {
    ByteBuffer b = ByteBuffer.allocate(length);
    ScsiResult r = good(cdb, b, length);
    return Arrays.copyOf(b.array(), r.transferred());
  }

  @Override
  public void close() {
    t.close();
  }
}
