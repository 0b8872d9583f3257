package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Controller List (NVMe Base 2.0): bytes 01:00 Number of Identifiers (NUMID), then NUMID
 * 16-bit controller identifiers, at most 2047, in a 4096-byte structure. Returned by
 * Identify CNS 12h/13h and sent as the data of Namespace Attachment.
 *
 * <p>The decoder reads NUMID and checks it against both the 2047 limit and the bytes
 * present before it allocates; it accepts buffers shorter than 4096 bytes as long as the
 * identifiers NUMID announces are all there (a host may send only what it needs).
 *
 * @param controllerIds the controller identifiers (0..65535), in the order given
 */
public record ControllerList(List<Integer> controllerIds) {

  /** Size of the encoded structure. */
  public static final int LENGTH = 4096;
  /** Most identifiers the structure holds. */
  public static final int MAX_ENTRIES = 2047;
  /** Bytes 01:00 NUMID. */
  public static final int NUMID_OFFSET = 0;
  /** Bytes 03:02 Identifier 0; identifier n at 2 + 2n. */
  public static final int IDENTIFIERS_OFFSET = 2;

  private static final String STRUCTURE = "Controller List";

  /** Validates and copies. */
  public ControllerList {
    controllerIds = List.copyOf(controllerIds);
    if (controllerIds.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          STRUCTURE + " holds " + MAX_ENTRIES + " identifiers, not " + controllerIds.size());
    }
    for (int id : controllerIds) {
      Le.checkRange("controller identifier", id, 0, 0xFFFF);
    }
  }

  /** Decodes from {@code src.position()} to its limit. */
  public static ControllerList decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, 2, STRUCTURE);
    int base = src.position();
    int numid = Le.u16(src, base + NUMID_OFFSET);
    if (numid > MAX_ENTRIES) {
      throw new NvmeProtocolException(
          STRUCTURE, "NUMID " + numid + " exceeds the " + MAX_ENTRIES + " the structure holds");
    }
    long need = IDENTIFIERS_OFFSET + 2L * numid;
    if (src.remaining() < need) {
      throw NvmeProtocolException.overrun(STRUCTURE, "NUMID", numid, need, src.remaining());
    }
    List<Integer> ids = new ArrayList<>(numid);
    for (int i = 0; i < numid; i++) {
      ids.add(Le.u16(src, base + IDENTIFIERS_OFFSET + 2 * i));
    }
    return new ControllerList(ids);
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
    Le.put16(dst, base + NUMID_OFFSET, controllerIds.size());
    for (int i = 0; i < controllerIds.size(); i++) {
      Le.put16(dst, base + IDENTIFIERS_OFFSET + 2 * i, controllerIds.get(i));
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
