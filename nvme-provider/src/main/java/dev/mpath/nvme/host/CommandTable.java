package dev.mpath.nvme.host;

import dev.mpath.IoRequest;
import dev.mpath.nvme.proto.SubmissionQueueEntry;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The outstanding commands of one queue, indexed by command identifier. Each slot owns a
 * reusable SQE and a 16-byte scratch buffer (reservation data, a DSM range), so issuing a
 * command allocates nothing. Exactly one party completes a slot: whoever {@link
 * Slot#claim() claims} it (the completion, or a reset failing everything).
 */
final class CommandTable {

  /** Result of a command that completes a future (admin and reservation commands). */
  record Completion(int statusField, int dw0) {}

  static final class Slot {
    final int cid;
    final SubmissionQueueEntry sqe = SubmissionQueueEntry.allocate();
    final ByteBuffer scratch = ByteBuffer.allocate(16);
    // owner: exactly one of io / future is set while the command is outstanding
    IoRequest io;
    NvmeNamespacePath path;
    /** Set for one piece of a request split at the transfer limit. */
    SplitIo split;
    CompletableFuture<Completion> future;
    boolean busy;
    /** When the outstanding command is overdue ({@link System#nanoTime} scale); 0: never. */
    volatile long deadline;
    /** An Abort was sent for the outstanding command (it timed out). */
    volatile boolean aborting;
    /** Counts arms, so a timeout decision is never applied to a later command in the slot. */
    int generation;

    Slot(int cid) {
      this.cid = cid;
    }

    /** Takes ownership of the outstanding command; false if someone else already did. */
    synchronized boolean claim() {
      if (!busy) {
        return false;
      }
      busy = false;
      return true;
    }

    synchronized void arm() {
      busy = true;
      generation++;
    }

    /** The generation of the outstanding command, or -1 when the slot is free. */
    synchronized int outstanding() {
      return busy ? generation : -1;
    }

    /** Marks command {@code gen} as being aborted; false if it is no longer outstanding. */
    synchronized boolean markAborting(int gen, long nextDeadline) {
      if (!busy || generation != gen || aborting) {
        return false;
      }
      aborting = true;
      deadline = nextDeadline;
      return true;
    }
  }

  private final Slot[] slots;
  private final int[] free;
  private int top;
  private long issued; // under this

  CommandTable(int size) {
    slots = new Slot[size];
    free = new int[size];
    for (int i = 0; i < size; i++) {
      slots[i] = new Slot(i);
      free[i] = size - 1 - i; // hand out cid 0 first
    }
    top = size;
  }

  /** A free slot, or null when the queue is full. */
  synchronized Slot acquire() {
    if (top == 0) {
      return null;
    }
    issued++;
    return slots[free[--top]];
  }

  /** Slots handed out so far (commands issued on the queue). */
  synchronized long issued() {
    return issued;
  }

  /** Returns a slot whose command has been completed by its claimer. */
  synchronized void release(Slot s) {
    s.io = null;
    s.path = null;
    s.split = null;
    s.future = null;
    s.deadline = 0;
    s.aborting = false;
    free[top++] = s.cid;
  }

  /** The slot of {@code cid}, or null for an identifier outside the table. */
  Slot slot(int cid) {
    return cid >= 0 && cid < slots.length ? slots[cid] : null;
  }

  int size() {
    return slots.length;
  }
}
