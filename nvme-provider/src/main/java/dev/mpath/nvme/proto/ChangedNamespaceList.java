package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Changed Namespace List log page (LID 04h, NVMe Base 2.0): up to 1024 NSIDs whose
 * attributes changed since the page was last read; 4096 bytes, unused entries zero. When
 * more than 1024 changed, entry 0 is FFFFFFFFh and the rest is zero: {@link #overflow()}.
 *
 * @param nsids the changed NSIDs (empty on overflow)
 * @param overflow more than 1024 namespaces changed; rescan them all
 */
public record ChangedNamespaceList(List<Integer> nsids, boolean overflow) {

  /** Size of the log page. */
  public static final int LENGTH = 4096;
  /** Entries the list can hold. */
  public static final int MAX_ENTRIES = 1024;

  private static final String STRUCTURE = "Changed Namespace List log page";

  /** Validates and copies. */
  public ChangedNamespaceList {
    nsids = List.copyOf(nsids);
    if (overflow && !nsids.isEmpty()) {
      throw new IllegalArgumentException("an overflowed list carries no NSIDs");
    }
    if (nsids.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("use of(...) for more than 1024 NSIDs");
    }
    for (int nsid : nsids) {
      if (nsid == 0 || nsid == SubmissionQueueEntry.NSID_ALL) {
        throw new IllegalArgumentException("invalid NSID in " + STRUCTURE + ": " + nsid);
      }
    }
  }

  /**
   * The page reporting {@code changed} (target side): sorted, duplicates dropped, and the
   * overflow form when more than 1024 remain.
   */
  public static ChangedNamespaceList of(Collection<Integer> changed) {
    TreeSet<Integer> sorted = new TreeSet<>(Integer::compareUnsigned);
    sorted.addAll(changed);
    if (sorted.size() > MAX_ENTRIES) {
      return new ChangedNamespaceList(List.of(), true);
    }
    return new ChangedNamespaceList(new ArrayList<>(sorted), false);
  }

  /** Decodes the 4096 bytes at {@code src.position()}; entries after the first zero are ignored. */
  public static ChangedNamespaceList decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    int base = src.position();
    if (Le.i32(src, base) == SubmissionQueueEntry.NSID_ALL) {
      return new ChangedNamespaceList(List.of(), true);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < MAX_ENTRIES; i++) {
      int nsid = Le.i32(src, base + 4 * i);
      if (nsid == 0) {
        break;
      }
      if (nsid == SubmissionQueueEntry.NSID_ALL) {
        throw new NvmeProtocolException(STRUCTURE, "FFFFFFFFh in entry " + i + ", not entry 0");
      }
      out.add(nsid);
    }
    return new ChangedNamespaceList(out, false);
  }

  /** Always {@link #LENGTH}. */
  public int encodedLength() {
    return LENGTH;
  }

  /** Writes 4096 bytes at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int base = dst.position();
    Le.zero(dst, base, LENGTH);
    if (overflow) {
      Le.put32(dst, base, SubmissionQueueEntry.NSID_ALL);
    } else {
      for (int i = 0; i < nsids.size(); i++) {
        Le.put32(dst, base + 4 * i, nsids.get(i));
      }
    }
    dst.position(base + LENGTH);
  }

  /** The encoded bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    encode(ByteBuffer.wrap(out));
    return out;
  }
}
