/**
 * The shared I/O engine ({@link dev.mpath.wire.IoEngine}), the listener skeleton
 * ({@link dev.mpath.wire.WireListener}) and lock-free cross-thread submission
 * ({@link dev.mpath.wire.SubmitQueue}) that both wires build on.
 */
package dev.mpath.wire;
