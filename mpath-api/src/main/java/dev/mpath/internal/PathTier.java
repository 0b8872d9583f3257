package dev.mpath.internal;

import dev.mpath.PathInfo;
import dev.mpath.spi.PathSelector;

/** An immutable, ordered array of usable paths of one access tier. */
final class PathTier implements PathSelector.Candidates {
  static final PathTier EMPTY = new PathTier(new PathNode[0]);

  private final PathNode[] nodes;

  PathTier(PathNode[] nodes) {
    this.nodes = nodes;
  }

  @Override
  public int size() {
    return nodes.length;
  }

  @Override
  public PathInfo path(int i) {
    return nodes[i];
  }

  PathNode node(int i) {
    return nodes[i];
  }

  boolean contains(PathNode n) {
    for (PathNode p : nodes) {
      if (p == n) {
        return true;
      }
    }
    return false;
  }
}
