package dev.mpath.scsi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.DeviceId;
import dev.mpath.scsi.proto.Association;
import dev.mpath.scsi.proto.Designator;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The frozen designator order: NAA 6 > NAA 5 > EUI-64 > NAA 2 > SCSI name > T10 > NAA 3. */
class LuIdentityTest {
  static final Designator NAA6 = Designator.naa(HexFormat.of().parseHex("6001405abcdef0123456789abcdef012"));
  static final Designator NAA5 = Designator.naa(HexFormat.of().parseHex("5000c500a1b2c3d4"));
  static final Designator EUI = Designator.eui64(HexFormat.of().parseHex("0025388b71b0c4e1"));
  static final Designator NAA2 = Designator.naa(HexFormat.of().parseHex("2000001b32a0b1c2"));
  static final Designator NAME = Designator.scsiNameString("iqn.2003-01.org.example:lu1", Association.LOGICAL_UNIT);
  static final Designator T10 = Designator.t10VendorId("LIO-ORG", "disk1");
  static final Designator NAA3 = Designator.naa(HexFormat.of().parseHex("3000000000000001"));
  static final Designator UUID_D = Designator.uuid(UUID.fromString("3b56e0a4-4a0c-4e0e-9c1b-5a0f1d2e3c4b"));

  @Test
  void eachRankBeatsEveryLowerOneWhateverThePageOrder() {
    List<Designator> ranked = List.of(NAA6, NAA5, EUI, NAA2, NAME, T10, NAA3, UUID_D);
    for (int i = 0; i < ranked.size(); i++) {
      List<Designator> page = new ArrayList<>(ranked.subList(i, ranked.size()));
      java.util.Collections.reverse(page); // best last in the page
      DeviceId id = LuIdentity.of(page).orElseThrow();
      assertEquals(ranked.get(i).wwid().orElseThrow(), id.toString(), "rank " + i);
    }
    assertEquals("naa.6001405abcdef0123456789abcdef012", LuIdentity.of(ranked).orElseThrow().toString());
  }

  @Test
  void portAndDeviceDesignatorsNeverIdentifyTheLu() {
    Designator portNaa = Designator.naa(HexFormat.of().parseHex("5000c500a1b2c3d4"), Association.TARGET_PORT);
    List<Designator> page = List.of(portNaa, Designator.relativeTargetPort(1), Designator.targetPortGroup(2),
        Designator.scsiNameString("iqn.2003-01.org.example:tgt", Association.TARGET_DEVICE));
    assertTrue(LuIdentity.of(page).isEmpty());
    assertEquals(NAA3.wwid().orElseThrow(),
        LuIdentity.of(List.of(portNaa, NAA3)).orElseThrow().toString());
  }
}
