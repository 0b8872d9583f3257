package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NamespaceIdDescriptorListTest {

  static final UUID NS_UUID = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");

  // Namespace Identification Descriptor: byte 0 NIDT, byte 1 NIDL, bytes 3:2 reserved, NID.
  static final byte[] DESCRIPTORS = Golden.hex(
      "01 08 0000" + "0011223344556677"                    // EUI64, NIDL 8
      + "02 10 0000" + "00112233445566778899AABBCCDDEEFF"  // NGUID, NIDL 16
      + "03 10 0000" + "0123456789ABCDEF0123456789ABCDEF"  // UUID, NIDL 16
      + "04 01 0000" + "00"                                // CSI, NIDL 1: NVM
      + "00 00 0000");                                     // NIDT 0: end of list

  static byte[] golden() {
    return new Golden(4096).bytes(0, DESCRIPTORS).b;
  }

  @Test
  void decodesGolden() throws Exception {
    NamespaceIdDescriptorList list = NamespaceIdDescriptorList.decode(Golden.be(golden()));
    assertEquals(4, list.descriptors().size());
    assertArrayEquals(Golden.hex("0011223344556677"), list.eui64().orElseThrow());
    assertArrayEquals(Golden.hex("00112233445566778899AABBCCDDEEFF"), list.nguid().orElseThrow());
    assertEquals(Optional.of(NS_UUID), list.uuid());
    assertEquals(Optional.of(0), list.csi());
  }

  @Test
  void encodesGolden() {
    NamespaceIdDescriptorList list = new NamespaceIdDescriptorList(List.of(
        NamespaceIdDescriptor.eui64(Golden.hex("0011223344556677")),
        NamespaceIdDescriptor.nguid(Golden.hex("00112233445566778899AABBCCDDEEFF")),
        NamespaceIdDescriptor.uuid(NS_UUID),
        NamespaceIdDescriptor.csi(IdentifyCommand.CSI_NVM)));
    assertArrayEquals(golden(), list.toBytes());
  }

  @Test
  void keepsUnknownTypesRaw() throws Exception {
    byte[] b = new Golden(4096).bytes(0, Golden.hex("09 03 0000 AABBCC")).b;
    NamespaceIdDescriptorList list = NamespaceIdDescriptorList.decode(ByteBuffer.wrap(b));
    assertEquals(List.of(new NamespaceIdDescriptor(9, Golden.hex("AABBCC"))), list.descriptors());
    assertArrayEquals(b, list.toBytes());
  }

  @Test
  void descriptorEndingExactlyAtTheEndIsAccepted() throws Exception {
    // 15 descriptors of 4 + 255 bytes, then one whose NID ends exactly at byte 4095
    Golden g = new Golden(4096);
    int off = 0;
    for (int t = 0; t < 15; t++) {
      g.u8(off, 16 + t).u8(off + 1, 255);
      off += 259;
    }
    g.u8(off, 40).u8(off + 1, 4096 - off - 4); // last one fills the structure
    NamespaceIdDescriptorList list = NamespaceIdDescriptorList.decode(ByteBuffer.wrap(g.b));
    assertEquals(16, list.descriptors().size());
  }

  @Test
  void malformed() {
    // shorter than the 4096-byte structure
    assertThrows(NvmeProtocolException.class,
        () -> NamespaceIdDescriptorList.decode(ByteBuffer.wrap(DESCRIPTORS)));
    // NIDL runs past the end of the structure: a chain of descriptors reaching byte 4088,
    // then an NGUID whose 16 bytes would end at 4108
    Golden chain = new Golden(4096);
    int off = 0;
    for (int t = 0; t < 15; t++) {
      chain.u8(off, 16 + t).u8(off + 1, 255);
      off += 259;
    }
    chain.u8(off, 40).u8(off + 1, 4088 - off - 4);
    byte[] past = chain.u8(4088, 0x02).u8(4089, 16).b;
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> NamespaceIdDescriptorList.decode(ByteBuffer.wrap(past)));
    assertEquals(4088 + 4 + 16, e.expectedLength());
    assertEquals(4096, e.actualLength());
    // EUI64 with the NGUID length
    byte[] wrongLen = new Golden(4096).bytes(0, Golden.hex("01 10 0000")).b;
    assertThrows(NvmeProtocolException.class,
        () -> NamespaceIdDescriptorList.decode(ByteBuffer.wrap(wrongLen)));
    // NIDL 0
    byte[] zeroLen = new Golden(4096).bytes(0, Golden.hex("09 00 0000")).b;
    assertThrows(NvmeProtocolException.class,
        () -> NamespaceIdDescriptorList.decode(ByteBuffer.wrap(zeroLen)));
    // two NGUIDs that disagree
    byte[] twice = new Golden(4096).bytes(0, Golden.hex(
        "02 10 0000" + "11".repeat(16) + "02 10 0000" + "22".repeat(16))).b;
    assertThrows(NvmeProtocolException.class,
        () -> NamespaceIdDescriptorList.decode(ByteBuffer.wrap(twice)));
    assertThrows(IllegalArgumentException.class,
        () -> NamespaceIdDescriptor.eui64(new byte[16]));
  }
}
