package dev.mpath.spi;

import dev.mpath.IoRequest;
import dev.mpath.PathInfo;

/**
 * An I/O policy's path choice for one head (the selector SPI). The head calls
 * {@link #select} with the usable paths of the best access tier only (optimized, or
 * non-optimized when no optimized path is usable), so a selector never has to rank access
 * states itself.
 *
 * <p>{@link #select} runs on every submission, concurrently from any thread: it must not
 * block, lock or allocate. {@link #pathsChanged} runs when the usable set changes, never
 * concurrently with itself.
 */
public interface PathSelector {

  /**
   * Picks the path for {@code request}.
   *
   * @param candidates the usable paths of the best tier; never empty
   * @return an index into {@code candidates}
   */
  int select(Candidates candidates, IoRequest request);

  /**
   * Told that the usable paths changed; {@code optimized} and {@code nonOptimized} are the
   * new tiers (either may be empty). Default: nothing.
   */
  default void pathsChanged(Candidates optimized, Candidates nonOptimized) {}

  /**
   * An immutable, ordered set of usable paths: by {@link PathInfo#preferred()} first, then
   * by {@link PathInfo#priority()} (higher first), then by {@link PathInfo#index()}. A new
   * instance is made whenever the set changes, so identity comparison tells a selector
   * that its cached choices are stale.
   */
  interface Candidates {
    int size();

    PathInfo path(int i);

    /** Position of {@code path} in this set, or -1. */
    default int indexOf(PathInfo path) {
      for (int i = 0, n = size(); i < n; i++) {
        if (path(i) == path) {
          return i;
        }
      }
      return -1;
    }
  }

  /** Makes one selector per head. */
  @FunctionalInterface
  interface Factory {
    PathSelector create(Scheduler scheduler);
  }
}
