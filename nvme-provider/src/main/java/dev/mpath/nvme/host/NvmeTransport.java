package dev.mpath.nvme.host;

import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One host-to-controller association as a transport carries it (loop, NVMe/TCP): the
 * Fabrics Connect of the admin and I/O queues, property access, and command submission.
 * A new association (after a reset) is a new instance.
 *
 * <p>Data: for host-to-controller commands the transport reads {@code data} from its
 * position to its limit; for controller-to-host commands it fills it there. It never moves
 * the buffer's position or limit.
 */
public interface NvmeTransport {

  /** Describes the target port, for listings ({@code nvme+loop://t/nqn port 2}). */
  String address();

  /**
   * Fabrics Connect on the admin queue with a dynamic controller id.
   *
   * @param katoMillis keep alive timeout asked for (0: none)
   * @return the controller id the target assigned
   */
  CompletableFuture<Integer> connectAdmin(
      String subsystemNqn, String hostNqn, UUID hostId, int katoMillis, QueueHandler admin);

  /** Fabrics Connect of I/O queue {@code qid}. */
  CompletableFuture<Void> connectIo(int qid, int size, QueueHandler handler);

  /** Fabrics Property Get (offset per NVMe base 3.1.4: CAP 0h, VS 8h, CC 14h, CSTS 1Ch). */
  CompletableFuture<Long> propertyGet(int offset, int size);

  /** Fabrics Property Set. */
  CompletableFuture<Void> propertySet(int offset, int size, long value);

  /**
   * Submits a command (any thread); its completion reaches the queue's {@link QueueHandler}.
   * The SQE is consumed before return (the caller may reuse it); {@code data} must stay
   * untouched until the command completes.
   */
  void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data);

  /**
   * The controller's I/O command capsule allows {@code bytes} of in-capsule data (IOCCSZ
   * less the 64-byte SQE, NVMe over Fabrics 1.1 5.2): the host says so after Identify and
   * before it connects I/O queues. Transports without capsules ignore it.
   */
  default void ioCapsuleDataSize(int bytes) {}

  /**
   * The I/O queue that is served on the calling thread (an event loop of the transport), so
   * that a submission from there needs no hand-off; -1 when there is none.
   */
  default int queueOfThisThread() {
    return -1;
  }

  /** Tears the association down; no completion arrives afterwards. Idempotent. */
  void close();
}
