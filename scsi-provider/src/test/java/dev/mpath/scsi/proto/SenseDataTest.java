package dev.mpath.scsi.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sense data golden bytes from SPC-4 4.5.2 / 4.5.3, both directions, malformed input. */
class SenseDataTest {

  @Test
  void fixedNotReadyAluaTransitionGolden() {
    byte[] golden = Hex.bytes(
        "70"            // 4.5.3 byte 0: VALID 0, RESPONSE CODE 70h (current, fixed)
      + "00"            // byte 1: obsolete
      + "02"            // byte 2: FILEMARK/EOM/ILI 0, SENSE KEY 2h NOT READY
      + "00 00 00 00"   // bytes 3-6: INFORMATION
      + "0a"            // byte 7: ADDITIONAL SENSE LENGTH 10
      + "00 00 00 00"   // bytes 8-11: COMMAND-SPECIFIC INFORMATION
      + "04"            // byte 12: ASC 04h
      + "0a"            // byte 13: ASCQ 0Ah
      + "00"            // byte 14: FRU CODE
      + "00 00 00");    // bytes 15-17: SKSV 0, SENSE KEY SPECIFIC
    SenseData s = SenseData.of(SenseKey.NOT_READY,
        Asc.LU_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION);
    assertArrayEquals(golden, s.encode());
    SenseData d = SenseData.decode(golden);
    assertEquals(SenseData.Format.FIXED, d.format());
    assertFalse(d.isDeferred());
    assertEquals(0x70, d.responseCode());
    assertEquals(SenseKey.NOT_READY, d.senseKey());
    assertEquals(0x04, d.asc());
    assertEquals(0x0A, d.ascq());
    assertTrue(d.is(Asc.LU_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION));
    assertTrue(d.is(SenseKey.NOT_READY, Asc.of(0x04, 0x0A)));
    assertFalse(d.informationValid());
    assertFalse(d.sksv());
    assertEquals(0, d.fruCode());
    assertEquals(s, d);
  }

  @Test
  void fixedIllegalRequestWithFieldPointerAndInformationGolden() {
    byte[] golden = Hex.bytes(
        "f0"            // byte 0: VALID 1 (bit 7), RESPONSE CODE 70h
      + "00"
      + "05"            // byte 2: SENSE KEY 5h ILLEGAL REQUEST
      + "12 34 56 78"   // bytes 3-6: INFORMATION
      + "0a"            // byte 7: ADDITIONAL SENSE LENGTH
      + "00 00 00 00"   // bytes 8-11
      + "24 00"         // ASC/ASCQ 24h/00h INVALID FIELD IN CDB
      + "00"            // FRU
      + "cc"            // byte 15: SKSV 1, C/D 1, BPV 1, BIT POINTER 4 (SPC-4 4.5.2.4.2)
      + "00 02");       // bytes 16-17: FIELD POINTER 2
    SenseData s = SenseData.builder(SenseKey.ILLEGAL_REQUEST, Asc.INVALID_FIELD_IN_CDB)
        .information(0x12345678L)
        .senseKeySpecific(SenseData.fieldPointer(true, 2, 4))
        .build();
    assertArrayEquals(golden, s.encode());
    SenseData d = SenseData.decode(golden);
    assertTrue(d.informationValid());
    assertEquals(0x12345678L, d.information());
    assertTrue(d.sksv());
    assertEquals(0xCC0002, d.senseKeySpecific());
    assertEquals(Asc.INVALID_FIELD_IN_CDB, d.additionalSense());
  }

