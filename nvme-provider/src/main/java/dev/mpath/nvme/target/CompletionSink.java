package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.CompletionQueueEntry;

/**
 * Where one queue's completions go; implemented by the transport (the loop transport, the
 * NVMe/TCP listener).
 *
 * <p>Both methods are called on the controller's executor, one call at a time per
 * controller, never on the stack of {@link TargetController#submit}. They must not block.
 */
public interface CompletionSink {

  /**
   * One completion. {@code cqe} is a flyweight valid only during the call: copy what you
   * keep. Completions of one queue arrive in the order the controller executed the commands.
   */
  void complete(CompletionQueueEntry cqe);

  /**
   * The association is gone (controller killed by fault injection, KATO expired, subsystem
   * closed): no further completions will come for outstanding commands. It may be called
   * again in answer to a submission on a controller that is already gone, so treat it as
   * idempotent. A host-initiated {@link TargetController#disconnect()} does not call it.
   */
  void disconnected(String reason);
}
