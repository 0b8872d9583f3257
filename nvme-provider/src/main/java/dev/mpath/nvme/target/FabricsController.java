package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * What a fabrics transport (the NVMe/TCP listener) needs of a controller it created with a
 * Connect: an I/O controller of an {@link NvmeSubsystem} ({@link TargetController}) or a
 * discovery controller ({@link DiscoveryService}).
 */
public interface FabricsController {
  /** The controller id returned by Connect. */
  int cntlid();

  /** The subsystem port it was connected through. */
  int port();

  /** The host NQN of its Connect. */
  String hostNqn();

  /** The host identifier of its Connect. */
  UUID hostId();

  /**
   * Submits a command of queue {@code qid}; its completion goes to that queue's sink,
   * never on this stack. See {@link TargetController#submit}.
   *
   * @throws IllegalArgumentException qid outside the queue range
   * @throws IllegalStateException the queue is not connected
   */
  void submit(int qid, SubmissionQueueEntry sqe, ByteBuffer data);

  /**
   * Connects I/O queue {@code qid}.
   *
   * @throws IllegalArgumentException bad qid or size
   * @throws IllegalStateException the controller has no such queue or is gone
   */
  void connectIoQueue(int qid, int entries, CompletionSink sink);

  /** The host dropped I/O queue {@code qid}. */
  void disconnectIoQueue(int qid);

  /** The host dropped the admin queue: the controller goes. */
  void disconnect();
}