  @Test
  void fixedDeferredWithFlagsFruAndAdditionalBytesGolden() {
    byte[] golden = Hex.bytes(
        "f1"            // VALID 1, RESPONSE CODE 71h (deferred)
      + "00"
      + "e3"            // byte 2: FILEMARK 1, EOM 1, ILI 1, SENSE KEY 3h MEDIUM ERROR
      + "00 00 10 00"   // INFORMATION 4096
      + "0c"            // ADDITIONAL SENSE LENGTH 12 (20 bytes)
      + "de ad be ef"   // COMMAND-SPECIFIC INFORMATION
      + "11 00"         // UNRECOVERED READ ERROR
      + "07"            // FRU CODE 7
      + "00 00 00"
      + "aa bb");       // bytes 18-19: additional sense bytes
    SenseData d = SenseData.decode(golden);
    assertTrue(d.isDeferred());
    assertEquals(0x71, d.responseCode());
    assertTrue(d.filemark());
    assertTrue(d.eom());
    assertTrue(d.ili());
    assertEquals(SenseKey.MEDIUM_ERROR, d.senseKey());
    assertEquals(4096, d.information());
    assertEquals(0xDEADBEEFL, d.commandSpecificInformation());
    assertTrue(d.is(Asc.UNRECOVERED_READ_ERROR));
    assertEquals(7, d.fruCode());
    assertArrayEquals(Hex.bytes("aa bb"), d.additionalSenseBytes());
    assertArrayEquals(golden, d.encode());
  }

  @Test
  void shortButConsistentFixedSenseReadsAsFarAsItGoes() {
    // ADDITIONAL SENSE LENGTH 6: bytes 8-13, so ASC/ASCQ present, FRU and SKS absent
    byte[] s = Hex.bytes("70 00 06 00 00 00 00 06 00 00 00 00 29 00");
    SenseData d = SenseData.decode(s);
    assertEquals(SenseKey.UNIT_ATTENTION, d.senseKey());
    assertTrue(d.is(Asc.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED));
    assertTrue(d.additionalSense().hasAsc(0x29));
    // trailing bytes past ADDITIONAL SENSE LENGTH are ignored
    SenseData padded = SenseData.decode(Hex.cat(s, new byte[20]));
    assertEquals(d, padded);
  }

  @Test
  void descriptorUnitAttentionWithInformationGolden() {
    byte[] golden = Hex.bytes(
        "72"            // 4.5.2 byte 0: RESPONSE CODE 72h (current, descriptor)
      + "06"            // byte 1: SENSE KEY 6h UNIT ATTENTION
      + "2a"            // byte 2: ASC
      + "06"            // byte 3: ASCQ (ASYMMETRIC ACCESS STATE CHANGED)
      + "00 00 00"      // bytes 4-6: reserved
      + "0c"            // byte 7: ADDITIONAL SENSE LENGTH 12
      + "00"            // 4.5.2.2 information descriptor: DESCRIPTOR TYPE 00h
      + "0a"            //   ADDITIONAL LENGTH 0Ah
      + "80"            //   VALID 1
      + "00"            //   reserved
      + "00 00 00 01 00 00 00 00"); // INFORMATION (64 bits)
    SenseData s = SenseData.builder(SenseKey.UNIT_ATTENTION, Asc.ASYMMETRIC_ACCESS_STATE_CHANGED)
        .format(SenseData.Format.DESCRIPTOR).information(0x1_0000_0000L).build();
    assertArrayEquals(golden, s.encode());
    SenseData d = SenseData.decode(golden);
    assertEquals(SenseData.Format.DESCRIPTOR, d.format());
    assertEquals(SenseKey.UNIT_ATTENTION, d.senseKey());
    assertTrue(d.is(Asc.ASYMMETRIC_ACCESS_STATE_CHANGED));
    assertTrue(d.informationValid());
    assertEquals(0x1_0000_0000L, d.information());
    assertTrue(d.descriptors().isEmpty());
    assertEquals(s, d);
  }

