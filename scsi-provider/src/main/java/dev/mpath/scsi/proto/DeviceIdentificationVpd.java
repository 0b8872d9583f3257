package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Device Identification VPD page (SPC-4 7.8.6), page code 83h: a list of
 * {@link Designator designation descriptors} from byte 4 to the end of the page.
 *
 * <p>Decoding: every descriptor header and DESIGNATOR LENGTH must stay inside PAGE LENGTH
 * ({@link ScsiProtocolException} naming the offset otherwise); descriptor contents are not
 * validated here (see {@link Designator}).
 *
 * @param peripheral   byte 0
 * @param designators  designation descriptors in page order
 */
public record DeviceIdentificationVpd(Peripheral peripheral, List<Designator> designators)
    implements VpdPage {

  public DeviceIdentificationVpd {
    Objects.requireNonNull(peripheral, "peripheral");
    designators = List.copyOf(designators);
  }

  @Override
  public int pageCode() {
    return DEVICE_IDENTIFICATION;
  }

  /** Designators with the given association, in page order. */
  public List<Designator> designators(Association association) {
    List<Designator> out = new ArrayList<>();
    for (Designator d : designators) {
      if (d.association() == association) {
        out.add(d);
      }
    }
    return out;
  }

  /** First designator of the given association and type. */
  public Optional<Designator> find(Association association, DesignatorType type) {
    for (Designator d : designators) {
      if (d.association() == association && d.type() == type) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** RELATIVE TARGET PORT IDENTIFIER of the first relative target port designator, if any. */
  public OptionalInt relativeTargetPortId() {
    return find(Association.TARGET_PORT, DesignatorType.RELATIVE_TARGET_PORT)
        .map(d -> OptionalInt.of(d.relativeTargetPortId())).orElse(OptionalInt.empty());
  }

  /** TARGET PORT GROUP of the first target port group designator, if any. */
  public OptionalInt targetPortGroupId() {
    return find(Association.TARGET_PORT, DesignatorType.TARGET_PORT_GROUP)
        .map(d -> OptionalInt.of(d.targetPortGroupId())).orElse(OptionalInt.empty());
  }

  @Override
  public byte[] encode() {
    int n = 0;
    for (Designator d : designators) {
      n += d.encodedLength();
    }
    byte[] page = VpdSupport.page(peripheral, DEVICE_IDENTIFICATION, n);
    int p = HEADER_LENGTH;
    for (Designator d : designators) {
      p += d.encodeInto(page, p);
    }
    return page;
  }

  public static DeviceIdentificationVpd decode(byte[] b, int off, int len) {
    int pl = VpdSupport.checkHeader(b, off, len, DEVICE_IDENTIFICATION,
        "Device Identification page");
    int end = HEADER_LENGTH + pl;
    List<Designator> list = new ArrayList<>();
    int p = HEADER_LENGTH;
    while (p < end) {
      try {
        Designator d = Designator.decode(b, off + p, end - p);
        list.add(d);
        p += d.encodedLength();
      } catch (ScsiProtocolException e) {
        throw new ScsiProtocolException("Device Identification page: designation descriptor at "
            + "offset " + p + ": " + e.getMessage(), e.expectedLength(), e.actualLength());
      }
    }
    return new DeviceIdentificationVpd(Peripheral.fromByte(Bytes.u8(b, off)), list);
  }
}
