package dev.mpath.nvme.target;

import java.util.ArrayDeque;

/**
 * One submission/completion queue pair of a {@link TargetController}:
 * its id and size, the transport's {@link CompletionSink}, the submission queue head that
 * every completion reports (SQHD), the pool of its {@link TargetCommand}s, and the
 * completions held back by an injected delay, in order.
 *
 * <p>Thread-safety: the head and the held-back completions are confined to the controller's
 * executor; the pool may be used from any thread (under its own monitor).
 */
final class TargetQueue {
  /** A completion held back by an injected delay. */
  record Pending(long seq, long due, int cid, int status, int dw0, int dw1) {}

  final int qid;
  final int entries;
  final CompletionSink sink;
  private int head;
  private long seq;
  private long lastDue = Long.MIN_VALUE;
  private final ArrayDeque<Pending> delayed = new ArrayDeque<>();
  /** Commands free for reuse (any thread, under its own monitor). */
  private final ArrayDeque<TargetCommand> free = new ArrayDeque<>();

  TargetQueue(int qid, int entries, CompletionSink sink) {
    this.qid = qid;
    this.entries = entries;
    this.sink = sink;
  }

  /** A pooled command, or null when the pool is empty. */
  TargetCommand take() {
    synchronized (free) {
      return free.poll();
    }
  }

  /** Back into the pool (dropped when the pool already holds a queue's worth). */
  void give(TargetCommand cmd) {
    synchronized (free) {
      if (free.size() < entries + 1) {
        free.push(cmd);
      }
    }
  }

  /** The submission queue head (SQHD). */
  int head() {
    return head;
  }

  /** A command was taken off the submission queue: the head moves on, wrapping at its size. */
  void consumed() {
    head = (head + 1) % entries;
  }

  /** Whether completions are held back (a later one must wait behind them). */
  boolean hasDelayed() {
    return !delayed.isEmpty();
  }

  /**
   * Holds a completion back until {@code due}, or until the one before it is due if that is
   * later: due times never decrease along a queue, so a completion never overtakes an
   * earlier one.
   */
  Pending hold(long due, int cid, int status, int dw0, int dw1) {
    due = Math.max(due, lastDue);
    lastDue = due;
    Pending p = new Pending(++seq, due, cid, status, dw0, dw1);
    delayed.add(p);
    return p;
  }

  /**
   * The next held completion to deliver now that the timer of completion {@code upTo} fired:
   * those up to it (earlier ones are due no later) and later ones already due at {@code now},
   * in order; null when the rest must wait.
   */
  Pending nextDue(long upTo, long now) {
    Pending p = delayed.peek();
    if (p == null || (p.seq() > upTo && p.due() > now)) {
      return null;
    }
    return delayed.poll();
  }

  /** The queue is gone: held completions are dropped. */
  void dropDelayed() {
    delayed.clear();
  }
}