  @Test
  void descriptorDeferredWithSksFruAndUnknownDescriptorGolden() {
    byte[] golden = Hex.bytes(
        "73 05 24 00 00 00 00"  // deferred, ILLEGAL REQUEST, 24h/00h
      + "1c"                    // ADDITIONAL SENSE LENGTH 28
      + "01 0a 00 00 00 00 00 00 00 00 00 99"  // 4.5.2.3 command-specific information 99h
      + "02 06 00 00 c0 00 01 00"  // 4.5.2.4 sense key specific: SKSV, C/D, FIELD POINTER 1
      + "03 02 00 2a"              // 4.5.2.5 FRU: code 2Ah
      + "05 02 00 20");            // block commands descriptor (SBC-3): ILI, kept raw
    SenseData d = SenseData.decode(golden);
    assertTrue(d.isDeferred());
    assertEquals(0x73, d.responseCode());
    assertEquals(SenseKey.ILLEGAL_REQUEST, d.senseKey());
    assertFalse(d.informationValid());
    assertEquals(0x99, d.commandSpecificInformation());
    assertTrue(d.sksv());
    assertEquals(0xC00001, d.senseKeySpecific());
    assertEquals(0x2A, d.fruCode());
    assertEquals(List.of(new SenseDescriptor(0x05, Hex.bytes("00 20"))), d.descriptors());
    assertArrayEquals(golden, d.encode());
  }

  @Test
  void informationDescriptorWithValidClear() {
    byte[] golden = Hex.bytes(
        "72 04 44 00 00 00 00 0c"       // HARDWARE ERROR, 44h/00h INTERNAL TARGET FAILURE
      + "00 0a 00 00"                   // information descriptor, VALID 0 (byte 2 bit 7)
      + "00 00 00 00 00 00 00 2a");     // INFORMATION 2Ah (not valid)
    SenseData d = SenseData.decode(golden);
    assertFalse(d.informationValid());
    assertEquals(0x2A, d.information());
    assertTrue(d.is(SenseKey.HARDWARE_ERROR, Asc.INTERNAL_TARGET_FAILURE));
    assertArrayEquals(golden, d.encode());
  }

  @Test
  void formatConversionKeepsCommonFields() {
    SenseData fixed = SenseData.builder(SenseKey.ABORTED_COMMAND, Asc.DATA_PHASE_ERROR)
        .information(77).senseKeySpecific(0x800010).fruCode(3).build();
    SenseData desc = fixed.withFormat(SenseData.Format.DESCRIPTOR);
    SenseData back = SenseData.decode(desc.encode());
    assertEquals(SenseData.Format.DESCRIPTOR, back.format());
    assertEquals(77, back.information());
    assertEquals(0x800010, back.senseKeySpecific());
    assertEquals(3, back.fruCode());
    assertEquals(fixed, back.withFormat(SenseData.Format.FIXED));
  }

  @Test
  void fixedFormatRefusesWideInformation() {
    assertThrows(IllegalArgumentException.class,
        () -> SenseData.builder(SenseKey.MEDIUM_ERROR, Asc.UNRECOVERED_READ_ERROR)
            .information(1L << 40).build());
    assertThrows(IllegalArgumentException.class,
        () -> SenseData.builder(SenseKey.NO_SENSE, Asc.NO_ADDITIONAL_SENSE)
            .addDescriptor(new SenseDescriptor(0x00, new byte[10])));
  }

  @Test
  void additionalSenseLengthPastEndIsTruncation() {
    byte[] s = Hex.bytes("70 00 06 00 00 00 00 0a 00 00 00 00"); // claims 18, has 12
    TruncatedDataException e = assertThrows(TruncatedDataException.class,
        () -> SenseData.decode(s));
    assertEquals(18, e.requiredLength());
    assertEquals(12, e.availableLength());
    byte[] d = Hex.bytes("72 06 29 00 00 00 00 f0 00 0a 80 00"); // descriptor, claims 248
    assertThrows(TruncatedDataException.class, () -> SenseData.decode(d));
  }

