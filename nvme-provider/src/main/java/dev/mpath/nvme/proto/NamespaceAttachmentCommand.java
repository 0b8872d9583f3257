package dev.mpath.nvme.proto;

/**
 * Namespace Attachment (admin opcode 15h): CDW10 bits 03:00 SEL; the data is a
 * {@link ControllerList} of the controllers to attach or detach.
 */
public final class NamespaceAttachmentCommand {

  private NamespaceAttachmentCommand() {}

  /** SEL 0h: Controller Attach. */
  public static final int SEL_ATTACH = 0;
  /** SEL 1h: Controller Detach. */
  public static final int SEL_DETACH = 1;

  /** Fills {@code sqe} with a Namespace Attachment for {@code nsid}. */
  public static SubmissionQueueEntry fill(SubmissionQueueEntry sqe, int cid, int nsid, int sel) {
    Le.checkRange("SEL", sel, 0, 0xF);
    return Commands.start(sqe, AdminOpcode.NAMESPACE_ATTACHMENT, cid, nsid).cdw10(sel);
  }

  /** SEL of a Namespace Attachment SQE. */
  public static int sel(SubmissionQueueEntry sqe) {
    return sqe.cdw10() & 0xF;
  }
}
