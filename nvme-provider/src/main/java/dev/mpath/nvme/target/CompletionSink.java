package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.CompletionQueueEntry;

/**
 * Where one queue's completions go; implemented by the transport (the loop transport, the
 * NVMe/TCP listener).
 *
 * <p>Both methods are called on the controller's executor, one call at a time per
 * controller, never on the stack of {@link TargetController#submit} unless the sink
 * {@linkplain #runsCommandsInline allows it}. They must not block.
 */
public interface CompletionSink {

  /**
   * Whether the controller may execute this I/O queue's commands on the submitting thread
   * when it has nothing else to do (then {@link #complete} can run on the stack of
   * {@link TargetController#submit}), as Linux nvmet executes in its transport's I/O work:
   * no thread hand-off per command. Default false.
   */
  default boolean runsCommandsInline() {
    return false;
  }

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
