package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Design note section 6: every decoder, fed random, truncated and bit-flipped input, either
 * decodes or throws {@link ScsiProtocolException}; never an index, negative-size or argument
 * exception, never an allocation sized by a length field.
 */
class DecoderRobustnessTest {

  /** decoder name -> (decoder, a valid sample whose mutations are tried). */
  private static Map<String, Object[]> decoders() {
    Map<String, Object[]> m = new LinkedHashMap<>();
    m.put("Cdb", entry(b -> Cdb.parse(b), ReadWriteCdb.read16(5, 5).toBytes()));
    m.put("CdbVariable", entry(b -> Cdb.parse(b), varCdb()));
    m.put("SenseFixed", entry(SenseData::decode, Hex.bytes(
        "f0 00 05 12 34 56 78 0c 00 00 00 00 24 00 00 cc 00 02 aa bb")));
    m.put("SenseDescriptor", entry(SenseData::decode, Hex.bytes(
        "73 05 24 00 00 00 00 1c 01 0a 00 00 00 00 00 00 00 00 00 99"
            + " 02 06 00 00 c0 00 01 00 03 02 00 2a 05 02 00 20")));
    m.put("StandardInquiry", entry(StandardInquiryData::decode, StandardInquiryDataTest.GOLDEN_36));
    m.put("Vpd83", entry(VpdPage::decode, VpdTest.PAGE_83));
    m.put("Vpd", entry(VpdPage::decode, new BlockLimitsVpd(Peripheral.DISK, true, 1, 2, 3, 4, 5,
        6, 7, 8, true, 9, 10).encode()));
    m.put("ReadCapacity16", entry(ReadCapacity16Data::decode, ReadCapacity16Data.of(9, 512, true)
        .encode()));
    m.put("ReportLuns", entry(ReportLunsData::decode, BlockDataTest.REPORT_LUNS));
    m.put("Unmap", entry(UnmapParameterList::decode, new UnmapParameterList(java.util.List.of(
        new UnmapBlockDescriptor(1, 2))).encode()));
    m.put("PrOut", entry(PrOutParameterList::decode, Hex.cat(Hex.bytes(
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 ab cd 00 00 00 00 08 00 00 00 00 00 00 70"),
        PersistentReservationTest.TID_NAME, PersistentReservationTest.TID_PORT,
        PersistentReservationTest.TID_FC)));
    m.put("RegisterAndMove", entry(b -> PrRegisterAndMoveParameterList.decode(b, 0, b.length),
        new PrRegisterAndMoveParameterList(1, 2, true, false, 3,
            IscsiTransportId.ofPort("iqn.x", 7)).encode()));
    m.put("ReadKeys", entry(PrReadKeys::decode, new PrReadKeys(1, java.util.List.of(1L, 2L))
        .encode()));
    m.put("ReadReservation", entry(PrReadReservation::decode,
        PrReadReservation.of(1, 2, PrType.EXCLUSIVE_ACCESS).encode()));
    m.put("Capabilities", entry(PrCapabilities::decode, Hex.bytes("00 08 1d 91 ea 01 00 00")));
    m.put("FullStatus", entry(PrFullStatus::decode, PersistentReservationTest.FULL_STATUS));
    m.put("TransportId", entry(b -> TransportId.decode(b, 0, b.length),
        PersistentReservationTest.TID_PORT));
    return m;
  }

  private static byte[] varCdb() {
    byte[] c = new byte[16];
    c[0] = 0x7F;
    c[7] = 8;
    return c;
  }

  private static Object[] entry(Consumer<byte[]> decoder, byte[] sample) {
    return new Object[] {decoder, sample};
  }

  @SuppressWarnings("unchecked")
  @Test
  void decodersOnlyThrowProtocolErrors() {
    Random rnd = new Random(0x5C5150L);
    for (Map.Entry<String, Object[]> e : decoders().entrySet()) {
      Consumer<byte[]> dec = (Consumer<byte[]>) e.getValue()[0];
      byte[] sample = (byte[]) e.getValue()[1];
      dec.accept(sample); // the sample itself is valid
      for (int len = 0; len <= sample.length; len++) {
        run(e.getKey(), dec, Arrays.copyOf(sample, len));
      }
      for (int i = 0; i < 3000; i++) {
        byte[] m = sample.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int f = 0; f < flips; f++) {
          m[rnd.nextInt(m.length)] = (byte) (rnd.nextInt(5) == 0 ? 0xFF : rnd.nextInt(256));
        }
        if (rnd.nextBoolean()) {
          m = Arrays.copyOf(m, rnd.nextInt(m.length + 1));
        }
        run(e.getKey(), dec, m);
      }
      for (int i = 0; i < 1000; i++) {
        byte[] r = new byte[rnd.nextInt(300)];
        rnd.nextBytes(r);
        if (r.length > 1 && sample.length > 1) {
          r[0] = sample[0];
          r[1] = sample[1];
        }
        run(e.getKey(), dec, r);
      }
    }
  }

  private static void run(String name, Consumer<byte[]> dec, byte[] input) {
    try {
      dec.accept(input);
    } catch (ScsiProtocolException expected) {
      // fine: a typed protocol error
    } catch (RuntimeException other) {
      fail(name + " threw " + other + " for input " + Bytes.hex(input), other);
    }
  }
}
