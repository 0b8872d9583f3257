package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Issue 9: every NVMe structure decoder fed random bytes of random length either decodes
 * or throws {@link NvmeProtocolException}; never an index, negative-size or argument
 * exception, and never an allocation sized by a count field it has not checked.
 */
class DecoderFuzzTest {

  @FunctionalInterface
  interface Decoder {
    Object decode(byte[] b) throws NvmeProtocolException;
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static final Map<String, Decoder> DECODERS = new LinkedHashMap<>();

  static {
    DECODERS.put("ActiveNamespaceList", b -> ActiveNamespaceList.decode(le(b)));
    DECODERS.put("AnaLogPage", b -> AnaLogPage.decode(le(b)));
    DECODERS.put("ChangedNamespaceList", b -> ChangedNamespaceList.decode(le(b)));
    DECODERS.put("ControllerList", b -> ControllerList.decode(le(b)));
    DECODERS.put("DiscoveryLogPage", b -> DiscoveryLogPage.decode(b, b.length));
    DECODERS.put("DsmRange", b -> DsmRange.decode(le(b)));
    DECODERS.put("IdentifyController", b -> IdentifyController.decode(le(b)));
    DECODERS.put("IdentifyNamespace", b -> IdentifyNamespace.decode(le(b)));
    DECODERS.put("NamespaceIdDescriptorList", b -> NamespaceIdDescriptorList.decode(le(b)));
    DECODERS.put("ReservationAcquireData", b -> ReservationAcquireData.decode(le(b)));
    DECODERS.put("ReservationRegisterData", b -> ReservationRegisterData.decode(le(b)));
    DECODERS.put("ReservationReleaseData", b -> ReservationReleaseData.decode(le(b)));
    DECODERS.put("ReservationStatus", b -> ReservationStatus.decode(le(b), false));
    DECODERS.put("ReservationStatusExtended", b -> ReservationStatus.decode(le(b), true));
  }

  @Provide
  Arbitrary<String> decoders() {
    return Arbitraries.of(DECODERS.keySet());
  }

  @Provide
  Arbitrary<byte[]> inputs() {
    // mostly small counts, so the decoders walk their entries instead of refusing at once
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(5000).map(b -> {
      if (b.length > 16 && (b[0] & 1) == 0) {
        for (int i = 1; i < 16; i++) {
          b[i] = (byte) (b[i] & 0x03);
        }
      }
      return b;
    });
  }

  @Property
  void decodesOrThrowsTheTypedError(@ForAll("decoders") String name,
      @ForAll("inputs") @Size(max = 5000) byte[] input) {
    try {
      DECODERS.get(name).decode(input);
    } catch (NvmeProtocolException expected) {
      // typed
    }
  }
}
