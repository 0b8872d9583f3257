package dev.mpath.nvme.proto;

import static dev.mpath.nvme.proto.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsmRangeTest {

  // Dataset Management Range Definition (NVM Command Set 1.0)
  static final byte[] TWO_RANGES = hex(
      "00 00 00 00"                 // bytes 3:0  Context Attributes
      + "08 00 00 00"               // bytes 7:4  Length in logical blocks = 8
      + "00 10 00 00 00 00 00 00"   // bytes 15:8 Starting LBA = 1000h
      + "01 00 00 0A"               // Context Attributes = 0A000001h
      + "FF FF FF FF"               // Length = FFFFFFFFh
      + "EF CD AB 89 67 45 23 01"); // SLBA = 0123456789ABCDEFh

  @Test
  void goldenBothWays() throws Exception {
    List<DsmRange> ranges = DsmRange.decodeList(Golden.be(TWO_RANGES), 2);
    assertEquals(new DsmRange(0, 8, 0x1000), ranges.get(0));
    assertEquals(0x0A000001, ranges.get(1).contextAttributes());
    assertEquals(0xFFFF_FFFFL, ranges.get(1).lengthInBlocks());
    assertEquals(0x0123456789ABCDEFL, ranges.get(1).startingLba());
    assertArrayEquals(TWO_RANGES, DsmRange.toBytes(ranges));
    assertEquals(ranges.get(0), DsmRange.decode(ByteBuffer.wrap(TWO_RANGES)));
  }

  @Test
  void malformed() {
    // 256 ranges announced, 2 present
    NvmeProtocolException e = assertThrows(NvmeProtocolException.class,
        () -> DsmRange.decodeList(ByteBuffer.wrap(TWO_RANGES), 256));
    assertEquals(256 * 16, e.expectedLength());
    assertThrows(NvmeProtocolException.class,
        () -> DsmRange.decodeList(ByteBuffer.wrap(TWO_RANGES), 0));
    assertThrows(NvmeProtocolException.class,
        () -> DsmRange.decodeList(ByteBuffer.wrap(TWO_RANGES), 257));
    assertThrows(NvmeProtocolException.class, () -> DsmRange.decode(ByteBuffer.allocate(15)));
    assertThrows(IllegalArgumentException.class, () -> new DsmRange(0, 1L << 32, 0));
  }
}
