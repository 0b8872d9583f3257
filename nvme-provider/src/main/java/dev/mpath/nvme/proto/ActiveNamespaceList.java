package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Active Namespace ID list (Identify CNS 02h): a Namespace List of up to 1024 NSIDs in
 * increasing order, unused entries zero; 4096 bytes.
 *
 * <p>The controller returns NSIDs greater than the NSID in the command, so a host pages
 * through more than 1024 namespaces by asking again above the last entry. The decoder
 * therefore insists on strictly increasing NSIDs: a list that goes backwards could make such
 * a scan loop forever. Entries after the first zero are ignored.
 *
 * @param nsids the NSIDs, increasing (unsigned), none zero
 */
public record ActiveNamespaceList(List<Integer> nsids) {

  /** Size of the data structure. */
  public static final int LENGTH = 4096;
  /** Entries the list can hold. */
  public static final int MAX_ENTRIES = 1024;

  private static final String STRUCTURE = "Active Namespace ID list";

  /** Validates and copies. */
  public ActiveNamespaceList {
    nsids = List.copyOf(nsids);
    if (nsids.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          STRUCTURE + " holds " + MAX_ENTRIES + " NSIDs, not " + nsids.size());
    }
    int prev = 0;
    for (int nsid : nsids) {
      if (nsid == 0 || nsid == SubmissionQueueEntry.NSID_ALL
          || Integer.compareUnsigned(nsid, prev) <= 0) {
        throw new IllegalArgumentException(
            STRUCTURE + " needs valid NSIDs in increasing order: " + nsids);
      }
      prev = nsid;
    }
  }

  /** Decodes the 4096 bytes at {@code src.position()}. */
  public static ActiveNamespaceList decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    int base = src.position();
    List<Integer> out = new ArrayList<>();
    int prev = 0;
    for (int i = 0; i < MAX_ENTRIES; i++) {
      int nsid = Le.i32(src, base + 4 * i);
      if (nsid == 0) {
        break;
      }
      if (nsid == SubmissionQueueEntry.NSID_ALL || Integer.compareUnsigned(nsid, prev) <= 0) {
        throw new NvmeProtocolException(
            STRUCTURE,
            "entry " + i + " NSID " + Integer.toUnsignedString(nsid)
                + " does not increase on " + Integer.toUnsignedString(prev));
      }
      out.add(nsid);
      prev = nsid;
    }
    return new ActiveNamespaceList(out);
  }

  /** Always {@link #LENGTH}. */
  public int encodedLength() {
    return LENGTH;
  }

  /** Writes 4096 bytes (zero filled) at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int base = dst.position();
    Le.zero(dst, base, LENGTH);
    for (int i = 0; i < nsids.size(); i++) {
      Le.put32(dst, base + 4 * i, nsids.get(i));
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