  @Test
  void descriptorLengthPastSenseEndIsRejected() {
    // ADDITIONAL SENSE LENGTH 4, but the information descriptor claims 0Ah body bytes
    byte[] s = Hex.bytes("72 06 29 00 00 00 00 04 00 0a 80 00 00 00 00 00 00 00 00 00");
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> SenseData.decode(s));
    assertFalse(e instanceof TruncatedDataException);
    assertTrue(e.getMessage().contains("past the end"), e.getMessage());
  }

  @Test
  void descriptorHeaderCutByAdditionalSenseLength() {
    byte[] s = Hex.bytes("72 06 29 00 00 00 00 01 00");
    assertThrows(ScsiProtocolException.class, () -> SenseData.decode(s));
  }

  @Test
  void knownDescriptorWithWrongLengthIsRejected() {
    byte[] s = Hex.bytes("72 03 11 00 00 00 00 0a 00 08 80 00 00 00 00 00 00 00");
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> SenseData.decode(s));
    assertEquals(0x0A, e.expectedLength());
    assertEquals(0x08, e.actualLength());
    byte[] sks = Hex.bytes("72 05 24 00 00 00 00 06 02 04 80 00 00 00");
    assertThrows(ScsiProtocolException.class, () -> SenseData.decode(sks));
  }

  @Test
  void unsupportedResponseCodeAndShortInput() {
    assertThrows(ScsiProtocolException.class,
        () -> SenseData.decode(Hex.bytes("7f 00 00 00 00 00 00 00")));
    assertThrows(ScsiProtocolException.class,
        () -> SenseData.decode(Hex.bytes("00 00 00 00 00 00 00 00")));
    ScsiProtocolException e = assertThrows(ScsiProtocolException.class,
        () -> SenseData.decode(Hex.bytes("70 00 06")));
    assertEquals(8, e.expectedLength());
    assertEquals(3, e.actualLength());
    assertInstanceOf(ScsiProtocolException.class, e);
  }

  @Test
  void fieldPointerWithoutBitPointer() {
    assertEquals(0x800017, SenseData.fieldPointer(false, 0x17, -1));
    assertThrows(IllegalArgumentException.class, () -> SenseData.fieldPointer(true, 1, 8));
  }

  @Test
  void senseKeysAndAscConstants() {
    assertEquals(16, SenseKey.values().length);
    assertEquals(SenseKey.COMPLETED, SenseKey.fromCode(0xF));
    assertEquals(SenseKey.UNIT_ATTENTION, SenseKey.fromCode(6));
    assertEquals(0xB, SenseKey.ABORTED_COMMAND.code());
    assertEquals(Asc.of(0x04, 0x0B), Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
    assertEquals(Asc.of(0x04, 0x0C), Asc.LU_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE);
    assertEquals(Asc.of(0x2A, 0x07), Asc.IMPLICIT_ASYMMETRIC_ACCESS_STATE_TRANSITION_FAILED);
    assertEquals(Asc.of(0x3F, 0x0E), Asc.REPORTED_LUNS_DATA_HAS_CHANGED);
    assertEquals(Asc.of(0x2A, 0x05), Asc.REGISTRATIONS_PREEMPTED);
    assertEquals(Asc.of(0x44, 0x00), Asc.INTERNAL_TARGET_FAILURE);
    assertTrue(Asc.TOO_MUCH_WRITE_DATA.hasAsc(0x4B));
    assertTrue(Asc.TIMEOUT_ON_LOGICAL_UNIT.hasAsc(0x3E));
    assertEquals("3F/03 INQUIRY DATA HAS CHANGED", Asc.INQUIRY_DATA_HAS_CHANGED.toString());
    assertEquals("29/42", Asc.of(0x29, 0x42).toString());
  }

  @Test
  void statusCodes() {
    assertEquals(ScsiStatus.RESERVATION_CONFLICT, ScsiStatus.fromCode(0x18));
    assertEquals(ScsiStatus.TASK_SET_FULL, ScsiStatus.fromCode(0x28));
    assertEquals(ScsiStatus.ACA_ACTIVE, ScsiStatus.fromCode(0x30));
    assertEquals(ScsiStatus.TASK_ABORTED, ScsiStatus.fromCode(0x40));
    assertEquals(ScsiStatus.CONDITION_MET, ScsiStatus.fromCode(0x04));
    assertEquals(0x08, ScsiStatus.BUSY.code());
    assertTrue(ScsiStatus.CHECK_CONDITION.hasSense());
    assertFalse(ScsiStatus.GOOD.hasSense());
    assertThrows(ScsiProtocolException.class, () -> ScsiStatus.fromCode(0x10));
    assertThrows(ScsiProtocolException.class, () -> ScsiStatus.fromCode(0x22));
  }
}
