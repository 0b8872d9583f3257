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
   * Submits a command; its completion reaches the queue's {@link QueueHandler}. The SQE is
   * consumed before return (the caller may reuse it).
   */
  void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data);

  /** Tears the association down; no completion arrives afterwards. Idempotent. */
  void close();
}
