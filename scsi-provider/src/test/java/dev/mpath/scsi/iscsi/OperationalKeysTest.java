package dev.mpath.scsi.iscsi;

import static dev.mpath.scsi.iscsi.OperationalKeys.Key.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * The result functions of RFC 7143 section 13, key by key ("Result function is Minimum",
 * "... is OR", ...), and the value syntax of section 5.1, as both sides of a login use them.
 */
class OperationalKeysTest {

  @Test
  void numericalKeysTakeTheMinimumOrTheMaximumTheRfcGivesThem() {
    assertEquals("65536", OperationalKeys.answer(MAX_BURST_LENGTH, "262144", "65536")); // 13.13 Minimum
    assertEquals("8192", OperationalKeys.answer(FIRST_BURST_LENGTH, "8192", "65536")); // 13.14 Minimum
    assertEquals("1", OperationalKeys.answer(MAX_CONNECTIONS, "8", "1")); // 13.2 Minimum
    assertEquals("1", OperationalKeys.answer(MAX_OUTSTANDING_R2T, "4", "1")); // 13.17 Minimum
    assertEquals("0", OperationalKeys.answer(ERROR_RECOVERY_LEVEL, "2", "0")); // 13.20 Minimum
    assertEquals("0", OperationalKeys.answer(DEFAULT_TIME2RETAIN, "20", "0")); // 13.16 Minimum
    assertEquals("2", OperationalKeys.answer(DEFAULT_TIME2WAIT, "2", "0")); // 13.15 Maximum
  }

  @Test
  void booleanKeysTakeAndOrOr() {
    assertEquals("Yes", OperationalKeys.answer(INITIAL_R2T, "No", "Yes")); // 13.10 OR
    assertEquals("No", OperationalKeys.answer(INITIAL_R2T, "No", "No"));
    assertEquals("No", OperationalKeys.answer(IMMEDIATE_DATA, "Yes", "No")); // 13.11 AND
    assertEquals("Yes", OperationalKeys.answer(IMMEDIATE_DATA, "Yes", "Yes"));
    assertEquals("Yes", OperationalKeys.answer(DATA_PDU_IN_ORDER, "No", "Yes")); // 13.18 OR
    assertEquals("Yes", OperationalKeys.answer(DATA_SEQUENCE_IN_ORDER, "No", "Yes")); // 13.19 OR
    assertEquals("No", OperationalKeys.answer(IF_MARKER, "Yes", "No")); // RFC 3720 A.3.2 AND
  }

  @Test
  void valuesOutsideTheRangeOrTypeAreRejected() {
    assertEquals("Reject", OperationalKeys.answer(MAX_BURST_LENGTH, "511", "65536")); // 512..2^24-1
    assertEquals("Reject", OperationalKeys.answer(MAX_BURST_LENGTH, "16777216", "65536"));
    assertEquals("Reject", OperationalKeys.answer(ERROR_RECOVERY_LEVEL, "3", "0"));
    assertEquals("Reject", OperationalKeys.answer(DEFAULT_TIME2WAIT, "3601", "0"));
    assertEquals("Reject", OperationalKeys.answer(INITIAL_R2T, "yes", "Yes"), "values are case-sensitive");
    assertEquals("Reject", OperationalKeys.answer(MAX_CONNECTIONS, "", "1"));
  }

  @Test
  void numbersAreDecimalOrHexadecimal() {
    assertEquals(512, OperationalKeys.number("0x200", 0, 1 << 24)); // 5.1 hex-constant
    assertEquals(512, OperationalKeys.number("512", 0, 1 << 24));
    assertEquals(-1, OperationalKeys.number("0x", 0, 10));
    assertEquals(-1, OperationalKeys.number("12a", 0, 1000));
    assertEquals("16777215", OperationalKeys.answer(MAX_BURST_LENGTH, "0xFFFFFF", "16777215"));
  }

  @Test
  void keysAreFoundByTheirTextAndDeclarativeOnesAreNotInTheTable() {
    assertSame(MAX_BURST_LENGTH, OperationalKeys.Key.of("MaxBurstLength"));
    assertNull(OperationalKeys.Key.of("MaxRecvDataSegmentLength"));
    assertNull(OperationalKeys.Key.of("HeaderDigest"));
  }
}
