package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Discovery log page (Log Identifier 70h) byte for byte as NVMe over Fabrics 1.1, 5.3
 * (Figures 37 and 38) lays it out; the expected bytes are written here from the figures,
 * not from the encoder.
 */
class DiscoveryLogPageTest {
  static final String NQN = "nqn.2024-01.dev.mpath:demo";

  @Test
  void headerAndEntryBytes() {
    DiscoveryLogPage page = new DiscoveryLogPage(0x0102030405060708L, List.of(
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 2, "192.0.2.7", 4420, NQN),
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 3, "2001:db8::5", 4421, NQN)));
    byte[] b = page.toBytes();
    assertEquals(1024 + 2 * 1024, b.length);
    // header: GENCTR 07:00 little endian, NUMREC 15:08, RECFMT 17:16, rest reserved
    assertEquals(List.of(8, 7, 6, 5, 4, 3, 2, 1), ints(b, 0, 8));
    assertEquals(List.of(2, 0, 0, 0, 0, 0, 0, 0), ints(b, 8, 8));
    assertEquals(List.of(0, 0), ints(b, 16, 2));
    assertEquals(0, Arrays.stream(ints(b, 18, 1024 - 18).toArray(new Integer[0])).mapToInt(i -> i).sum());
    int e = 1024;
    assertEquals(3, b[e] & 0xFF, "TRTYPE 3: TCP");
    assertEquals(1, b[e + 1] & 0xFF, "ADRFAM 1: IPv4");
    assertEquals(2, b[e + 2] & 0xFF, "SUBTYPE 2: NVM subsystem");
    assertEquals(0x04, b[e + 3] & 0xFF, "TREQ: secure channel not specified, SQ flow control disable");
    assertEquals(List.of(2, 0), ints(b, e + 4, 2), "PORTID");
    assertEquals(List.of(0xFF, 0xFF), ints(b, e + 6, 2), "CNTLID FFFFh: dynamic");
    assertEquals(List.of(32, 0), ints(b, e + 8, 2), "ASQSZ");
    assertEquals(List.of(0, 0), ints(b, e + 10, 2), "EFLAGS");
    assertEquals("4420" + " ".repeat(28), text(b, e + 32, 32), "TRSVCID, space padded");
    assertEquals(NQN, text(b, e + 256, NQN.length()));
    assertEquals(0, b[e + 256 + NQN.length()], "SUBNQN NUL terminated");
    assertEquals("192.0.2.7" + " ".repeat(256 - 9), text(b, e + 512, 256), "TRADDR, space padded");
    assertEquals(0, b[e + 768], "TSAS SECTYPE 0: no security");
    assertEquals(2, b[e + 1024 + 1] & 0xFF, "ADRFAM 2: IPv6");
  }

  @Test
  void decodesWhatItReadsAndRefusesBadHeaders() throws Exception {
    DiscoveryLogPage page = new DiscoveryLogPage(9, List.of(
        DiscoveryLogPage.Entry.tcp(DiscoveryLogPage.SUBTYPE_NVME, 1, "10.0.0.1", 4420, NQN)));
    byte[] b = page.toBytes();
    assertEquals(page, DiscoveryLogPage.decode(b, b.length));
    assertThrows(NvmeProtocolException.class, () -> DiscoveryLogPage.decode(b, 1023));
    assertThrows(NvmeProtocolException.class, () -> DiscoveryLogPage.decode(b, 2047), "NUMREC 1, entry cut");
    byte[] huge = b.clone();
    Arrays.fill(huge, 8, 16, (byte) 0xFF); // NUMREC 2^64 - 1
    assertThrows(NvmeProtocolException.class, () -> DiscoveryLogPage.decode(huge, huge.length));
    byte[] fmt = b.clone();
    fmt[16] = 1;
    assertThrows(NvmeProtocolException.class, () -> DiscoveryLogPage.decode(fmt, fmt.length));
  }

  private static List<Integer> ints(byte[] b, int off, int len) {
    Integer[] out = new Integer[len];
    for (int i = 0; i < len; i++) {
      out[i] = b[off + i] & 0xFF;
    }
    return List.of(out);
  }

  private static String text(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.US_ASCII);
  }
}
