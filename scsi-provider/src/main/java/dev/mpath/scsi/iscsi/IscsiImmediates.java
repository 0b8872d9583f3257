package dev.mpath.scsi.iscsi;

import dev.mpath.spi.PathFailureException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The immediate requests of one initiator session that the target answers by ITT (RFC 7143
 * 4.2.2.1, immediate delivery: login, NOP-Out, Task Management, Text, Logout): their ITTs
 * (bit 31 set, so that they never meet a SCSI command's, which is a task slot's tag) and
 * the futures waiting for the answers.
 *
 * <p>Thread-safety: ITTs are handed out and requests written under the session's send lock;
 * answers arrive on the connection's event loop; the outstanding requests are a concurrent
 * map, failed all at once when the connection is lost.
 */
final class IscsiImmediates {
  private final IscsiTransport session;
  private final Object sendLock;
  private final PduEncoder encoder; // under sendLock
  private final Map<Integer, CompletableFuture<Pdu>> outstanding = new ConcurrentHashMap<>();
  private int next; // under sendLock (and the loop before the full feature phase)

  IscsiImmediates(IscsiTransport session, Object sendLock, PduEncoder encoder) {
    this.session = session;
    this.sendLock = sendLock;
    this.encoder = encoder;
  }

  /** An ITT for an immediate PDU: bit 31 set, never the reserved tag. Under sendLock. */
  int itt() {
    int i;
    do {
      i = 0x80000000 | next++;
    } while (i == Pdu.RESERVED_TAG || outstanding.containsKey(i));
    return i;
  }

  /** Sends an immediate PDU, built for its ITT, that the target answers by ITT. */
  CompletableFuture<Pdu> send(IntFunction<Pdu> build) {
    CompletableFuture<Pdu> f = new CompletableFuture<>();
    synchronized (sendLock) {
      if (session.isDead() || !session.inFullFeature()) {
        f.completeExceptionally(new PathFailureException(session.address() + ": not connected"));
        return f;
      }
      int itt = itt();
      outstanding.put(itt, f);
      try {
        encoder.encode(build.apply(itt), session.conn().buffer());
        session.conn().flush();
      } catch (IOException e) {
        outstanding.remove(itt);
        f.completeExceptionally(new PathFailureException(session.address() + ": " + e.getMessage(), e));
        session.drop("send failed: " + e.getMessage());
      }
    }
    return f;
  }

  /** Completes the request that {@code p} answers (on the loop). */
  void answer(Pdu p) throws IscsiProtocolException {
    CompletableFuture<Pdu> f = outstanding.remove(p.itt());
    if (f == null) {
      throw new IscsiProtocolException(Opcode.name(p.opcode()) + " for unknown ITT " + Integer.toHexString(p.itt()));
    }
    f.complete(p.copy()); // p may be the decoder's reused header
  }

  /** Whether {@code itt} is the tag of an outstanding immediate request. */
  boolean outstanding(int itt) {
    return outstanding.containsKey(itt);
  }

  /** Fails every outstanding request with {@code gone} (the connection is lost). */
  void failAll(PathFailureException gone) {
    outstanding.values().forEach(f -> f.completeExceptionally(gone));
    outstanding.clear();
  }
}
