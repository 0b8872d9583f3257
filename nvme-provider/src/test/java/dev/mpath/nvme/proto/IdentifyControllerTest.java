package dev.mpath.nvme.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IdentifyControllerTest {

  static final String NQN = "nqn.2014-08.dev.mpath:subsys-1";

  /** Identify Controller data structure (Base 2.0, CNS 01h), placed by byte offset. */
  static Golden golden() {
    return new Golden(4096)
        .le16(0, 0x1B36)                       // 01:00 VID
        .le16(2, 0x1AF4)                       // 03:02 SSVID
        .ascii(4, 20, "SN-0001")               // 23:04 SN, space padded
        .ascii(24, 40, "mpath emulated NVMe")  // 63:24 MN
        .ascii(64, 8, "1.0")                   // 71:64 FR
        .u8(72, 6)                             // 72    RAB
        .u8(73, 0x56).u8(74, 0x34).u8(75, 0x12) // 75:73 IEEE OUI 123456h, LSB first
        .u8(76, 0x0B)                          // 76    CMIC: multi-port, multi-ctrl, ANA
        .u8(77, 5)                             // 77    MDTS
        .le16(78, 0x0102)                      // 79:78 CNTLID
        .le32(80, 0x00020000)                  // 83:80 VER 2.0.0
        .le32(92, 0x900)                       // 95:92 OAES: bit 8 NS attr, bit 11 ANA change
        .le32(96, 0x1)                         // 99:96 CTRATT: 128-bit host id
        .u8(111, 1)                            // 111   CNTRLTYPE I/O
        .le16(128, 10).le16(130, 20).le16(132, 30) // CRDT1..3
        .le16(256, 0x0008)                     // 257:256 OACS: NS management
        .u8(258, 3)                            // 258 ACL
        .u8(259, 3)                            // 259 AERL
        .u8(261, 0x04)                         // 261 LPA: extended data
        .le16(320, 100)                        // 321:320 KAS (100 x 100 ms)
        .u8(342, 10)                           // 342 ANATT
        .u8(343, 0x5F)                         // 343 ANACAP
        .le32(344, 128)                        // 347:344 ANAGRPMAX
        .le32(348, 4)                          // 351:348 NANAGRPID
        .u8(512, 0x66)                         // 512 SQES
        .u8(513, 0x44)                         // 513 CQES
        .le16(514, 128)                        // 515:514 MAXCMD
        .le32(516, 1024)                       // 519:516 NN
        .le16(520, 0x2C)                       // 521:520 ONCS: DSM, write zeroes, reservations
        .u8(525, 1)                            // 525 VWC present
        .le32(536, 0x0010_0001)                // 539:536 SGLS
        .utf8(768, NQN)                        // 1023:768 SUBNQN
        .le32(1792, 260)                       // 1795:1792 IOCCSZ
        .le32(1796, 1)                         // 1799:1796 IORCSZ
        .le16(1800, 0)                         // 1801:1800 ICDOFF
        .u8(1803, 1);                          // 1803 MSDBD
  }

  @Test
  void decodesEveryField() throws Exception {
    IdentifyController id = new IdentifyController().wrap(Golden.be(golden().b), 0);
    assertEquals(0x1B36, id.vid());
    assertEquals(0x1AF4, id.ssvid());
    assertEquals("SN-0001", id.sn());
    assertEquals("mpath emulated NVMe", id.mn());
    assertEquals("1.0", id.fr());
    assertEquals(6, id.rab());
    assertEquals(0x123456, id.ieee());
    assertEquals(0x0B, id.cmic());
    assertTrue(id.anaReporting());
    assertEquals(5, id.mdts());
    assertEquals(0x0102, id.cntlid());
    assertEquals(IdentifyController.version(2, 0, 0), id.ver());
    assertEquals(IdentifyController.OAES_ANA_CHANGE_NOTICES
        | IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES, id.oaes());
    assertEquals(IdentifyController.CTRATT_HOST_ID_128, id.ctratt());
    assertEquals(IdentifyController.CNTRLTYPE_IO, id.cntrltype());
    assertEquals(10, id.crdt(1));
    assertEquals(20, id.crdt(2));
    assertEquals(30, id.crdt(3));
    assertEquals(IdentifyController.OACS_NAMESPACE_MANAGEMENT, id.oacs());
    assertEquals(3, id.acl());
    assertEquals(3, id.aerl());
    assertEquals(IdentifyController.LPA_EXTENDED_DATA, id.lpa());
    assertEquals(100, id.kas());
    assertEquals(10, id.anatt());
    assertEquals(0x5F, id.anacap());
    assertEquals(128, id.anagrpmax());
    assertEquals(4, id.nanagrpid());
    assertEquals(0x66, id.sqes());
    assertEquals(0x44, id.cqes());
    assertEquals(128, id.maxcmd());
    assertEquals(1024, id.nn());
    assertEquals(IdentifyController.ONCS_DATASET_MANAGEMENT | IdentifyController.ONCS_WRITE_ZEROES
        | IdentifyController.ONCS_RESERVATIONS, id.oncs());
    assertTrue(id.reservationsSupported());
    assertEquals(IdentifyController.VWC_PRESENT, id.vwc());
    assertEquals(0x0010_0001, id.sgls());
    assertEquals(NQN, id.subnqn());
    assertEquals(260, id.ioccsz());
    assertEquals(1, id.iorcsz());
    assertEquals(0, id.icdoff());
    assertEquals(1, id.msdbd());
  }

  @Test
  void encoderProducesTheGoldenBytes() {
    IdentifyController id = IdentifyController.allocate()
        .vid(0x1B36).ssvid(0x1AF4).sn("SN-0001").mn("mpath emulated NVMe").fr("1.0").rab(6)
        .ieee(0x123456)
        .cmic(IdentifyController.CMIC_MULTI_PORT | IdentifyController.CMIC_MULTI_CONTROLLER
            | IdentifyController.CMIC_ANA_REPORTING)
        .mdts(5).cntlid(0x0102).ver(IdentifyController.version(2, 0, 0))
        .oaes(IdentifyController.OAES_ANA_CHANGE_NOTICES
            | IdentifyController.OAES_NAMESPACE_ATTRIBUTE_NOTICES)
        .ctratt(IdentifyController.CTRATT_HOST_ID_128).cntrltype(1)
        .crdt(1, 10).crdt(2, 20).crdt(3, 30)
        .oacs(IdentifyController.OACS_NAMESPACE_MANAGEMENT).acl(3).aerl(3)
        .lpa(IdentifyController.LPA_EXTENDED_DATA).kas(100).anatt(10)
        .anacap(IdentifyController.ANACAP_OPTIMIZED | IdentifyController.ANACAP_NON_OPTIMIZED
            | IdentifyController.ANACAP_INACCESSIBLE | IdentifyController.ANACAP_PERSISTENT_LOSS
            | IdentifyController.ANACAP_CHANGE | IdentifyController.ANACAP_GRPID_STATIC)
        .anagrpmax(128).nanagrpid(4).sqes(0x66).cqes(0x44).maxcmd(128).nn(1024)
        .oncs(IdentifyController.ONCS_DATASET_MANAGEMENT | IdentifyController.ONCS_WRITE_ZEROES
            | IdentifyController.ONCS_RESERVATIONS)
        .vwc(1).sgls(0x0010_0001).subnqn(NQN).ioccsz(260).iorcsz(1).icdoff(0).msdbd(1);
    assertArrayEquals(golden().b, id.toBytes());
  }

  @Test
  void roundTripThroughDecodeCopy() throws Exception {
    byte[] bytes = golden().b;
    ByteBuffer src = ByteBuffer.allocate(4100);
    src.position(4).put(bytes).position(4);
    IdentifyController copy = IdentifyController.decode(src);
    assertEquals(4, src.position(), "decode does not move the position");
    src.put(4 + 78, (byte) 0x99); // later reuse of the source must not show through
    assertEquals(0x0102, copy.cntlid());
    assertArrayEquals(bytes, copy.toBytes());
  }

  @Test
  void rejectsShortBuffers() {
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> new IdentifyController().wrap(ByteBuffer.allocate(4095), 0));
    assertEquals(4096, e.expectedLength());
    assertEquals(4095, e.actualLength());
    assertThrows(NvmeProtocolException.class,
        () -> IdentifyController.decode(ByteBuffer.allocate(1024)));
    assertThrows(NvmeProtocolException.class,
        () -> new IdentifyController().wrap(ByteBuffer.allocate(4096), 1));
  }

  @Test
  void stringFields() throws Exception {
    IdentifyController id = IdentifyController.allocate();
    assertThrows(IllegalArgumentException.class, () -> id.sn("x".repeat(21)));
    assertThrows(IllegalArgumentException.class, () -> id.mn("caf\u00e9"));
    assertThrows(IllegalArgumentException.class, () -> id.subnqn("n".repeat(256)));
    id.sn("x".repeat(20)).subnqn("n".repeat(255));
    assertEquals("x".repeat(20), id.sn());
    assertEquals("n".repeat(255), id.subnqn());
    // a peer that fills SUBNQN with no NUL at all: all 256 bytes, no overrun
    byte[] raw = new byte[4096];
    java.util.Arrays.fill(raw, 768, 1024, (byte) 'q');
    assertEquals(256, new IdentifyController().wrap(ByteBuffer.wrap(raw), 0).subnqn().length());
    // NUL padding inside SN is dropped like spaces
    raw[4] = 'A';
    assertEquals("A", new IdentifyController().wrap(ByteBuffer.wrap(raw), 0).sn());
  }
}
