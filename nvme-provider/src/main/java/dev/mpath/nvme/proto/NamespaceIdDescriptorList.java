package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Namespace Identification Descriptor list (Identify CNS 03h): descriptors back to back in a
 * 4096-byte structure, ended by a descriptor with NIDT 0 or by the end of the structure.
 *
 * <p>The decoder checks every NIDL against the bytes left before it reads the NID, checks
 * the length of the known types, and rejects two descriptors of the same type (a
 * controller reports each identifier once; two disagreeing identities must not be guessed
 * between).
 *
 * @param descriptors the descriptors, in order
 */
public record NamespaceIdDescriptorList(List<NamespaceIdDescriptor> descriptors) {

  /** Size of the data structure. */
  public static final int LENGTH = 4096;

  private static final String STRUCTURE = "Namespace Identification Descriptor list";

  /** Validates and copies. */
  public NamespaceIdDescriptorList {
    descriptors = List.copyOf(descriptors);
    int total = 0;
    Set<Integer> types = new HashSet<>();
    for (NamespaceIdDescriptor d : descriptors) {
      total += d.encodedLength();
      if (!types.add(d.type())) {
        throw new IllegalArgumentException("NIDT " + d.type() + " given twice");
      }
    }
    if (total > LENGTH) {
      throw new IllegalArgumentException(
          STRUCTURE + " needs " + total + " bytes, the structure holds " + LENGTH);
    }
  }

  /** Decodes the 4096 bytes at {@code src.position()}. */
  public static NamespaceIdDescriptorList decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    int base = src.position();
    List<NamespaceIdDescriptor> out = new ArrayList<>();
    Set<Integer> types = new HashSet<>();
    int off = 0;
    while (off + NamespaceIdDescriptor.HEADER_LENGTH <= LENGTH) {
      int nidt = Le.u8(src, base + off);
      if (nidt == 0) {
        break;
      }
      int nidl = Le.u8(src, base + off + 1);
      int end = off + NamespaceIdDescriptor.HEADER_LENGTH + nidl;
      if (end > LENGTH) {
        throw NvmeProtocolException.overrun(
            STRUCTURE, "NIDL", nidl, end, LENGTH);
      }
      if (nidl == 0) {
        throw new NvmeProtocolException(STRUCTURE, "NIDT " + nidt + " with NIDL 0 at " + off);
      }
      int expected = NamespaceIdDescriptor.expectedLength(nidt);
      if (expected > 0 && nidl != expected) {
        throw new NvmeProtocolException(
            STRUCTURE, "NIDT " + nidt + " needs NIDL " + expected + ", got " + nidl + " at " + off);
      }
      if (!types.add(nidt)) {
        throw new NvmeProtocolException(STRUCTURE, "NIDT " + nidt + " appears twice");
      }
      out.add(new NamespaceIdDescriptor(
          nidt, Le.bytes(src, base + off + NamespaceIdDescriptor.HEADER_LENGTH, nidl)));
      off = end;
    }
    return new NamespaceIdDescriptorList(out);
  }

  /** The descriptor of type {@code nidt}, if present. */
  public Optional<NamespaceIdDescriptor> find(int nidt) {
    for (NamespaceIdDescriptor d : descriptors) {
      if (d.type() == nidt) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The EUI64, if present. */
  public Optional<byte[]> eui64() {
    return find(NamespaceIdDescriptor.NIDT_EUI64).map(NamespaceIdDescriptor::value);
  }

  /** The NGUID, if present. */
  public Optional<byte[]> nguid() {
    return find(NamespaceIdDescriptor.NIDT_NGUID).map(NamespaceIdDescriptor::value);
  }

  /** The namespace UUID, if present. */
  public Optional<UUID> uuid() {
    return find(NamespaceIdDescriptor.NIDT_UUID).map(NamespaceIdDescriptor::asUuid);
  }

  /** The CSI, if present. */
  public Optional<Integer> csi() {
    return find(NamespaceIdDescriptor.NIDT_CSI).map(d -> d.value()[0] & 0xFF);
  }

  /** Always {@link #LENGTH}. */
  public int encodedLength() {
    return LENGTH;
  }

  /** Writes 4096 bytes (zero filled, so terminated) at {@code dst.position()} and advances it. */
  public void encode(ByteBuffer dst) {
    Le.requireWritable(dst, LENGTH, STRUCTURE);
    int base = dst.position();
    Le.zero(dst, base, LENGTH);
    int off = 0;
    for (NamespaceIdDescriptor d : descriptors) {
      Le.put8(dst, base + off, d.type());
      Le.put8(dst, base + off + 1, d.length());
      Le.putBytes(dst, base + off + NamespaceIdDescriptor.HEADER_LENGTH, d.value());
      off += d.encodedLength();
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
