package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asymmetric Namespace Access log page (LID 0Ch, NVMe Base 2.0): a 16-byte header (bytes
 * 07:00 Change Count, 09:08 Number of ANA Group Descriptors, 15:10 reserved) followed by that
 * many {@link AnaGroupDescriptor}s of variable length.
 *
 * <p>Read with LSP bit 0 (RGO, Return Groups Only) set, the controller returns the groups with
 * NNSIDS 0 and no NSID lists; {@link #encode(ByteBuffer, boolean)} produces either form.
 *
 * <p>The decoder is strict, like the Linux host: the descriptor count, each NNSIDS and each
 * descriptor must fit in the bytes present, each ANAGRPID must be non-zero and each ANA state
 * defined; otherwise {@link NvmeProtocolException}. Nothing is allocated beyond what the
 * buffer's bytes can back.
 *
 * @param changeCount the page's change count
 * @param groups the group descriptors, in order
 */
public record AnaLogPage(long changeCount, List<AnaGroupDescriptor> groups) {

  /** Header size. */
  public static final int HEADER_LENGTH = 16;
  /** Bytes 07:00 Change Count (CHGCNT). */
  public static final int CHGCNT_OFFSET = 0;
  /** Bytes 09:08 Number of ANA Group Descriptors (NGRPS). */
  public static final int NGRPS_OFFSET = 8;
  /** Most descriptors the 16-bit count can announce. */
  public static final int MAX_GROUPS = 0xFFFF;

  private static final String STRUCTURE = "ANA log page";

  /** Validates and copies. */
  public AnaLogPage {
    groups = List.copyOf(groups);
    if (groups.size() > MAX_GROUPS) {
      throw new IllegalArgumentException("at most 65535 ANA group descriptors");
    }
  }

  /**
   * Bytes a host must read to see the whole page: header, {@code anagrpmax} descriptors and
   * (without RGO) {@code nn} NSIDs.
   */
  public static long maxLength(long anagrpmax, long nn, boolean rgo) {
    return HEADER_LENGTH + AnaGroupDescriptor.HEADER_LENGTH * anagrpmax + (rgo ? 0 : 4 * nn);
  }

  /** Decodes from {@code src.position()} to its limit. */
  public static AnaLogPage decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, HEADER_LENGTH, STRUCTURE);
    int base = src.position();
    int avail = src.remaining();
    long chgcnt = Le.i64(src, base + CHGCNT_OFFSET);
    int ngrps = Le.u16(src, base + NGRPS_OFFSET);
    long minimum = HEADER_LENGTH + (long) AnaGroupDescriptor.HEADER_LENGTH * ngrps;
    if (minimum > avail) {
      throw NvmeProtocolException.overrun(STRUCTURE, "NGRPS", ngrps, minimum, avail);
    }
    List<AnaGroupDescriptor> groups = new ArrayList<>(ngrps);
    int off = HEADER_LENGTH;
    for (int g = 0; g < ngrps; g++) {
      if (off + AnaGroupDescriptor.HEADER_LENGTH > avail) {
        throw NvmeProtocolException.tooShort(
            STRUCTURE + " descriptor " + g, off + AnaGroupDescriptor.HEADER_LENGTH, avail);
      }
      int p = base + off;
      int grpid = Le.i32(src, p + AnaGroupDescriptor.ANAGRPID_OFFSET);
      long nnsids = Le.u32(src, p + AnaGroupDescriptor.NNSIDS_OFFSET);
      long grpChgcnt = Le.i64(src, p + AnaGroupDescriptor.CHGCNT_OFFSET);
      int stateCode = Le.u8(src, p + AnaGroupDescriptor.STATE_OFFSET) & 0x0F;
      long end = off + AnaGroupDescriptor.HEADER_LENGTH + 4 * nnsids;
      if (end > avail) {
        throw NvmeProtocolException.overrun(
            STRUCTURE + " descriptor " + g, "NNSIDS", nnsids, end, avail);
      }
      if (grpid == 0) {
        throw new NvmeProtocolException(STRUCTURE, "descriptor " + g + " has ANAGRPID 0");
      }
      if (!AnaState.isDefined(stateCode)) {
        throw new NvmeProtocolException(
            STRUCTURE,
            String.format("descriptor %d (ANAGRPID %d) has reserved ANA state 0x%02x",
                g, Integer.toUnsignedLong(grpid), stateCode));
      }
      List<Integer> nsids = new ArrayList<>((int) nnsids);
      for (int i = 0; i < nnsids; i++) {
        nsids.add(Le.i32(src, p + AnaGroupDescriptor.NSID_OFFSET + 4 * i));
      }
      groups.add(new AnaGroupDescriptor(grpid, grpChgcnt, AnaState.fromCode(stateCode), nsids));
      off = (int) end;
    }
    return new AnaLogPage(chgcnt, groups);
  }

  /** The group with {@code anaGroupId}, if present. */
  public Optional<AnaGroupDescriptor> group(int anaGroupId) {
    for (AnaGroupDescriptor g : groups) {
      if (g.anaGroupId() == anaGroupId) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** The group listing {@code nsid}, if any (never found in an RGO page). */
  public Optional<AnaGroupDescriptor> groupOf(int nsid) {
    for (AnaGroupDescriptor g : groups) {
      if (g.nsids().contains(nsid)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** Encoded size, with or without the NSID lists. */
  public int encodedLength(boolean rgo) {
    int n = HEADER_LENGTH;
    for (AnaGroupDescriptor g : groups) {
      n += g.encodedLength(rgo);
    }
    return n;
  }

  /**
   * Writes the page at {@code dst.position()} and advances it.
   *
   * @param rgo Return Groups Only: NNSIDS 0 and no NSIDs in every descriptor
   */
  public void encode(ByteBuffer dst, boolean rgo) {
    int len = encodedLength(rgo);
    Le.requireWritable(dst, len, STRUCTURE);
    int base = dst.position();
    Le.zero(dst, base, len);
    Le.put64(dst, base + CHGCNT_OFFSET, changeCount);
    Le.put16(dst, base + NGRPS_OFFSET, groups.size());
    int off = HEADER_LENGTH;
    for (AnaGroupDescriptor g : groups) {
      int p = base + off;
      int n = rgo ? 0 : g.nsids().size();
      Le.put32(dst, p + AnaGroupDescriptor.ANAGRPID_OFFSET, g.anaGroupId());
      Le.put32(dst, p + AnaGroupDescriptor.NNSIDS_OFFSET, n);
      Le.put64(dst, p + AnaGroupDescriptor.CHGCNT_OFFSET, g.changeCount());
      Le.put8(dst, p + AnaGroupDescriptor.STATE_OFFSET, g.state().code());
      for (int i = 0; i < n; i++) {
        Le.put32(dst, p + AnaGroupDescriptor.NSID_OFFSET + 4 * i, g.nsids().get(i));
      }
      off += g.encodedLength(rgo);
    }
    dst.position(base + len);
  }

  /** The encoded bytes. */
  public byte[] toBytes(boolean rgo) {
    byte[] out = new byte[encodedLength(rgo)];
    encode(ByteBuffer.wrap(out), rgo);
    return out;
  }
}
