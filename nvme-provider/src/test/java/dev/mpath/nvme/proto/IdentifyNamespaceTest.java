package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IdentifyNamespaceTest {

  static final byte[] NGUID = Golden.hex("00112233445566778899AABBCCDDEEFF");
  static final byte[] EUI64 = Golden.hex("0011223344556677");

  /** Identify Namespace data structure (NVM Command Set, CNS 00h), placed by byte offset. */
  static Golden golden() {
    return new Golden(4096)
        .le64(0, 0x20_0000L)        // 07:00 NSZE
        .le64(8, 0x20_0000L)        // 15:08 NCAP
        .le64(16, 0x1000L)          // 23:16 NUSE
        .u8(24, 0x01)               // 24 NSFEAT thin provisioning
        .u8(25, 1)                  // 25 NLBAF: two formats (zero-based)
        .u8(26, 0x01)               // 26 FLBAS: format 1
        .u8(30, 0x01)               // 30 NMIC shared
        .u8(31, 0xFF)               // 31 RESCAP all types + PTPL + IEKEY
        .le16(34, 7)                // 35:34 NAWUN
        .le32(92, 3)                // 95:92 ANAGRPID
        .u8(99, 0x01)               // 99 NSATTR write protected
        .bytes(104, NGUID)          // 119:104 NGUID
        .bytes(120, EUI64)          // 127:120 EUI64
        .le32(128, 0x00090000L)     // 131:128 LBAF0: MS 0, LBADS 9 (512), RP 0
        .le32(132, 0x010C0008L);    // 135:132 LBAF1: MS 8, LBADS 12 (4096), RP 1
  }

  @Test
  void decodesEveryField() throws Exception {
    IdentifyNamespace ns = new IdentifyNamespace().wrap(Golden.be(golden().b), 0);
    assertEquals(0x20_0000L, ns.nsze());
    assertEquals(0x20_0000L, ns.ncap());
    assertEquals(0x1000L, ns.nuse());
    assertEquals(IdentifyNamespace.NSFEAT_THIN_PROVISIONING, ns.nsfeat());
    assertEquals(1, ns.nlbaf());
    assertEquals(1, ns.flbas());
    assertTrue(ns.shared());
    assertEquals(0xFF, ns.rescap());
    assertEquals(7, ns.nawun());
    assertEquals(3, ns.anagrpid());
    assertEquals(IdentifyNamespace.NSATTR_WRITE_PROTECTED, ns.nsattr());
    assertArrayEquals(NGUID, ns.nguid());
    assertArrayEquals(EUI64, ns.eui64());
    assertEquals(9, ns.lbads(0));
    assertEquals(0, ns.metadataSize(0));
    assertEquals(12, ns.lbads(1));
    assertEquals(8, ns.metadataSize(1));
    assertEquals(1, ns.lbaFormatIndex());
    assertEquals(4096, ns.blockSize());
  }

  @Test
  void encoderProducesTheGoldenBytes() {
    IdentifyNamespace ns = IdentifyNamespace.allocate()
        .nsze(0x20_0000L).ncap(0x20_0000L).nuse(0x1000L)
        .nsfeat(IdentifyNamespace.NSFEAT_THIN_PROVISIONING).nlbaf(1).lbaFormatIndex(1)
        .nmic(IdentifyNamespace.NMIC_SHARED).rescap(0xFF).nawun(7).anagrpid(3)
        .nsattr(IdentifyNamespace.NSATTR_WRITE_PROTECTED).nguid(NGUID).eui64(EUI64)
        .lbaf(0, 0, 9, 0).lbaf(1, 8, 12, 1);
    assertArrayEquals(golden().b, ns.toBytes());
  }

  @Test
  void rejectsNonsenseFormats() throws Exception {
    byte[] b = golden().u8(26, 0x05).b; // FLBAS selects format 5, NLBAF says two formats
    IdentifyNamespace ns = new IdentifyNamespace().wrap(ByteBuffer.wrap(b), 0);
    assertThrows(NvmeProtocolException.class, ns::lbaFormatIndex);
    assertThrows(NvmeProtocolException.class, ns::blockSize);

    byte[] c = golden().le32(132, 0).b; // selected format 1 has LBADS 0
    assertThrows(NvmeProtocolException.class,
        new IdentifyNamespace().wrap(ByteBuffer.wrap(c), 0)::blockSize);
  }

  @Test
  void upperFormatIndexBits() throws Exception {
    // NLBAF 40: FLBAS bits 6:5 carry index bits 5:4. Index 37 = 10_0101b -> bits 3:0 0101b, 6:5 10b
    byte[] b = golden().u8(25, 40).u8(26, 0x45).le32(128 + 4 * 37, 0x000A0000L).b;
    IdentifyNamespace ns = new IdentifyNamespace().wrap(ByteBuffer.wrap(b), 0);
    assertEquals(37, ns.lbaFormatIndex());
    assertEquals(1024, ns.blockSize());
    IdentifyNamespace enc = IdentifyNamespace.allocate().nlbaf(40).lbaFormatIndex(37);
    assertEquals(0x45, enc.flbas());
  }

  @Test
  void rejectsShortBuffers() {
    assertThrows(NvmeProtocolException.class,
        () -> new IdentifyNamespace().wrap(ByteBuffer.allocate(4095), 0));
    assertThrows(NvmeProtocolException.class,
        () -> IdentifyNamespace.decode(ByteBuffer.allocate(4096).position(1)));
    assertThrows(IllegalArgumentException.class,
        () -> IdentifyNamespace.allocate().nguid(new byte[8]));
  }
}
