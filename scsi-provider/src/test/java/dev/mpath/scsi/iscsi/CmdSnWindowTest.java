package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The initiator's numbering (RFC 7143 4.2.2.1, 4.2.2.2) in serial number arithmetic (RFC 1982). */
class CmdSnWindowTest {

  private static Pdu nopIn(int statSn, int expCmdSn, int maxCmdSn) {
    return Pdus.nopIn(0, 0x80000001, Pdu.RESERVED_TAG, statSn, expCmdSn, maxCmdSn, null);
  }

  @Test
  void serialComparisonWrapsAround() {
    assertTrue(CmdSnWindow.serialGt(0, 0xFFFFFFFF));
    assertTrue(CmdSnWindow.serialLt(0xFFFFFFFF, 0));
    assertFalse(CmdSnWindow.serialGt(5, 5));
    assertFalse(CmdSnWindow.serialLt(5, 5));
  }

  @Test
  void theWindowOpensWhenMaxCmdSnAdvancesAndOnlyThen() {
    CmdSnWindow w = new CmdSnWindow();
    w.start(1, 1, 1);
    assertTrue(w.open()); // CmdSN 1 <= MaxCmdSN 1
    w.advance();
    assertFalse(w.open());
    assertFalse(w.window(nopIn(0, 2, 1))); // MaxCmdSN unchanged
    assertTrue(w.window(nopIn(0, 2, 4)));
    assertTrue(w.open());
    assertFalse(w.window(nopIn(0, 2, 3))); // an older MaxCmdSN does not shrink it
    assertTrue(w.open());
  }

  @Test
  void aMaxCmdSnBelowExpCmdSnLessOneIsIgnored() {
    CmdSnWindow w = new CmdSnWindow();
    w.start(1, 1, 1);
    assertFalse(w.window(nopIn(0, 10, 5))); // 5 < 10 - 1: ignored (RFC 7143 4.2.2.1)
    w.advance();
    assertFalse(w.open());
    assertTrue(w.window(nopIn(0, 2, 2))); // MaxCmdSN = ExpCmdSN: one more command
    assertTrue(w.open());
  }

  @Test
  void expStatSnFollowsTheNewestStatSn() {
    CmdSnWindow w = new CmdSnWindow();
    w.start(7, 1, 1);
    w.statSn(nopIn(9, 1, 1));
    assertEquals(10, w.expStatSn());
    w.statSn(nopIn(8, 1, 1)); // an older StatSN does not move it back
    assertEquals(10, w.expStatSn());
  }
}
