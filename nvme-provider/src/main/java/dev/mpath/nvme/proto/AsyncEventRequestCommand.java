package dev.mpath.nvme.proto;

/**
 * Asynchronous Event Request (admin opcode 0Ch): no parameters; completes when an event
 * occurs, with the event in completion DW0 (see {@link AsyncEvent}). At most AERL + 1 may
 * be outstanding.
 */
public final class AsyncEventRequestCommand {

  private AsyncEventRequestCommand() {}

  /** Fills {@code sqe} with an Asynchronous Event Request. */
  public static SubmissionQueueEntry fill(SubmissionQueueEntry sqe, int cid) {
    return Commands.start(sqe, AdminOpcode.ASYNC_EVENT_REQUEST, cid, 0);
  }
}
