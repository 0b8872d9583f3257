package dev.mpath.internal;

/**
 * What the submit path reads: the usable paths split by access tier, and whether a path
 * may still become usable. Immutable; replaced as a whole on every topology or state
 * change, so selection needs no lock.
 */
final class Snapshot {
  static final Snapshot EMPTY = new Snapshot(PathTier.EMPTY, PathTier.EMPTY, false);

  final PathTier optimized;
  final PathTier nonOptimized;
  /** Some path is not usable now but is expected to be (reconnecting, transitioning...). */
  final boolean mayBecomeUsable;

  Snapshot(PathTier optimized, PathTier nonOptimized, boolean mayBecomeUsable) {
    this.optimized = optimized;
    this.nonOptimized = nonOptimized;
    this.mayBecomeUsable = mayBecomeUsable;
  }

  /** The tier I/O goes to: optimized first, then non-optimized; may be empty. */
  PathTier best() {
    return optimized.size() > 0 ? optimized : nonOptimized;
  }

  boolean hasUsable() {
    return optimized.size() + nonOptimized.size() > 0;
  }
}
