package dev.mpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeviceIdTest {

  @Test
  void parsesEveryForm() {
    String[][] ok = {
      // text, kind, canonical
      {"naa.6001405ABCDEF0123456789ABCDEF012", "NAA", "naa.6001405abcdef0123456789abcdef012"},
      {"naa.5000c500a1b2c3d4", "NAA", "naa.5000c500a1b2c3d4"},
      {"naa.2000001b32a0b1c2", "NAA", "naa.2000001b32a0b1c2"},
      {"eui.0025388b71b0c4e1", "EUI", "eui.0025388b71b0c4e1"},
      {"eui.6479a77b5e80017f2ee4ac0000000001", "EUI", "eui.6479a77b5e80017f2ee4ac0000000001"},
      {"uuid.3B56E0A4-4A0C-4E0E-9C1B-5A0F1D2E3C4B", "UUID", "uuid.3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b"},
      {"t10.LIO-ORG disk1 1234", "T10", "t10.LIO-ORG disk1 1234"},
      {"iqn.2003-01.org.linux-iscsi.host:sn.1234", "NAME", "iqn.2003-01.org.linux-iscsi.host:sn.1234"},
      {"nvme.1b36-3132333435-51454d55-00000001", "NVME", "nvme.1b36-3132333435-51454d55-00000001"},
    };
    for (String[] row : ok) {
      DeviceId id = DeviceId.parse(row[0]);
      assertEquals(DeviceId.Kind.valueOf(row[1]), id.kind(), row[0]);
      assertEquals(row[2], id.toString());
      assertEquals(id, DeviceId.parse(id.toString()), "round trip");
    }
    assertEquals(DeviceId.parse("NAA.5000C500A1B2C3D4"), DeviceId.parse("naa.5000c500a1b2c3d4"));
  }

  @Test
  void factoriesFromDesignatorBytes() {
    byte[] naa6 = {0x60, 0x01, 0x40, 0x5a, (byte) 0xbc, (byte) 0xde, (byte) 0xf0, 0x12,
                   0x34, 0x56, 0x78, (byte) 0x9a, (byte) 0xbc, (byte) 0xde, (byte) 0xf0, 0x12};
    assertEquals("naa.6001405abcdef0123456789abcdef012", DeviceId.naa(naa6).toString());
    byte[] eui64 = {0x00, 0x25, 0x38, (byte) 0x8b, 0x71, (byte) 0xb0, (byte) 0xc4, (byte) 0xe1};
    assertEquals("eui.0025388b71b0c4e1", DeviceId.eui(eui64).toString());
    UUID u = UUID.fromString("3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b");
    assertEquals("uuid.3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b", DeviceId.uuid(u).toString());
  }

  @Test
  void rejectsMalformedText() {
    String[][] bad = {
      {"", "1.."},
      {"600140512345", "no known prefix"},
      {"wwn.5000c500a1b2c3d4", "no known prefix"},
      {"naa.5000c500a1b2c3", "expected 16 or 32 hex digits"},
      {"naa.6000c500a1b2c3d4", "NAA 6 designators are 16 bytes"},
      {"naa.5001405abcdef0123456789abcdef012", "NAA 5 designators are 8 bytes"},
      {"naa.1000c500a1b2c3d4", "NAA field 1"},
      {"naa.5000c500a1b2c3dz", "'z' is not a hex digit"},
      {"eui.00112233", "16, 24 or 32"},
      {"uuid.3b56e0a4-4a0c-4e0e-9c1b", "36 characters"},
      {"uuid.3b56e0a4x4a0cx4e0ex9c1bx5a0f1d2e3c4b", "malformed UUID"},
      {"nvme.", "nothing after"},
      {"nvme.a b", "not printable"},
      {"t10.a\u0001", "not printable"},
      {"naa." + "5".repeat(300), "1..256"},
    };
    for (String[] row : bad) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DeviceId.parse(row[0]), row[0]);
      assertTrue(e.getMessage().contains(row[1]), row[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void reservationTypeCodesInBothProtocols() {
    int[][] codes = {{1, 1}, {3, 2}, {5, 3}, {6, 4}, {7, 5}, {8, 6}};
    ReservationType[] types = ReservationType.values();
    for (int i = 0; i < types.length; i++) {
      assertEquals(codes[i][0], types[i].scsiCode(), types[i].name());
      assertEquals(codes[i][1], types[i].nvmeCode(), types[i].name());
      assertEquals(types[i], ReservationType.fromScsiCode(codes[i][0]));
      assertEquals(types[i], ReservationType.fromNvmeCode(codes[i][1]));
    }
    assertThrows(IllegalArgumentException.class, () -> ReservationType.fromScsiCode(2));
    assertThrows(IllegalArgumentException.class, () -> ReservationType.fromScsiCode(4));
    assertThrows(IllegalArgumentException.class, () -> ReservationType.fromNvmeCode(0));
    assertThrows(IllegalArgumentException.class, () -> ReservationType.fromNvmeCode(7));
  }
}
