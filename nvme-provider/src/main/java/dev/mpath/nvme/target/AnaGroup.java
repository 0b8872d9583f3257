package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.AnaState;
import dev.mpath.spi.Scheduler;

/**
 * One ANA group: its state and change count per port (a group has one state per controller
 * in NVMe; here every controller of a port shares it, as with Linux nvmet). Mutations hold
 * the subsystem's lock; {@link #states} is replaced as a whole so the I/O path reads it
 * without locking.
 */
final class AnaGroup {

  final int id;
  /** State per port, index = port id (0 unused). Copy-on-write. */
  volatile AnaState[] states;
  /** Change count per port (subsystem lock). */
  final long[] changeCount;
  /** Pending end of a transition per port (subsystem lock). */
  final Scheduler.Cancellable[] pending;
  /** Transition generation per port: a stale timer compares and gives up (subsystem lock). */
  final long[] transitionSeq;

  AnaGroup(int id, AnaState[] initial) {
    this.id = id;
    this.states = initial.clone();
    this.changeCount = new long[initial.length];
    this.pending = new Scheduler.Cancellable[initial.length];
    this.transitionSeq = new long[initial.length];
  }

  AnaState state(int port) {
    return states[port];
  }
}
