package dev.mpath.chaos;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What each block of one writer's region may hold: the last write acknowledged, and the
 * writes since that failed. A failed write may or may not have reached the medium, so a
 * read may show the old content or the new one, never anything else (nor an older write
 * landing late). Not thread-safe: one model per writer stream, which owns its LBAs.
 */
public final class BlockModel {
  private final long firstLba;
  private final long[] committed;
  private final Map<Integer, TreeSet<Long>> uncertain = new HashMap<>();
  private final long[] nextGeneration;

  /** A region of {@code blocks} LBAs from {@code firstLba}, blank at the start. */
  public BlockModel(long firstLba, int blocks) {
    this.firstLba = firstLba;
    this.committed = new long[blocks];
    this.nextGeneration = new long[blocks];
  }

  public long firstLba() {
    return firstLba;
  }

  public int blocks() {
    return committed.length;
  }

  private int index(long lba) {
    long i = lba - firstLba;
    if (i < 0 || i >= committed.length) {
      throw new IllegalArgumentException("LBA " + lba + " outside the region");
    }
    return (int) i;
  }

  /** The generation the next write of {@code lba} carries. */
  public long nextGeneration(long lba) {
    return ++nextGeneration[index(lba)];
  }

  /** A write of {@code generation} was acknowledged: it is the content now. */
  public void acknowledged(long lba, long generation) {
    int i = index(lba);
    committed[i] = generation;
    TreeSet<Long> u = uncertain.get(i);
    if (u != null) {
      u.headSet(generation, true).clear(); // older failed writes may not show any more
      if (u.isEmpty()) {
        uncertain.remove(i);
      }
    }
  }

  /** A write of {@code generation} failed: it may or may not show. */
  public void failed(long lba, long generation) {
    uncertain.computeIfAbsent(index(lba), k -> new TreeSet<>()).add(generation);
  }

  /**
   * Checks what a read of {@code lba} showed; null when it is allowed, else why not. A
   * failed write that is seen becomes the content (it did land).
   */
  public String verify(long lba, StampedBlock.Seen seen, int writer) {
    int i = index(lba);
    if (seen == null) {
      return "LBA " + lba + ": torn or corrupt block (CRC32C mismatch)";
    }
    long expect = committed[i];
    if (seen.blank()) {
      return expect == 0 ? null // the old content of a block whose writes all failed
          : "LBA " + lba + ": blank, but generation " + expect + " was acknowledged";
    }
    if (seen.lba() != lba) {
      return "LBA " + lba + ": shows the block written to LBA " + seen.lba();
    }
    if (seen.writer() != writer) {
      return "LBA " + lba + ": shows writer " + seen.writer() + "'s block, not " + writer + "'s";
    }
    long g = seen.generation();
    if (g == expect) {
      return null;
    }
    TreeSet<Long> u = uncertain.get(i);
    if (g > expect && u != null && u.contains(g)) {
      acknowledged(lba, g); // it landed after all
      return null;
    }
    return "LBA " + lba + ": generation " + g + " but " + expect + " was acknowledged"
        + (u == null ? "" : " (failed since: " + u + ")")
        + (g < expect ? ": an older write landed late" : "");
  }
}
