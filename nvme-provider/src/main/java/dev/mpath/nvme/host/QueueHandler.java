package dev.mpath.nvme.host;

import dev.mpath.nvme.proto.CompletionQueueEntry;

/**
 * Where a transport delivers one queue's completions on the host. One instance per queue
 * per association: a handler never sees completions of an earlier association.
 */
public interface QueueHandler {

  /**
   * A completion. {@code cqe} is valid only during the call. Never called on the stack of
   * the submission it completes.
   */
  void completed(CompletionQueueEntry cqe);

  /** The association is gone: outstanding commands will not complete. */
  void disconnected(String reason);
}
